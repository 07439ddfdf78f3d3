import assert from 'node:assert/strict';
import { it } from 'node:test';
import { bucketOf, ChecksumAccumulator, hash60, keyText, md5Hex, rowText } from './checksum.ts';
import { chooseBuckets, compareChecksums, KeyedDiff, MultisetDiff } from './diff.ts';

function sums(rows: (string | null)[][], keyIndexes: number[]) {
  const acc = new ChecksumAccumulator(rows[0]?.length ?? 0);
  for (const texts of rows) {
    const r = md5Hex(rowText(texts));
    acc.add(bucketOf(keyIndexes.length ? md5Hex(keyText(texts, keyIndexes)) : r), r, texts.map((t) => (t === null ? null : md5Hex(t))));
  }
  return acc.result();
}

it('row and key texts quote values as JSON and mark nulls', () => {
  assert.equal(rowText(['1', null, 'a,"b"']), '"1",null,"a,\\"b\\""');
  assert.equal(keyText(['x', '2', 'y'], [2, 0]), '["y","x"]');
});

it('the accumulator sums 60-bit md5 prefixes exactly, past the float flush threshold', () => {
  const acc = new ChecksumAccumulator(1);
  const h = md5Hex('v');
  let expected = 0n;
  for (let i = 0; i < (1 << 20) + 5; i++) {
    acc.add(7, h, [i % 2 === 0 ? h : null]);
    expected += hash60(h);
  }
  const b = acc.result().get(7)!;
  assert.equal(b.rows, BigInt((1 << 20) + 5));
  assert.equal(b.rowSum, expected);
  assert.equal(b.columns[0]!.nonNull, BigInt(((1 << 20) + 6) / 2));
});

it('checksums are order independent and see a swapped value between rows', () => {
  const rows = [['1', 'a', 'x'], ['2', 'b', null], ['3', 'c', 'z']];
  const a = sums(rows, [0]);
  assert.ok(compareChecksums(['id', 'v', 'w'], a, sums([...rows].reverse(), [0])).match);
  const swapped = compareChecksums(['id', 'v', 'w'], a, sums([['1', 'b', 'x'], ['2', 'a', null], ['3', 'c', 'z']], [0]));
  assert.equal(swapped.match, false);
  assert.deepEqual(swapped.columns.map((c) => c.match), [true, true, true], 'column multisets are equal');
  assert.equal(swapped.mismatchedBuckets.length, 2, 'rows 1 and 2 differ');
});

it('compareChecksums reports per-column null counts and the empty side', () => {
  const c = compareChecksums(['id'], sums([['1'], ['2']], [0]), new Map());
  assert.equal(c.match, false);
  assert.equal(c.source.rows, 2n);
  assert.equal(c.iceberg.rows, 0n);
  assert.equal(c.columns[0]!.iceberg.nonNull, 0n);
  assert.equal(c.mismatchedBuckets.length, 2);
});

it('chooseBuckets stops at the bucket and row limits but always takes one', () => {
  const big = (rows: bigint) => ({ rows, rowSum: 0n, columns: [] });
  const src = new Map([[1, big(10n)], [2, big(10n)], [3, big(500n)], [4, big(1n)]]);
  const cmp = { mismatchedBuckets: [1, 2, 3, 4] } as unknown as Parameters<typeof chooseBuckets>[0];
  assert.deepEqual(chooseBuckets(cmp, src, new Map(), 10, 100), [1, 2]);
  assert.deepEqual(chooseBuckets(cmp, src, new Map(), 1, 100), [1]);
  assert.deepEqual(chooseBuckets({ mismatchedBuckets: [3] } as never, src, new Map(), 10, 100), [3]);
});

it('KeyedDiff names missing, extra, duplicate keys and differing columns', () => {
  const row = (key: string, vals: (string | null)[]) => ({ key, rowMd5: md5Hex(rowText(vals)), columnMd5s: vals.map((v) => (v === null ? null : md5Hex(v))) });
  const diff = new KeyedDiff([row('["1"]', ['1', 'a', 'x']), row('["2"]', ['2', 'b', null]), row('["3"]', ['3', 'c', 'z'])]);
  const ice = (key: string, vals: (string | null)[]) => {
    const r = row(key, vals);
    diff.addIceberg(r.key, r.rowMd5, r.columnMd5s, vals);
  };
  ice('["1"]', ['1', 'a', 'x']);
  ice('["2"]', ['2', 'B', 'y']);
  ice('["4"]', ['4', 'd', null]);
  ice('["1"]', ['1', 'a', 'x']);
  const found = diff.finish();
  assert.deepEqual(found.map((d) => [d.kind, d.key]), [['duplicate-in-iceberg', '["1"]'], ['values-differ', '["2"]'], ['missing-in-iceberg', '["3"]'], ['extra-in-iceberg', '["4"]']]);
  assert.deepEqual(found[1]!.columns, [1, 2]);
  assert.deepEqual([...found[1]!.icebergTexts!], [[1, 'B'], [2, 'y']]);
});

it('MultisetDiff counts copies of whole rows', () => {
  const r = (t: string) => ({ rowText: t, rowMd5: md5Hex(t) });
  const diff = new MultisetDiff([r('a'), r('a'), r('b')]);
  for (const t of ['a', 'b', 'b', 'c']) diff.addIceberg(t, md5Hex(t));
  assert.deepEqual(diff.finish().map((d) => [d.kind, d.row, d.count]), [['missing-in-iceberg', 'a', 1], ['extra-in-iceberg', 'b', 1], ['extra-in-iceberg', 'c', 1]]);
});
