import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parsePgSnapshot, transactionsEndedBetween } from './pg-snapshot.ts';

it('parses snapshots and rejects other text', () => {
  assert.deepEqual(parsePgSnapshot('10:20:10,14'), { xmin: 10n, xmax: 20n, xip: [10n, 14n] });
  assert.deepEqual(parsePgSnapshot('737:737:'), { xmin: 737n, xmax: 737n, xip: [] });
  assert.equal(parsePgSnapshot('0/16B3740'), undefined);
});

it('counts transactions that ended between two snapshots', () => {
  const s = (t: string) => parsePgSnapshot(t)!;
  assert.equal(transactionsEndedBetween(s('737:737:'), s('737:737:')), 0n);
  assert.equal(transactionsEndedBetween(s('737:737:'), s('740:740:')), 3n);
  assert.equal(transactionsEndedBetween(s('10:20:10,14'), s('14:25:14,22')), 1n + 5n - 1n, '10 ended; 20..24 started, 22 still running');
  assert.equal(transactionsEndedBetween(s('10:20:10'), s('10:20:10')), 0n);
  assert.equal(transactionsEndedBetween(s('10:20:'), s('5:8:')), undefined);
});
