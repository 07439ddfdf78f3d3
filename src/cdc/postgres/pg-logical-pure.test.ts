import assert from 'node:assert/strict';
import test from 'node:test';
import type { Change } from '../../core/change.ts';
import { buildTextDecoder, numericTextUnscaled } from './pg-text-codecs.ts';
import { parsePgArray } from './pg-array-text.ts';
import { formatLsn, parseLsn, parsePgoutput } from './pgoutput-parser.ts';
import { advance, needsTransaction, parsePgSnapshot, positionFromSummaries, positionSummary, snapshotSees } from './table-position.ts';
import { TxnQueue } from './txn-queue.ts';

const ctx = { table: 's.t', column: 'c', infinity: 'clamp' as const, numericSpecialValues: 'error' as const };

test('numeric text: exact unscaled values, trailing zeros allowed, overflow and extra digits refused', () => {
  assert.equal(numericTextUnscaled('12.3400', 10, 2), 1234n);
  assert.equal(numericTextUnscaled('-0.5', 3, 1), -5n);
  assert.equal(numericTextUnscaled('12.345', 10, 2), undefined);
  assert.equal(numericTextUnscaled('99999999999999999999999999999999999999', 38, 0), 99999999999999999999999999999999999999n);
  assert.equal(numericTextUnscaled('100', 2, 0), undefined);
  assert.throws(() => buildTextDecoder({ codec: 'numeric', precision: 5, scale: 2 }, ctx)('NaN'), /NaN has no decimal equivalent/);
});

test('temporal text: BC years, years past 9999, 24:00, infinity clamps', () => {
  const date = buildTextDecoder({ codec: 'date' }, ctx);
  assert.equal(date('1970-01-02'), 1);
  assert.equal(date('0001-12-31 BC'), -719163); // astronomical year 0
  assert.equal(date('infinity'), 2_932_896);
  const ts = buildTextDecoder({ codec: 'timestamptz' }, ctx);
  assert.equal(ts('1970-01-01 00:00:00.000001+00'), 1n);
  assert.equal(ts('1969-12-31 23:59:59.5+00'), -500_000n);
  assert.equal(ts('-infinity'), -62_135_596_800_000_000n);
  assert.equal(buildTextDecoder({ codec: 'timestamp' }, ctx)('294276-12-31 23:59:59.999999'), 9_224_318_015_999_999_999n);
  assert.equal(buildTextDecoder({ codec: 'time' }, ctx)('24:00:00'), 86_400_000_000n);
  assert.throws(() => buildTextDecoder({ codec: 'date' }, { ...ctx, infinity: 'error' })('infinity'), /s\.t\.c: value infinity/);
});

test('other text: bytea hex, money, float4, "char" escapes, arrays with quotes and NULLs', () => {
  assert.deepEqual(buildTextDecoder({ codec: 'bytea' }, ctx)('\\x00ff'), new Uint8Array([0, 255]));
  assert.equal(buildTextDecoder({ codec: 'money' }, ctx)('-$1,234.56'), '-1234.56');
  assert.equal(buildTextDecoder({ codec: 'float4' }, ctx)('0.1'), Math.fround(0.1));
  assert.equal(buildTextDecoder({ codec: 'char' }, ctx)('\\351'), '\u00e9');
  assert.deepEqual(parsePgArray('{"a b",NULL,"x\\"y",c,"NULL"}'), { dimensions: 1, items: ['a b', null, 'x"y', 'c', 'NULL'] });
  assert.deepEqual(parsePgArray('[0:1]={1,2}'), { dimensions: 1, items: ['1', '2'] });
  assert.equal(parsePgArray('{{1,2},{3,4}}').dimensions, 2);
  assert.deepEqual(parsePgArray('{}'), { dimensions: 1, items: [] });
  assert.deepEqual(parsePgArray('{(1,1),(0,0);(3,3),(2,2)}', ';').items, ['(1,1),(0,0)', '(3,3),(2,2)']);
  assert.throws(() => buildTextDecoder({ codec: 'array', element: { codec: 'int4' } }, ctx)('{{1},{2}}'), /2-dimensional/);
});

test('pgoutput: begin/commit LSNs, tuples with text, null and unchanged TOAST', () => {
  const begin = Buffer.alloc(21);
  begin.write('B');
  begin.writeBigUInt64BE(0x1_0000_0010n, 1);
  begin.writeBigInt64BE(1_000_000n, 9);
  begin.writeInt32BE(-2, 17);
  assert.deepEqual(parsePgoutput(begin), { tag: 'begin', finalLsn: 0x1_0000_0010n, commitTimeMs: 946_684_801_000, xid: 4294967294 });
  const ins = Buffer.concat([Buffer.from('I'), Buffer.from([0, 0, 0, 7]), Buffer.from('N'), Buffer.from([0, 3, 0x74, 0, 0, 0, 2]), Buffer.from('hi'), Buffer.from('nu')]);
  const m = parsePgoutput(ins);
  assert.equal(m.tag, 'insert');
  if (m.tag === 'insert') assert.deepEqual(m.newTuple.slice(0, 2), ['hi', null]);
  assert.equal(formatLsn(parseLsn('1/16B3748')), '1/16B3748');
  assert.equal(parseLsn('4294967296'), 1n << 32n);
});

test('positions: snapshot visibility, start rules, load filter dropped after a later transaction', () => {
  const snap = parsePgSnapshot('100:105:101,103');
  assert.equal(snapshotSees(snap, 99), true);
  assert.equal(snapshotSees(snap, 101), false);
  assert.equal(snapshotSees(snap, 102), true);
  assert.equal(snapshotSees(snap, 105), false);
  const loaded = { through: null, load: { lsn: 1000n, snapshot: snap } };
  assert.equal(needsTransaction(loaded, 900n, 101), true); // committed after the snapshot though before the watermark
  assert.equal(needsTransaction(loaded, 1100n, 102), false); // the snapshot saw it
  const after = advance(advance(loaded, 1100n, 102), 1200n, 106);
  assert.deepEqual(after, { through: 1200n, load: null });
  assert.equal(needsTransaction(after, 1200n, 107), false);
  const round = positionFromSummaries('ns.t', positionSummary(advance(loaded, 1100n, 102), 102), undefined);
  assert.equal(round!.through, 1100n);
  assert.equal(round!.load!.snapshot!.text, '100:105:101,103');
  assert.equal(positionSummary(after)['floe.source.lsn'], '0/4B0'); // 1200 in pg_lsn text
  assert.deepEqual(positionFromSummaries('ns.t', undefined, { 'floe.source.lsn': '0/3E8', 'floe.source.pg-snapshot': '1:2:' })!.load!.lsn, 1000n);
});

test('txn queue: whole transactions per batch, oversized ones in pieces marked partial', () => {
  const q = new TxnQueue(5);
  const c = (i: number) => ({ table: 's.t', op: 'upsert', key: { id: i }, after: { id: i }, before: null, unchanged: [], position: {} }) as Change;
  q.begin({ commitLsn: 10n, xid: 1, commitTimeMs: 0 });
  q.add(c(1));
  q.add(c(2));
  q.commit(10n);
  q.begin({ commitLsn: 20n, xid: 2, commitTimeMs: 0 });
  for (let i = 0; i < 3; i++) q.add(c(10 + i));
  q.commit(20n);
  let t = q.take(4);
  assert.equal(t.changes.length, 2);
  assert.deepEqual(t.completes.map((x) => x.commitLsn), [10n]);
  t = q.take(4);
  assert.deepEqual([t.changes.length, t.completes.length], [3, 1]);
  q.begin({ commitLsn: 30n, xid: 3, commitTimeMs: 0 });
  for (let i = 0; i < 7; i++) q.add(c(20 + i));
  assert.equal(q.ready(), true);
  t = q.take(3);
  assert.deepEqual([t.changes.length, t.completes.length, t.endsPartial], [3, 0, true]);
  assert.equal(q.ready(), false); // 4 left < 5: wait for the commit
  q.commit(30n);
  t = q.take(100);
  assert.deepEqual([t.changes.length, t.completes.map((x) => x.commitLsn)], [4, [30n]]);
  assert.throws(() => q.commit(40n), /without BEGIN/);
});
