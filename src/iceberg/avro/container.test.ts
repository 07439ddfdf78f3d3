import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptFileError } from '../../core/errors.ts';
import { intKeyMap, list, optionalField, record, requiredField, type AvroSchema } from './avro-schema.ts';
import { decodeAvroFile, encodeAvroFile } from './container.ts';
import { avroSchemaOf, decimalBytes, fromAvroValue, primitiveOfAvro, toAvroValue } from './primitive-codec.ts';
import type { PrimitiveType } from '../spec/types.ts';

const schema: AvroSchema = record('thing', [
  requiredField('id', 1, 'long'),
  optionalField('name', 2, 'string'),
  optionalField('sizes', 3, intKeyMap(4, 5, 'long')),
  requiredField('offsets', 6, list(7, 'long')),
]);

test('container round trip keeps field ids, metadata, exact 64-bit longs', () => {
  for (const codec of ['null', 'deflate'] as const) {
    const records = [
      { id: 2n ** 63n - 1n, name: 'a', sizes: [{ key: 1, value: 10n }], offsets: [4n] },
      { id: -(2n ** 63n), name: null, sizes: null, offsets: [] },
    ];
    const bytes = encodeAvroFile(schema, records, { 'format-version': '2' }, codec);
    const file = decodeAvroFile(bytes, 'mem://x.avro');
    assert.equal(file.metadata.get('format-version'), '2');
    assert.equal(file.metadata.get('avro.codec'), codec);
    assert.deepEqual(file.schema, schema);
    const got = file.records as { id: bigint; name: string | null; offsets: bigint[] }[];
    assert.equal(got[0]?.id, 2n ** 63n - 1n);
    assert.equal(got[1]?.id, -(2n ** 63n));
    assert.equal(got[1]?.name, null);
    assert.deepEqual(got[0]?.offsets, [4n]);
  }
});

test('many records span several blocks and stay in order', () => {
  const records = Array.from({ length: 30_000 }, (_, i) => ({ id: BigInt(i), name: `n${i}`.repeat(3), sizes: null, offsets: [] }));
  const file = decodeAvroFile(encodeAvroFile(schema, records, {}, 'deflate'), 'mem://big.avro');
  assert.equal(file.records.length, 30_000);
  assert.equal((file.records[29_999] as { id: bigint }).id, 29_999n);
});

test('corrupt files throw CorruptFileError naming the file', () => {
  const good = encodeAvroFile(schema, [{ id: 1n, name: null, sizes: null, offsets: [] }], {}, 'null');
  assert.throws(() => decodeAvroFile(new Uint8Array([1, 2, 3, 4, 5]), 'mem://bad.avro'), (e: Error) => e instanceof CorruptFileError && e.message.includes('mem://bad.avro'));
  const truncated = good.slice(0, good.length - 5);
  assert.throws(() => decodeAvroFile(truncated, 'mem://trunc.avro'), (e: Error) => e instanceof CorruptFileError && e.message.includes('mem://trunc.avro'));
  const badSync = Uint8Array.from(good);
  badSync[badSync.length - 1] = (badSync.at(-1) ?? 0) ^ 0xff;
  assert.throws(() => decodeAvroFile(badSync, 'mem://sync.avro'), /sync marker/);
});

test('decimal byte widths match the spec (precision 9 -> 4, 18 -> 8, 38 -> 16)', () => {
  assert.equal(decimalBytes(1), 1);
  assert.equal(decimalBytes(9), 4);
  assert.equal(decimalBytes(18), 8);
  assert.equal(decimalBytes(38), 16);
});

test('primitive values survive the Avro round trip', () => {
  const cases: [PrimitiveType, unknown][] = [
    [{ type: 'decimal', precision: 9, scale: 2 }, -12345n],
    [{ type: 'decimal', precision: 38, scale: 0 }, 10n ** 37n],
    [{ type: 'uuid' }, 'f79c3e09-677c-4bbd-a479-3f349cb785e7'],
    [{ type: 'fixed', length: 3 }, new Uint8Array([1, 2, 3])],
    [{ type: 'timestamptz' }, 1_700_000_000_000_000n],
    [{ type: 'date' }, -3],
    [{ type: 'double' }, Number.NaN],
  ];
  cases.forEach(([type, value], i) => {
    const avro = avroSchemaOf(type, `f${i}`);
    assert.deepEqual(primitiveOfAvro(avro, 'test'), type);
    const s = record('r', [optionalField('v', 1, avro)]);
    const file = decodeAvroFile(encodeAvroFile(s, [{ v: toAvroValue(type, value as never) }], {}), 'mem://p.avro');
    assert.deepEqual(fromAvroValue(type, (file.records[0] as { v: unknown }).v), value);
  });
});
