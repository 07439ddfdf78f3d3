import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkCountFor, chunkId, ctidRanges, describeRange, integerSplits, keyRanges, sampleSplits } from './chunk-plan.ts';
import { chunkPredicate } from './chunk-sql.ts';
import { importSnapshotSql, quoteLiteral } from './snapshot.ts';

describe('chunk planning', () => {
  it('counts chunks from estimates, at least one', () => {
    assert.equal(chunkCountFor(0, 1000), 1);
    assert.equal(chunkCountFor(1000, 1000), 1);
    assert.equal(chunkCountFor(1001, 1000), 2);
    assert.equal(chunkCountFor(Number.NaN, 1000), 1);
  });

  it('splits integer keys into equal spans, strictly increasing, within (min, max]', () => {
    assert.deepEqual(integerSplits(1n, 100n, 4), [26n, 51n, 76n]);
    assert.deepEqual(integerSplits(-9223372036854775808n, 9223372036854775807n, 2), [0n]);
    assert.deepEqual(integerSplits(5n, 6n, 10), [6n], 'fewer splits than chunks when the span is small');
    assert.deepEqual(integerSplits(5n, 5n, 3), []);
    assert.deepEqual(integerSplits(9n, 1n, 3), [], 'empty table');
  });

  it('takes evenly spaced split points from a sample', () => {
    const sample = Array.from({ length: 10 }, (_v, i) => [String(i)]);
    assert.deepEqual(sampleSplits(sample, 2), [['5']]);
    assert.deepEqual(sampleSplits(sample, 5), [['2'], ['4'], ['6'], ['8']]);
    assert.deepEqual(sampleSplits(sample.slice(0, 2), 10), [['1']], 'never repeats a point');
    assert.deepEqual(sampleSplits([], 4), []);
  });

  it('covers the whole key space with open ends', () => {
    assert.deepEqual(keyRanges([]), [{ kind: 'key', lo: null, hi: null }]);
    assert.deepEqual(keyRanges([['a', '1'], ['b', '2']]), [
      { kind: 'key', lo: null, hi: ['a', '1'] },
      { kind: 'key', lo: ['a', '1'], hi: ['b', '2'] },
      { kind: 'key', lo: ['b', '2'], hi: null },
    ]);
  });

  it('splits heap blocks, last range open-ended; tiny tables read whole', () => {
    assert.deepEqual(ctidRanges(10, 3), [
      { kind: 'ctid', fromBlock: 0, toBlock: 3 },
      { kind: 'ctid', fromBlock: 3, toBlock: 6 },
      { kind: 'ctid', fromBlock: 6, toBlock: null },
    ]);
    assert.deepEqual(ctidRanges(1, 5), [{ kind: 'all' }]);
  });

  it('names chunks sortably and describes ranges', () => {
    assert.equal(chunkId(7), '00007');
    assert.equal(describeRange({ kind: 'key', lo: null, hi: ['5'] }), '[−∞, 5)');
    assert.equal(describeRange({ kind: 'key', lo: ['a', '1'], hi: null }), '[(a, 1), +∞)');
    assert.equal(describeRange({ kind: 'ctid', fromBlock: 4, toBlock: null }), 'blocks [4, ∞)');
  });
});

describe('chunk SQL', () => {
  it('writes row-value comparisons with quoted names and escaped literals', () => {
    const where = chunkPredicate({ kind: 'key', lo: ["it's", '1'], hi: ['back\\slash', '2'] }, ['na"me', 'id']);
    assert.equal(where, `("na""me", "id") >= (E'it''s', E'1') AND ("na""me", "id") < (E'back\\\\slash', E'2')`);
    assert.equal(chunkPredicate({ kind: 'key', lo: null, hi: ['10'] }, ['id']), `"id" < E'10'`);
    assert.equal(chunkPredicate({ kind: 'key', lo: null, hi: null }, ['id']), undefined);
    assert.equal(chunkPredicate({ kind: 'all' }, []), undefined);
  });

  it('writes TID range predicates and refuses bad blocks', () => {
    assert.equal(chunkPredicate({ kind: 'ctid', fromBlock: 0, toBlock: 64 }, []), `ctid >= '(0,0)'::tid AND ctid < '(64,0)'::tid`);
    assert.equal(chunkPredicate({ kind: 'ctid', fromBlock: 64, toBlock: null }, []), `ctid >= '(64,0)'::tid`);
    assert.throws(() => chunkPredicate({ kind: 'ctid', fromBlock: -1, toBlock: null }, []), /bad block/);
  });

  it('refuses a bound with the wrong arity', () => {
    assert.throws(() => chunkPredicate({ kind: 'key', lo: ['1'], hi: null }, ['a', 'b']), /1 value\(s\) for 2 key column/);
  });

  it('quotes literals safely and validates snapshot names', () => {
    assert.equal(quoteLiteral(`a'b\\c`), `E'a''b\\\\c'`);
    assert.throws(() => quoteLiteral('a\0b'), /NUL/);
    assert.deepEqual(importSnapshotSql('00000003-0000001B-1'), [
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      `SET TRANSACTION SNAPSHOT E'00000003-0000001B-1'`,
    ]);
    assert.throws(() => importSnapshotSql(`x'; DROP TABLE t; --`), /not of the form/);
  });
});
