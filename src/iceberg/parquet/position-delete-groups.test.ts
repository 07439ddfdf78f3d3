import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadEventError } from '../../core/errors.ts';
import { PositionDeleteGroups } from './position-delete-groups.ts';

const A = 'file:///wh/t/data/a.parquet';
const B = 'file:///wh/t/data/b.parquet';
const C = 'file:///wh/t/data/\u{1F600}.parquet'; // above U+FFFF: sorts after U+E000 by code point, before it by UTF-16 unit
const D = 'file:///wh/t/data/\uE000.parquet';

test('deletes come out grouped by path in code point order, positions ascending as int64, duplicates kept', () => {
  const g = new PositionDeleteGroups('test');
  const input: [string, number | bigint][] = [
    [C, 7], [B, 2 ** 32 + 1], [A, 5], [D, 1], [B, 3], [A, 2 ** 31], [B, 2 ** 32 + 1], [A, 0n],
    [C, 2n ** 63n - 1n], [A, Number.MAX_SAFE_INTEGER], [B, 2n ** 31n - 1n], [C, 2n ** 53n + 1n], [A, 5],
  ];
  for (const [path, pos] of input) g.add(path, pos);
  assert.equal(g.size, input.length);
  const s = g.sorted();
  assert.deepEqual(s.paths, [A, B, D, C]);
  assert.deepEqual(s.counts, [5, 4, 1, 3]);
  assert.deepEqual([...s.positions], [
    0n, 5n, 5n, 2n ** 31n, 2n ** 53n - 1n, // A: the duplicate 5 stays, 2^31 and 2^53 - 1 exact
    3n, 2n ** 31n - 1n, 2n ** 32n + 1n, 2n ** 32n + 1n, // B: numbers and bigints sort together
    1n, // D
    7n, 2n ** 53n + 1n, 2n ** 63n - 1n, // C: bigints beyond 2^53 keep every bit
  ]);
});

test('one path with more positions than the initial buffer, in reverse order', () => {
  const g = new PositionDeleteGroups('test');
  for (let p = 999; p >= 0; p--) g.add(A, p * 3_000_000); // up to ~3e9, past 2^31
  const s = g.sorted();
  assert.deepEqual(s.counts, [1000]);
  assert.ok(s.positions.every((v, i) => v === BigInt(i * 3_000_000)));
});

test('adding after sorted keeps gathering; nothing added sorts to nothing', () => {
  const g = new PositionDeleteGroups('test');
  assert.deepEqual(g.sorted(), { paths: [], counts: [], positions: new BigInt64Array(0) });
  g.add(B, 2);
  g.sorted();
  g.add(A, 1);
  g.add(B, 1);
  assert.deepEqual([...g.sorted().positions], [1n, 1n, 2n]);
});

test('a pos that is not a non-negative 64-bit integer, or an empty path, is refused naming both', () => {
  const g = new PositionDeleteGroups('position delete file memory://x');
  for (const bad of [-1, 1.5, NaN, 2 ** 53, -1n, 2n ** 63n, '3' as unknown as number]) {
    assert.throws(
      () => g.add(A, bad),
      (e: unknown) => e instanceof BadEventError && e.message.startsWith('position delete file memory://x: pos ') && e.message.includes(String(bad)) && e.message.includes(A),
    );
  }
  assert.throws(() => g.add('', 1), (e: unknown) => e instanceof BadEventError && e.message.includes('file_path'));
  assert.equal(g.size, 0);
  assert.deepEqual(g.sorted().paths, [], 'a refused delete leaves no empty group behind');
});
