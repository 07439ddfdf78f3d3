/**
 * Order-independent checksums, defined identically for PostgreSQL (verify-sql.ts) and JavaScript:
 *   h(text)      the first 15 hex digits of md5(text) as an unsigned 60-bit integer
 *   row text     the columns' canonical texts as JSON strings (or `null`), joined by `,`
 *   key text     `[` + the key columns' canonical texts as JSON strings, joined by `,` + `]`
 *   bucket       the first 3 hex digits of md5(key text) (keyless: of md5(row text)): 0..4095
 * Per bucket: row count, Σ h(row text), and per column the non-null count and Σ h(text). Sums
 * are exact (bigint; numeric in SQL), so equal sums mean equal multisets up to md5 collisions.
 */
import { hash } from 'node:crypto';

/** Number of buckets and the hex digits that name one (`000`..`fff`). */
export const BUCKET_COUNT = 4096;
export const BUCKET_HEX_DIGITS = 3;

/** Non-null values and Σ h(text) of one column. */
export interface ColumnChecksum {
  readonly nonNull: bigint;
  readonly sum: bigint;
}

/** Checksums of one bucket (or of the whole table). */
export interface BucketChecksum {
  readonly rows: bigint;
  readonly rowSum: bigint; // Σ h(row text)
  readonly columns: readonly ColumnChecksum[]; // in plan column order
}

/** Bucket number → its checksums; buckets without rows are absent. */
export type Checksums = ReadonlyMap<number, BucketChecksum>;

/** md5 of the UTF-8 text as 32 lowercase hex digits. */
export function md5Hex(text: string): string {
  return hash('md5', text, 'hex');
}

/** h(): the first 15 hex digits of an md5 hex string as a bigint (for tests and small sums). */
export function hash60(md5: string): bigint {
  return BigInt(`0x${md5.slice(0, 15)}`);
}

/** Bucket number of an md5 hex string (its first 3 hex digits). */
export function bucketOf(md5: string): number {
  return parseInt(md5.slice(0, BUCKET_HEX_DIGITS), 16);
}

/** Bucket number → its 3-digit hex name, as SQL computes it. */
export function bucketName(bucket: number): string {
  return bucket.toString(16).padStart(BUCKET_HEX_DIGITS, '0');
}

/** Row text of canonical texts (null → `null`). */
export function rowText(texts: readonly (string | null)[]): string {
  let out = '';
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]!;
    out += (i > 0 ? ',' : '') + (t === null ? 'null' : JSON.stringify(t));
  }
  return out;
}

/** Key text of the key columns' canonical texts (key values are never null). */
export function keyText(texts: readonly (string | null)[], keyIndexes: readonly number[]): string {
  return `[${keyIndexes.map((i) => JSON.stringify(texts[i] ?? null)).join(',')}]`;
}

// Sums run in doubles (hi: 32 bits, lo: 28 bits of each h) and move into bigints before a
// double could lose a bit: 2^32 × 2^20 rows < 2^53.
const FLUSH_ROWS = 1 << 20;
const TWO28 = 1n << 28n;

/** Accumulates checksums of rows with `numColumns` columns; bounded memory (4096 buckets). */
export class ChecksumAccumulator {
  private readonly width: number; // 3 + 3 per column: rows, rowHi, rowLo, then count, hi, lo per column
  private readonly pending: Float64Array;
  private readonly totals: bigint[][] = [];
  private rowsSinceFlush = 0;

  constructor(private readonly numColumns: number) {
    this.width = 3 + 3 * numColumns;
    this.pending = new Float64Array(BUCKET_COUNT * this.width);
  }

  /** Adds one row: its bucket, md5 of its row text, and md5 of each column's text (null when null). */
  add(bucket: number, rowMd5: string, columnMd5s: readonly (string | null)[]): void {
    const p = this.pending;
    let o = bucket * this.width;
    p[o] = p[o]! + 1;
    p[o + 1] = p[o + 1]! + parseInt(rowMd5.slice(0, 8), 16);
    p[o + 2] = p[o + 2]! + parseInt(rowMd5.slice(8, 15), 16);
    o += 3;
    for (let i = 0; i < this.numColumns; i++, o += 3) {
      const h = columnMd5s[i];
      if (h === null || h === undefined) continue;
      p[o] = p[o]! + 1;
      p[o + 1] = p[o + 1]! + parseInt(h.slice(0, 8), 16);
      p[o + 2] = p[o + 2]! + parseInt(h.slice(8, 15), 16);
    }
    if (++this.rowsSinceFlush >= FLUSH_ROWS) this.flush();
  }

  private flush(): void {
    const p = this.pending;
    for (let b = 0; b < BUCKET_COUNT; b++) {
      const base = b * this.width;
      if (p[base] === 0) continue;
      const t = (this.totals[b] ??= new Array<bigint>(2 * (this.numColumns + 1)).fill(0n));
      for (let c = 0; c <= this.numColumns; c++) {
        const o = base + 3 * c;
        t[2 * c] = t[2 * c]! + BigInt(p[o]!);
        t[2 * c + 1] = t[2 * c + 1]! + BigInt(p[o + 1]!) * TWO28 + BigInt(p[o + 2]!);
        p[o] = p[o + 1] = p[o + 2] = 0;
      }
    }
    this.rowsSinceFlush = 0;
  }

  /** The checksums so far, per bucket with rows. */
  result(): Map<number, BucketChecksum> {
    this.flush();
    const out = new Map<number, BucketChecksum>();
    this.totals.forEach((t, b) => {
      const columns: ColumnChecksum[] = [];
      for (let c = 1; c <= this.numColumns; c++) columns.push({ nonNull: t[2 * c]!, sum: t[2 * c + 1]! });
      out.set(b, { rows: t[0]!, rowSum: t[1]!, columns });
    });
    return out;
  }
}

/** The whole table's checksums: the sum over buckets. */
export function totalChecksum(checksums: Checksums, numColumns: number): BucketChecksum {
  let rows = 0n;
  let rowSum = 0n;
  const nonNull = new Array<bigint>(numColumns).fill(0n);
  const sums = new Array<bigint>(numColumns).fill(0n);
  for (const b of checksums.values()) {
    rows += b.rows;
    rowSum += b.rowSum;
    b.columns.forEach((c, i) => {
      nonNull[i] = nonNull[i]! + c.nonNull;
      sums[i] = sums[i]! + c.sum;
    });
  }
  return { rows, rowSum, columns: nonNull.map((n, i) => ({ nonNull: n, sum: sums[i]! })) };
}
