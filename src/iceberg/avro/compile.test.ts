import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AvroSchema } from './avro-schema.ts';
import { compileAvroSchema } from './compile.ts';

const record = (field: string): AvroSchema => ({ type: 'record', name: 'r', fields: [{ name: field, type: 'long' }] });

test('compileAvroSchema: equal schemas share one compiled type, different ones do not', () => {
  const a = compileAvroSchema(record('x'));
  assert.equal(compileAvroSchema(record('x')), a, 'an equal schema (another object) is not compiled again');
  const b = compileAvroSchema(record('y'));
  assert.notEqual(b, a);
  assert.equal((b.fromBuffer(b.toBuffer({ y: 2n ** 62n })) as { y: bigint }).y, 2n ** 62n);
  assert.throws(() => a.toBuffer({ y: 1n }));
});
