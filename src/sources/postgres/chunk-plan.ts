/**
 * Pure chunk planning: how a table splits into ranges that are read independently. Keyed
 * tables split by primary-key ranges (disjoint whatever happens to the rows, so a resumed load
 * in a new snapshot never loads a key twice); keyless tables split by heap block (ctid) ranges.
 * The first range is open below and the last open above, so every row is covered even when
 * rows appear beyond the planned min/max.
 */

/** Key values as PostgreSQL renders them (`col::text`), in key column order. */
export type KeyTuple = readonly string[];

/** A piece of a table. Key ranges: `lo` inclusive, `hi` exclusive, null = unbounded. Ctid: blocks [from, to), to null = to the end. */
export type ChunkRange =
  | { readonly kind: 'all' }
  | { readonly kind: 'key'; readonly lo: KeyTuple | null; readonly hi: KeyTuple | null }
  | { readonly kind: 'ctid'; readonly fromBlock: number; readonly toBlock: number | null };

/** Chunks for about `estimatedRows` rows at `chunkRows` each: at least 1. */
export function chunkCountFor(estimatedRows: number, chunkRows: number): number {
  if (!(estimatedRows > 0) || !(chunkRows > 0)) return 1;
  return Math.max(1, Math.ceil(estimatedRows / chunkRows));
}

/**
 * Split points that cut the integer keys [min, max] into `chunks` equal spans: strictly
 * increasing, each in (min, max]; fewer when the span holds fewer values than chunks.
 */
export function integerSplits(min: bigint, max: bigint, chunks: number): bigint[] {
  if (max < min || chunks <= 1) return [];
  const span = max - min + 1n;
  const n = BigInt(chunks);
  const out: bigint[] = [];
  for (let i = 1n; i < n; i++) {
    const p = min + (span * i) / n;
    if (p > min && p <= max && (out.length === 0 || p > out[out.length - 1]!)) out.push(p);
  }
  return out;
}

/** Every `sample.length / chunks`-th tuple of a key-ordered, duplicate-free sample: chunks − 1 split points at most. */
export function sampleSplits(sample: readonly KeyTuple[], chunks: number): KeyTuple[] {
  if (chunks <= 1 || sample.length === 0) return [];
  const out: KeyTuple[] = [];
  let last = -1;
  for (let i = 1; i < chunks; i++) {
    const at = Math.floor((sample.length * i) / chunks);
    if (at > last && at < sample.length && at > 0) {
      out.push(sample[at]!);
      last = at;
    }
  }
  return out;
}

/** Ranges between ordered split points: (−∞, s1), [s1, s2), …, [sn, +∞); no splits → one unbounded range. */
export function keyRanges(splits: readonly KeyTuple[]): ChunkRange[] {
  const bounds: (KeyTuple | null)[] = [null, ...splits, null];
  const out: ChunkRange[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) out.push({ kind: 'key', lo: bounds[i]!, hi: bounds[i + 1]! });
  return out;
}

/** `chunks` ranges of about equal block counts over `blocks` heap blocks; the last is open-ended. */
export function ctidRanges(blocks: number, chunks: number): ChunkRange[] {
  const n = Math.max(1, Math.min(chunks, blocks));
  if (n === 1) return [{ kind: 'all' }];
  const out: ChunkRange[] = [];
  for (let i = 0; i < n; i++) {
    const fromBlock = Math.floor((blocks * i) / n);
    out.push({ kind: 'ctid', fromBlock, toBlock: i === n - 1 ? null : Math.floor((blocks * (i + 1)) / n) });
  }
  return out;
}

/** Chunk ids in plan order, `00000`, `00001`, …: sortable, stable for the life of a load. */
export function chunkId(index: number): string {
  return String(index).padStart(5, '0');
}

/** A short human form of a range for logs, e.g. `[100, 200)` or `blocks [0, 64)`. */
export function describeRange(range: ChunkRange): string {
  if (range.kind === 'all') return 'whole table';
  if (range.kind === 'ctid') return `blocks [${range.fromBlock}, ${range.toBlock ?? '∞'})`;
  const t = (k: KeyTuple | null, inf: string) => (k === null ? inf : k.length === 1 ? k[0]! : `(${k.join(', ')})`);
  return `[${t(range.lo, '−∞')}, ${t(range.hi, '+∞')})`;
}
