/**
 * The Iceberg side of verify: streams a snapshot batch by batch (scanRows, deletes applied),
 * turns each row into canonical texts (canonical-js.ts) and feeds checksums or a bucket diff.
 * Memory: one batch plus 4096 buckets of sums (plus the chosen buckets' rows when diffing).
 */
import type { FileIO } from '../../io/file-io.ts';
import type { IcebergValue, Row, TableMetadata } from '../../iceberg/spec/types.ts';
import { scanRows } from '../../iceberg/table/scan.ts';
import { canonicalEncoder, type CanonicalEncoder } from './canonical-js.ts';
import { bucketOf, ChecksumAccumulator, keyText, md5Hex, rowText, type Checksums } from './checksum.ts';
import type { KeyedDiff, MultisetDiff } from './diff.ts';
import type { VerifyPlan } from './verify-plan.ts';

/** Which snapshot to read. */
export interface IcebergSource {
  readonly io: FileIO;
  readonly metadata: TableMetadata;
  readonly snapshotId: bigint;
}

interface Encoded {
  readonly names: readonly string[];
  readonly encoders: readonly CanonicalEncoder[];
}

function encode(plan: VerifyPlan): Encoded {
  const table = `${plan.target.namespace.join('.')}.${plan.target.name}`;
  return { names: plan.columns.map((c) => c.field.name), encoders: plan.columns.map((c) => canonicalEncoder(c.field.type, `${table}.${c.name}`)) };
}

function textsOf(row: Row, { names, encoders }: Encoded): (string | null)[] {
  const texts = new Array<string | null>(names.length);
  for (let i = 0; i < names.length; i++) {
    const v: IcebergValue | undefined = row[names[i]!];
    texts[i] = v === undefined || v === null ? null : encoders[i]!(v);
  }
  return texts;
}

const md5s = (texts: readonly (string | null)[]): (string | null)[] => texts.map((t) => (t === null ? null : md5Hex(t)));

async function* rowsOf(source: IcebergSource, enc: Encoded): AsyncGenerator<Row[]> {
  yield* scanRows(source.io, source.metadata, { snapshotId: source.snapshotId, columns: enc.names });
}

/** Per-bucket checksums of the snapshot's rows over the plan's columns. */
export async function icebergChecksums(source: IcebergSource, plan: VerifyPlan): Promise<Checksums> {
  const enc = encode(plan);
  const acc = new ChecksumAccumulator(plan.columns.length);
  const keyed = plan.keyIndexes.length > 0;
  for await (const batch of rowsOf(source, enc)) {
    for (const row of batch) {
      const texts = textsOf(row, enc);
      const rowMd5 = md5Hex(rowText(texts));
      acc.add(bucketOf(keyed ? md5Hex(keyText(texts, plan.keyIndexes)) : rowMd5), rowMd5, md5s(texts));
    }
  }
  return acc.result();
}

/** Feeds the rows of `buckets` into a keyed diff; canonical texts are cut to `maxChars` + 1. */
export async function icebergKeyedDiff(source: IcebergSource, plan: VerifyPlan, buckets: ReadonlySet<number>, diff: KeyedDiff, maxChars: number): Promise<void> {
  const enc = encode(plan);
  for await (const batch of rowsOf(source, enc)) {
    for (const row of batch) {
      const texts = textsOf(row, enc);
      const key = keyText(texts, plan.keyIndexes);
      if (!buckets.has(bucketOf(md5Hex(key)))) continue;
      const cut = texts.map((t) => (t === null ? null : t.slice(0, maxChars + 1)));
      diff.addIceberg(key, md5Hex(rowText(texts)), md5s(texts), cut);
    }
  }
}

/** Feeds the rows of `buckets` into a keyless (multiset) diff. */
export async function icebergMultisetDiff(source: IcebergSource, plan: VerifyPlan, buckets: ReadonlySet<number>, diff: MultisetDiff): Promise<void> {
  const enc = encode(plan);
  for await (const batch of rowsOf(source, enc)) {
    for (const row of batch) {
      const text = rowText(textsOf(row, enc));
      const rowMd5 = md5Hex(text);
      if (buckets.has(bucketOf(rowMd5))) diff.addIceberg(text, rowMd5);
    }
  }
}
