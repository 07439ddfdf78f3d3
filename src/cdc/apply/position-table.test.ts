import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DumpReader, PositionTable } from './position-table.ts';
import { seededRandom as rng } from '../../../test/support/seeded-random.ts';

test('random adds, moves and removes (growing past the first allocation, long and inline ids) match a Map, oldest first', () => {
  const rand = rng(3);
  const table = new PositionTable(5000, 10);
  const model = new Map<string, [number, number]>(); // insertion order = Map order
  const idOf = (n: number): string => (n % 7 === 0 ? `long-identity-${n}-${'x'.repeat(n % 5)}` : String.fromCharCode(0, 1, 8, n & 0xff, (n >> 8) & 0xff, 0xff));
  for (let step = 0; step < 40_000; step += 1) {
    const id = idOf(Math.floor(rand() * 6000));
    const slot = table.find(id);
    assert.equal(slot >= 0, model.has(id), `step ${step}: presence of ${JSON.stringify(id)}`);
    const r = rand();
    if (slot >= 0 && r < 0.4) {
      table.remove(slot);
      model.delete(id);
    } else if (slot >= 0) {
      table.set(slot, step, step * 2);
      model.set(id, [step, step * 2]);
    } else if (model.size < 5000) {
      table.add(id, step, step + 0.5);
      model.set(id, [step, step + 0.5]);
    }
    if (step % 5000 === 0 || step === 39_999) {
      assert.equal(table.size, model.size);
      for (const [k, [file, pos]] of model) {
        const s = table.find(k);
        assert.ok(s >= 0, `lost ${JSON.stringify(k)}`);
        assert.deepEqual([table.file(s), table.pos(s)], [file, pos]);
      }
      const oldest = model.keys().next();
      assert.equal(table.oldest(), oldest.done === true ? -1 : table.find(oldest.value));
    }
  }
  assert.ok(model.size > 1024, 'grew past the first allocation');
});

test('evicting the oldest in a loop keeps the newest; clear empties; a full table refuses adds', () => {
  const table = new PositionTable(3, 10);
  for (let i = 0; i < 10; i += 1) {
    if (table.size === 3) table.remove(table.oldest());
    table.add(`k${i}`, i, i);
  }
  assert.deepEqual(['k6', 'k7', 'k8', 'k9'].map((k) => table.find(k) >= 0), [false, true, true, true]);
  assert.throws(() => table.add('k10', 0, 0), /full \(3 entries\)/);
  table.clear();
  assert.equal(table.size, 0);
  assert.equal(table.find('k9'), -1);
  assert.equal(table.oldest(), -1);
  table.add('again', 1, 2);
  assert.equal(table.pos(table.find('again')), 2);
});

test('findAll gives what find gives, for present and absent, inline and long ids, across groups', () => {
  const table = new PositionTable(3000, 10);
  const idOf = (n: number): string => (n % 5 === 0 ? `long-identity-${n}` : String.fromCharCode(1, n & 0xff, (n >> 8) & 0xff));
  for (let n = 0; n < 2000; n += 1) table.add(idOf(n * 3), n, n);
  for (let n = 0; n < 300; n += 1) table.remove(table.find(idOf(n * 9)));
  const ids = Array.from({ length: 1000 }, (_, i) => idOf(i * 5));
  const slots = new Int32Array(ids.length);
  table.findAll(ids, slots);
  assert.deepEqual([...slots], ids.map((id) => table.find(id)));
  assert.ok(slots.some((s) => s >= 0) && slots.some((s) => s < 0));
});

test('holds: true while the slot holds the id; false once removed, when reused by another id, out of range', () => {
  const table = new PositionTable(10, 4);
  const a = table.add('a', 1, 1);
  const long = table.add('a long one', 2, 2);
  assert.deepEqual([table.holds(a, 'a'), table.holds(a, 'b'), table.holds(long, 'a long one'), table.holds(long, 'a long two')], [true, false, true, false]);
  table.remove(a);
  assert.equal(table.holds(a, 'a'), false, 'a removed slot holds nothing');
  assert.equal(table.add('b', 3, 3), a, 'the slot is reused');
  assert.deepEqual([table.holds(a, 'a'), table.holds(a, 'b')], [false, true]);
  table.remove(long);
  assert.equal(table.holds(long, 'a long one'), false);
  assert.deepEqual([table.holds(-1, 'a'), table.holds(99, 'a')], [false, false]);
});

test('a dump read back: every entry in use, and DumpReader.sort gives identity byte order (in order already, one length: radix, mixed: comparison)', () => {
  const rand = rng(11);
  const shapes = {
    sorted: (n: number) => String.fromCharCode(1, 8, 0, 0, n >> 8, n & 0xff),
    uniform: (n: number) => String.fromCharCode(1, 8, (n * 7919) & 0xff, 0, (n >> 8) & 0xff, n & 0xff),
    mixed: (n: number) => (n % 3 === 0 ? `a long identity ${n}` : String.fromCharCode(n & 0xff, (n >> 8) & 0xff).repeat(1 + (n % 2))),
  };
  for (const [shape, idOf] of Object.entries(shapes)) {
    const table = new PositionTable(3000, 8);
    const model = new Map<string, number>();
    for (let n = 0; n < 2500; n += 1) {
      table.add(idOf(n), n, n + 0.5);
      model.set(idOf(n), n);
    }
    for (let n = 0; n < 2500; n += 1) {
      if (shape !== 'sorted' && rand() < 0.3) {
        table.remove(table.find(idOf(n)));
        model.delete(idOf(n));
      }
    }
    const reader = new DumpReader(table.dump());
    const inUse = Int32Array.from({ length: reader.slots }, (_, s) => s).filter((s) => !reader.free(s));
    const got = [...reader.sort(inUse)].map((s) => [Buffer.from(reader.id(s)).toString('latin1'), reader.file(s), reader.pos(s)]);
    const want = [...model].sort((a, b) => Buffer.compare(Buffer.from(a[0], 'latin1'), Buffer.from(b[0], 'latin1'))).map(([id, n]) => [id, n, n + 0.5]);
    assert.deepEqual(got, want, shape);
  }
});
