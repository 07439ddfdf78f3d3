import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import type { Change } from '../../core/change.ts';
import type { IcebergValue, Row } from '../../iceberg/spec/types.ts';
import { ChangeWireEncoder, decodeChanges, encodeChanges } from './change-wire.ts';

const roundTrip = (changes: readonly Change[]): Change[] => decodeChanges(encodeChanges(changes));
const upsert = (after: Row, extra: Partial<Change> = {}): Change =>
  ({ table: 'public.t', op: 'upsert', key: { id: 1 }, after, before: null, unchanged: [], position: {}, ...extra });

/** Every value kind and its edges, one column each. */
const EDGES: Record<string, IcebergValue> = {
  null: null, true: true, false: false,
  zero: 0, negZero: -0, one: 1, minusOne: -1, int32Max: 2147483647, int32Min: -2147483648,
  aboveInt32: 2147483648, belowInt32: -2147483649, half: 0.5, nan: NaN, inf: Infinity, negInf: -Infinity,
  maxDouble: Number.MAX_VALUE, minDouble: Number.MIN_VALUE, date: 19_000,
  big0: 0n, bigNeg1: -1n, bigSafeMax: 2n ** 53n - 1n, big53Plus1: 2n ** 53n + 1n, big53Minus1Neg: -(2n ** 53n) - 1n,
  int64Max: 2n ** 63n - 1n, int64Min: -(2n ** 63n), above64: 2n ** 63n, below64: -(2n ** 63n) - 1n,
  dec200Neg: -(2n ** 200n) + 12345n, dec200Pos: 2n ** 200n - 1n, dec256: 2n ** 256n,
  empty: '', ascii: 'hello, world', latin1: 'café', cjk: '日本語', emoji: 'a😀b', lone: 'x\uD800y', loneLow: '\uDC00',
  reversed: '\uDE00\uD83D', loneAtEnd: 'abc\uD83D', control: '\u0000\u007f',
  longAscii: 'x'.repeat(300), longUtf8: 'é'.repeat(100) + '😀'.repeat(30), longLone: `${'y'.repeat(20000)}\uD800`,
  uuid: '0b7c8f2e-3a1d-4c5e-9f60-7a8b9c0d1e2f',
  bytes: Uint8Array.of(0, 1, 255), emptyBytes: new Uint8Array(0),
  list: [1, 'two', 3n, null], emptyList: [], nestedList: [[], [[1]], [{ a: [2] }]],
  map: new Map<IcebergValue, IcebergValue>([['k', 1], [2, 'v'], [3n, null], [null, true]]), emptyMap: new Map(),
  structKeyMap: new Map<IcebergValue, IcebergValue>([[{ x: 1 }, [Uint8Array.of(7)]]]),
  struct: { a: 1, b: { c: 'd', e: [] } }, emptyStruct: {}, nestedMaps: new Map([['m', new Map([['n', {}]])]]),
};

describe('change-wire values', () => {
  it('round-trips every value kind and edge exactly', () => {
    const [got] = roundTrip([upsert(EDGES)]);
    assert.deepStrictEqual(got, upsert(EDGES));
    const after = got!.after!;
    assert.ok(Object.is(after.negZero, -0) && Number.isNaN(after.nan));
    assert.equal(typeof after.aboveInt32, 'number');
    assert.equal(typeof after.big0, 'bigint');
    assert.equal(after.lone, 'x\uD800y');
  });

  it('round-trips each edge value alone, also as a map key and a list element', () => {
    for (const [name, v] of Object.entries(EDGES)) {
      const row = { v, list: [v], map: new Map([[v, v]]) };
      assert.deepStrictEqual(roundTrip([upsert(row)])[0]!.after, row, name);
    }
  });

  it('keeps column names that are special to objects', () => {
    const row = JSON.parse('{"__proto__": 1, "constructor": "c", "toString": null, "": 2, "é 😀": 3}') as Row;
    const got = roundTrip([upsert(row)])[0]!.after!;
    assert.deepStrictEqual(got, row);
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
    assert.deepStrictEqual(Object.keys(got), Object.keys(row));
  });

  it('copies byte values out of the wire buffer, so reusing the buffer changes nothing', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const wire = encodeChanges([upsert({ b: bytes })]);
    const got = decodeChanges(wire)[0]!.after!.b as Uint8Array;
    wire.fill(0xee);
    assert.deepStrictEqual(got, bytes);
    assert.notEqual(got.buffer, wire.buffer);
    assert.equal(Object.getPrototypeOf(wire), Uint8Array.prototype);
  });

  it('decodes a Buffer value as a plain Uint8Array of the same bytes', () => {
    const got = roundTrip([upsert({ b: Buffer.from([1, 2]) })])[0]!.after!.b;
    assert.deepStrictEqual(got, Uint8Array.of(1, 2));
  });

  it('refuses values outside the Iceberg value contract', () => {
    assert.throws(() => encodeChanges([upsert({ u: undefined as unknown as IcebergValue })]), /change-wire: a undefined is not an Iceberg value/);
    assert.throws(() => encodeChanges([upsert({ f: (() => 1) as unknown as IcebergValue })]), /a function is not an Iceberg value/);
    assert.throws(() => encodeChanges([upsert({ d: new Date(0) as unknown as IcebergValue })]), /a Date is not an Iceberg value/);
    assert.throws(() => encodeChanges([upsert({ i: [Int8Array.of(1)] as unknown as IcebergValue })]), /a Int8Array is not an Iceberg value/);
  });
});

const FULL: Change = {
  table: 'inventory.orders', op: 'upsert', key: { id: 7 }, after: { id: 7, note: 'n' }, before: { id: 6, note: null },
  unchanged: ['blob', 'doc'],
  position: { lsn: 1n, commitLsn: 2n, lastCommitLsn: 3n, txId: 4n, scn: 5n, commitScn: 6n, sequence: 7n },
  commitTimeMs: 1_700_000_000_123, snapshot: true, origin: { topic: 'dbz.inventory.orders', partition: 3, offset: 2n ** 40n },
};
const MINIMAL: Change = { table: 't', op: 'truncate', key: null, after: null, before: null, unchanged: [], position: {} };

describe('change-wire changes', () => {
  it('round-trips a change with every field present and one with every optional field absent', () => {
    const got = roundTrip([FULL, MINIMAL, MINIMAL]);
    assert.deepStrictEqual(got, [FULL, MINIMAL, MINIMAL]);
    assert.ok(Object.isFrozen(got[1]!.unchanged) && got[1]!.unchanged === got[2]!.unchanged, 'one shared empty unchanged');
  });

  it('round-trips the usual shapes of Debezium and pgoutput changes (decoded as literals)', () => {
    const debezium: Change = {
      table: 'bench.events', op: 'upsert', key: { id: 915 }, after: { id: 915, name: 'name 915 ryy87ifn' }, before: null, unchanged: [],
      position: { lsn: 50000120n, lastCommitLsn: 50000000n, txId: 1001n }, commitTimeMs: 1795672095183, snapshot: false,
      origin: { topic: 't', partition: 0, offset: 0n },
    };
    const pgoutput: Change = {
      table: 'public.t', op: 'delete', key: { id: 1 }, after: null, before: { id: 1, v: 'x' }, unchanged: [],
      position: { lsn: 100n, commitLsn: 200n, txId: 7n, sequence: 3n }, commitTimeMs: 1_700_000_000_000,
    };
    assert.deepStrictEqual(roundTrip([debezium, pgoutput, debezium]), [debezium, pgoutput, debezium]);
  });

  it('leaves each absent optional field absent, not undefined', () => {
    for (const field of ['commitTimeMs', 'snapshot', 'origin'] as const) {
      const { [field]: _, ...without } = FULL;
      const [got] = roundTrip([without as Change]);
      assert.deepStrictEqual(got, without, field);
      assert.ok(!(field in got!), field);
    }
    for (const field of Object.keys(FULL.position) as (keyof Change['position'])[]) {
      const position = { [field]: FULL.position[field] };
      assert.deepStrictEqual(roundTrip([{ ...MINIMAL, position }])[0]!.position, position, field);
    }
  });

  it('drops optional fields whose value is undefined', () => {
    const got = roundTrip([{ ...MINIMAL, commitTimeMs: undefined, position: { lsn: undefined } }])[0]!;
    assert.deepStrictEqual(got, MINIMAL);
  });

  it('round-trips each op, snapshot false, and null key, after and before', () => {
    const changes: Change[] = [
      { ...FULL, op: 'delete', key: { id: 1 }, after: null, before: null, snapshot: false },
      { ...FULL, op: 'upsert', key: null, after: { a: 1 }, before: null },
      { ...FULL, op: 'truncate', key: null, after: null, before: null, unchanged: [] },
    ];
    assert.deepStrictEqual(roundTrip(changes), changes);
  });

  it('round-trips many changes of many tables in one buffer and writes each name once', () => {
    const changes: Change[] = [];
    for (let i = 0; i < 2000; i++) {
      const table = `public.table_${i % 7}`;
      changes.push({
        table, op: i % 3 === 0 ? 'delete' : 'upsert', key: { id: i }, after: i % 3 === 0 ? null : { id: i, [`col_${i % 5}`]: `v${i}`, price: BigInt(i) * 10n ** 20n },
        before: null, unchanged: i % 11 === 0 ? ['col_9'] : [], position: { lsn: BigInt(i) * 1000n, txId: BigInt(i >> 4) },
        commitTimeMs: 1_700_000_000_000 + i, origin: { topic: `dbz.${table}`, partition: i % 4, offset: BigInt(i) },
      });
    }
    const wire = encodeChanges(changes);
    assert.deepStrictEqual(decodeChanges(wire), changes);
    const text = Buffer.from(wire).toString('latin1');
    assert.equal(text.split('public.table_3').length - 1, 2, 'once as a table name, once inside its topic name');
    assert.equal(text.split('col_4').length - 1, 1);
    assert.equal(text.split('price').length - 1, 1);
  });

  it('decodes bytes that sit at an odd offset inside a larger buffer', () => {
    const wire = encodeChanges([FULL, MINIMAL]);
    const outer = new Uint8Array(wire.length + 10).fill(0xab);
    outer.set(wire, 3);
    assert.deepStrictEqual(decodeChanges(outer.subarray(3, 3 + wire.length)), [FULL, MINIMAL]);
  });

  it('round-trips an empty list of changes', () => {
    assert.deepStrictEqual(roundTrip([]), []);
  });

  it('encodes changes as they come into one message that decodes like encodeChanges of them all', () => {
    const changes: Change[] = [];
    for (let i = 0; i < 700; i++) changes.push(i % 2 === 0 ? { ...FULL, key: { id: i } } : { ...MINIMAL, table: `t${i % 3}` });
    for (const cuts of [[], [0], [1, 1, 300], [200, 699, 700]]) {
      const encoder = new ChangeWireEncoder();
      let from = 0;
      for (const to of [...cuts, changes.length]) {
        encoder.add(changes.slice(from, to));
        from = to;
      }
      assert.equal(encoder.count, changes.length);
      const wire = encoder.finish();
      assert.deepStrictEqual(decodeChanges(wire), changes);
      assert.equal(wire.length, encodeChanges(changes).length + 3, 'the count takes five bytes, not two');
    }
    const none = new ChangeWireEncoder();
    assert.deepStrictEqual(decodeChanges(none.finish()), []);
  });

  it('refuses a change without a required field or with an unknown op', () => {
    const { unchanged: _, ...noUnchanged } = MINIMAL;
    assert.throws(() => encodeChanges([noUnchanged as Change]), /change-wire: a change of t lacks one of/);
    assert.throws(() => encodeChanges([{ ...MINIMAL, op: 'merge' as Change['op'] }]), /change-wire: unknown op "merge" in a change of t/);
  });

  it('hands its buffer over with postMessage as a transfer', async () => {
    const wire = encodeChanges([FULL]);
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<Uint8Array>((resolve) => port2.once('message', resolve));
    port1.postMessage(wire, [wire.buffer]);
    const got = await received;
    port1.close();
    assert.equal(wire.byteLength, 0, 'the sender no longer owns the bytes');
    assert.deepStrictEqual(decodeChanges(got), [FULL]);
  });
});

/** The checksum the format ends with, computed independently: lets tests corrupt the structure itself. */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  const end = out.length - 4;
  const lanes = [0x811c9dc5, 0x050c5d1f];
  const step = (lane: number, w: number): void => {
    const h = Math.imul(lanes[lane]! ^ w, 0x01000193);
    lanes[lane] = (h << 13) | (h >>> 19);
  };
  const pairs = end - (end % 8);
  for (let i = 0; i < pairs; i += 4) step((i / 4) % 2, view.getInt32(i, true));
  for (let i = pairs; i < end; i++) step(0, out[i]!);
  view.setInt32(end, lanes[0]! ^ Math.imul(lanes[1]!, 0x9e3779b1), true);
  return out;
}

describe('change-wire bad bytes', () => {
  const { longLone: _, ...shortEdges } = EDGES;
  const wire = encodeChanges([FULL, upsert(shortEdges), MINIMAL]);

  it('refuses every truncation with an Error naming the format', () => {
    for (let length = 0; length < wire.length; length++) {
      assert.throws(() => decodeChanges(wire.subarray(0, length)), /^Error: change-wire: cannot decode/, `length ${length}`);
    }
  });

  it('refuses every single corrupt byte (checksum) and trailing bytes', () => {
    for (let i = 0; i < wire.length; i++) {
      const bad = Uint8Array.from(wire);
      bad[i] = wire[i]! ^ 0x5a;
      assert.throws(() => decodeChanges(bad), /change-wire: cannot decode/, `byte ${i}`);
    }
    const longer = new Uint8Array(wire.length + 1);
    longer.set(wire.subarray(0, -4));
    assert.throws(() => decodeChanges(reseal(longer)), /bytes after the last of 3 changes/);
  });

  it('names the problem: bad magic, version, checksum, tag, count, name reference', () => {
    assert.throws(() => decodeChanges(new TextEncoder().encode('{"not":"wire"}')), /bad magic/);
    const future = Uint8Array.from(wire);
    future[4] = 9;
    assert.throws(() => decodeChanges(future), /version 9 is not 1/);
    const flipped = Uint8Array.from(wire);
    flipped[20] = wire[20]! ^ 1;
    assert.throws(() => decodeChanges(flipped), /checksum .* bytes truncated or corrupt/);
    const one = encodeChanges([upsert({ a: 1 })]);
    const tagAt = Buffer.from(one).indexOf(Buffer.of(3, 1, 0, 0, 0)); // int32 tag + 1
    const badTag = Uint8Array.from(one);
    badTag[tagAt] = 200;
    assert.throws(() => decodeChanges(reseal(badTag)), /value tag 200 unknown/);
    const hugeCount = Uint8Array.from(one);
    hugeCount[5] = 0x7f; // change count 127 in a buffer holding one
    assert.throws(() => decodeChanges(reseal(hugeCount)), /count 127 exceeds the \d+ bytes left|truncated/);
    const forward = Uint8Array.from(one);
    forward[9] = 5; // the table name's reference: index 4 before any name is defined
    assert.throws(() => decodeChanges(reseal(forward)), /name 4 referenced before the 0 defined/);
  });

  it('ends on random structural corruption with its own Error, never a hang or another error type', () => {
    let seed = 42;
    const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let round = 0; round < 2000; round++) {
      const bad = Uint8Array.from(wire);
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) bad[5 + Math.floor(random() * (wire.length - 9))] = Math.floor(random() * 256);
      try {
        decodeChanges(reseal(bad));
      } catch (err) {
        assert.ok(err instanceof Error && err.message.startsWith('change-wire: cannot decode'), String(err));
      }
    }
  });
});
