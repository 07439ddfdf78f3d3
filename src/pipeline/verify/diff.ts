/**
 * Pure comparison logic: checksums side by side, the mismatching buckets worth fetching, and
 * row diffs within those buckets (by key, or as a multiset of whole rows for keyless tables).
 */
import { totalChecksum, type BucketChecksum, type Checksums, type ColumnChecksum } from './checksum.ts';

/** One column's checksums on both sides. */
export interface ColumnComparison {
  readonly name: string;
  readonly source: ColumnChecksum;
  readonly iceberg: ColumnChecksum;
  readonly match: boolean;
}

/** Both sides' checksums, compared. */
export interface ChecksumComparison {
  readonly source: BucketChecksum; // whole-table totals
  readonly iceberg: BucketChecksum;
  readonly columns: readonly ColumnComparison[];
  /** Buckets whose checksums differ, ascending. */
  readonly mismatchedBuckets: readonly number[];
  readonly match: boolean;
}

const EMPTY = (n: number): BucketChecksum => ({ rows: 0n, rowSum: 0n, columns: Array.from({ length: n }, () => ({ nonNull: 0n, sum: 0n })) });

function sameBucket(a: BucketChecksum, b: BucketChecksum): boolean {
  return a.rows === b.rows && a.rowSum === b.rowSum && a.columns.every((c, i) => c.nonNull === b.columns[i]!.nonNull && c.sum === b.columns[i]!.sum);
}

/** Compares per-bucket checksums of `names.length` columns; equal iff every bucket is equal. */
export function compareChecksums(names: readonly string[], source: Checksums, iceberg: Checksums): ChecksumComparison {
  const n = names.length;
  const buckets = [...new Set([...source.keys(), ...iceberg.keys()])].sort((a, b) => a - b);
  const mismatchedBuckets = buckets.filter((b) => !sameBucket(source.get(b) ?? EMPTY(n), iceberg.get(b) ?? EMPTY(n)));
  const s = totalChecksum(source, n);
  const i = totalChecksum(iceberg, n);
  const columns = names.map((name, k) => {
    const a = s.columns[k]!;
    const b = i.columns[k]!;
    return { name, source: a, iceberg: b, match: a.nonNull === b.nonNull && a.sum === b.sum };
  });
  return { source: s, iceberg: i, columns, mismatchedBuckets, match: mismatchedBuckets.length === 0 };
}

/**
 * The first mismatching buckets to fetch rows from: at most `maxBuckets`, and while their rows
 * (the larger side of each) stay within `maxRows`; always at least one when any mismatch.
 */
export function chooseBuckets(comparison: ChecksumComparison, source: Checksums, iceberg: Checksums, maxBuckets = 10, maxRows = 200_000): number[] {
  const chosen: number[] = [];
  let rows = 0n;
  for (const b of comparison.mismatchedBuckets) {
    const size = [source.get(b)?.rows ?? 0n, iceberg.get(b)?.rows ?? 0n].reduce((x, y) => (x > y ? x : y));
    if (chosen.length > 0 && (chosen.length >= maxBuckets || rows + size > BigInt(maxRows))) break;
    chosen.push(b);
    rows += size;
  }
  return chosen;
}

/** What differs for one key (or one distinct keyless row). */
export interface RowDifference {
  readonly kind: 'missing-in-iceberg' | 'extra-in-iceberg' | 'values-differ' | 'duplicate-in-iceberg';
  /** Key text `[...]` (keyed tables). */
  readonly key?: string;
  /** Row text (keyless tables), and how many more copies one side has. */
  readonly row?: string;
  readonly count?: number;
  /** values-differ: indexes of the differing columns, with Iceberg's canonical texts. */
  readonly columns?: readonly number[];
  readonly icebergTexts?: ReadonlyMap<number, string | null>;
}

/** A source row of a chosen bucket, keyed. */
export interface SourceKeyedRow {
  readonly key: string;
  readonly rowMd5: string;
  readonly columnMd5s: readonly (string | null)[];
}

/** Diffs keyed rows: load the source side, stream the Iceberg side, then `finish`. */
export class KeyedDiff {
  private readonly pending = new Map<string, SourceKeyedRow>();
  private readonly matched = new Set<string>();
  private readonly found: RowDifference[] = [];

  constructor(sourceRows: Iterable<SourceKeyedRow>) {
    for (const r of sourceRows) this.pending.set(r.key, r);
  }

  /** One Iceberg row of a chosen bucket; `texts` (canonical, per column) are kept only when it differs. */
  addIceberg(key: string, rowMd5: string, columnMd5s: readonly (string | null)[], texts: readonly (string | null)[]): void {
    const source = this.pending.get(key);
    if (source === undefined) {
      this.found.push({ kind: this.matched.has(key) ? 'duplicate-in-iceberg' : 'extra-in-iceberg', key });
      return;
    }
    this.pending.delete(key);
    this.matched.add(key);
    if (source.rowMd5 === rowMd5) return;
    const columns = columnMd5s.flatMap((h, i) => (h === source.columnMd5s[i] ? [] : [i]));
    this.found.push({ kind: 'values-differ', key, columns, icebergTexts: new Map(columns.map((i) => [i, texts[i] ?? null])) });
  }

  /** Every difference, sorted by key (then kind). */
  finish(): RowDifference[] {
    for (const key of this.pending.keys()) this.found.push({ kind: 'missing-in-iceberg', key });
    this.pending.clear();
    return this.found.sort((a, b) => (a.key! < b.key! ? -1 : a.key! > b.key! ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  }
}

/** Diffs keyless rows as multisets of row texts. */
export class MultisetDiff {
  private readonly counts = new Map<string, { text: string; count: number }>();

  constructor(sourceRows: Iterable<{ readonly rowText: string; readonly rowMd5: string }>) {
    for (const r of sourceRows) {
      const e = this.counts.get(r.rowMd5) ?? { text: r.rowText, count: 0 };
      e.count += 1;
      this.counts.set(r.rowMd5, e);
    }
  }

  /** One Iceberg row of a chosen bucket. */
  addIceberg(rowText: string, rowMd5: string): void {
    const e = this.counts.get(rowMd5) ?? { text: rowText, count: 0 };
    e.count -= 1;
    this.counts.set(rowMd5, e);
  }

  /** Rows one side has more copies of, sorted by row text. */
  finish(): RowDifference[] {
    const out: RowDifference[] = [];
    for (const { text, count } of this.counts.values()) {
      if (count > 0) out.push({ kind: 'missing-in-iceberg', row: text, count });
      if (count < 0) out.push({ kind: 'extra-in-iceberg', row: text, count: -count });
    }
    return out.sort((a, b) => (a.row! < b.row! ? -1 : a.row! > b.row! ? 1 : 0));
  }
}
