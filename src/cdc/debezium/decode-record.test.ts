/**
 * Decoder rules the recorded PostgreSQL fixtures cannot show: updates that change the key
 * (REPLICA IDENTITY FULL / other connectors), keyless tables, Oracle positions, nanosecond
 * types, double decimals, custom placeholders, and bad events with their messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadEventError } from '../../core/errors.ts';
import type { Schema } from '../../iceberg/spec/types.ts';
import { createDebeziumDecoder } from './decode-record.ts';
import type { DecodeResult, KafkaRecord } from './types.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'int' } },
    { id: 2, name: 'name', required: false, type: { type: 'string' } },
    { id: 3, name: 'amount', required: false, type: { type: 'decimal', precision: 10, scale: 2 } },
    { id: 4, name: 'at', required: false, type: { type: 'timestamptz' } },
    { id: 5, name: 'tm', required: false, type: { type: 'time' } },
  ],
};
const target = { table: 'public.t', schema, keyColumns: ['id'] };
const rec = (value: unknown, key: unknown = null, offset = 7n): KafkaRecord => ({
  topic: 'db.public.t',
  partition: 3,
  offset,
  key: key === null ? null : JSON.stringify(key),
  value: value === null ? null : typeof value === 'string' ? value : JSON.stringify(value),
});
const change = (r: DecodeResult) => {
  assert.equal(r.kind, 'change');
  return (r as Extract<DecodeResult, { kind: 'change' }>).change;
};

describe('Debezium decoder rules', () => {
  it("an 'u' whose key changed is an upsert under the OLD key (REPLICA IDENTITY FULL)", () => {
    const decode = createDebeziumDecoder({ ...target, replicaIdentity: 'full' });
    const c = change(decode(rec({ op: 'u', before: { id: 1, name: 'a' }, after: { id: 2, name: 'b' }, source: { lsn: 10, txId: 5 } }, { id: 2 })));
    assert.deepEqual(c.key, { id: 1 });
    assert.deepEqual(c.after, { id: 2, name: 'b', amount: null, at: null, tm: null });
    assert.deepEqual(c.before, { id: 1, name: 'a', amount: null, at: null, tm: null });
    assert.deepEqual(c.position, { lsn: 10n, txId: 5n });
  });

  it('REPLICA IDENTITY DEFAULT: before gives only the key, Change.before stays null', () => {
    const decode = createDebeziumDecoder(target);
    const c = change(decode(rec({ op: 'd', before: { id: 4, name: null }, after: null })));
    assert.deepEqual([c.op, c.key, c.before], ['delete', { id: 4 }, null]);
  });

  it('the key comes from the image; the record key is read (and validated) only when the image lacks a key column', () => {
    const decode = createDebeziumDecoder(target);
    const badKey = (value: unknown): KafkaRecord => ({ ...rec(value), key: 'not json' });
    // Not parsed: after (c/u) and before (d) hold the key.
    assert.deepEqual(change(decode(badKey({ op: 'u', after: { id: 3, name: 'a' } }))).key, { id: 3 });
    assert.deepEqual(change(decode(badKey({ op: 'd', before: { id: 4, name: null } }))).key, { id: 4 });
    // Parsed: a delete without before, an image without the key column.
    assert.deepEqual(change(decode(rec({ op: 'd', before: null }, { id: 5 }))).key, { id: 5 });
    assert.throws(() => decode(badKey({ op: 'd', before: null })), /public\.t key at db\.public\.t\/3@7 is not JSON/);
    const composite = createDebeziumDecoder({ ...target, keyColumns: ['id', 'name'] });
    assert.deepEqual(change(composite(rec({ op: 'c', after: { id: 6, name: null } }, { id: 6, name: 'k' }))).key, { id: 6, name: 'k' });
    assert.throws(() => composite(rec({ op: 'c', after: { id: 6, name: null } }, { id: 6 })), /key column "name" is missing/);
  });

  it('keyless tables: key null, whole before image; a delete without before is a bad event', () => {
    const decode = createDebeziumDecoder({ ...target, keyColumns: [] });
    const c = change(decode(rec({ op: 'd', before: { id: 4, name: 'x' }, after: null })));
    assert.deepEqual([c.key, c.before?.name], [null, 'x']);
    assert.throws(() => decode(rec({ op: 'd', before: null, after: null })), /keyless table needs a whole before image/);
  });

  it('Oracle positions and commit time; snapshot flag words', () => {
    const decode = createDebeziumDecoder(target);
    const c = change(decode(rec({ op: 'r', after: { id: 1 }, source: { scn: '123456789012345678901', commit_scn: '99', ts_ms: 1699999999000, commit_ts_ms: 1700000000000, snapshot: 'last' } }, { id: 1 })));
    assert.deepEqual(c.position, { scn: 123456789012345678901n, commitScn: 99n });
    assert.equal(c.commitTimeMs, 1700000000000);
    assert.equal(c.snapshot, true);
  });

  it('nanosecond types, ISO offsets and double decimals with embedded schemas', () => {
    const decode = createDebeziumDecoder(target);
    const value = {
      schema: {
        type: 'struct',
        fields: [
          { field: 'op', type: 'string' },
          {
            field: 'after',
            type: 'struct',
            fields: [
              { field: 'id', type: 'int32' },
              { field: 'amount', type: 'float64' },
              { field: 'at', type: 'int64', name: 'io.debezium.time.NanoTimestamp' },
              { field: 'tm', type: 'int64', name: 'io.debezium.time.NanoTime' },
            ],
          },
        ],
      },
      payload: { op: 'c', after: { id: 1, amount: 12.5, at: 1_000_000_123_456_000, tm: 3_600_000_001_000 } },
    };
    const c = change(decode(rec(value, { id: 1 })));
    assert.deepEqual(c.after, { id: 1, name: null, amount: 1250n, at: 1_000_000_123_456n, tm: 3_600_000_001n });
    value.payload.after.at = 1_000_000_123_456_789;
    assert.throws(() => decode(rec(value, { id: 1 })), /sub-microsecond/);
  });

  it('a custom placeholder marks the column unchanged', () => {
    const decode = createDebeziumDecoder(target, { unavailableValue: '??' });
    const c = change(decode(rec({ op: 'u', after: { id: 1, name: '??' } }, { id: 1 })));
    assert.deepEqual(c.unchanged, ['name']);
    assert.ok(!('name' in c.after!));
  });

  it('columns the table leaves out on purpose are dropped; any other unknown column is still a schema change', () => {
    const decode = createDebeziumDecoder({ ...target, ignoredColumn: (c) => c === 'secret' });
    const c = change(decode(rec({ op: 'u', before: null, after: { id: 4, name: 'x', secret: 'hidden' } })));
    assert.deepEqual(c.after, { id: 4, name: 'x', amount: null, at: null, tm: null });
    assert.throws(() => decode(rec({ op: 'u', before: null, after: { id: 4, name: 'x', added: 1 } })), /column "added" is not in the target table/);
  });

  it('one decoder reads each column by the schema its record embeds (or none), as a fresh decoder would', () => {
    const field = (name: string, type: string, semantic?: string, parameters?: Record<string, string>) => ({ field: name, type, optional: true, ...(semantic === undefined ? {} : { name: semantic }), ...(parameters === undefined ? {} : { parameters }) });
    const withSchema = (at: string, amount: Record<string, unknown>, after: Record<string, unknown>) => ({
      schema: { type: 'struct', fields: [{ field: 'after', type: 'struct', optional: true, fields: [field('id', 'int32'), field('at', 'int64', at), amount, field('secret', 'string')] }] },
      payload: { op: 'c', after },
    });
    const decimal = field('amount', 'bytes', 'org.apache.kafka.connect.data.Decimal', { scale: '2' });
    const text = field('amount', 'string');
    const values = [
      withSchema('io.debezium.time.MicroTimestamp', decimal, { id: 1, at: 1_000_000, amount: 'BNI=', secret: 's' }),
      withSchema('org.apache.kafka.connect.data.Timestamp', text, { id: 1, at: 1_000_000, amount: '12.34', secret: 's' }),
      { op: 'c', after: { id: 1, at: 1_000_000, amount: 'BNI=', secret: 's' } },
      withSchema('io.debezium.time.MicroTimestamp', decimal, { id: 1, at: 1_000_000, amount: 'BNI=', nope: 1 }),
      withSchema('io.debezium.time.MicroTimestamp', decimal, { id: 1, at: 2_000_000, amount: 'BNI=', secret: 's' }),
    ];
    const ignoring = { ...target, ignoredColumn: (c: string) => c === 'secret' };
    const reused = createDebeziumDecoder(ignoring);
    const outcome = (decode: (r: ReturnType<typeof rec>) => DecodeResult, value: unknown): unknown => {
      try {
        return change(decode(rec(value, { id: 1 }))).after;
      } catch (e) {
        return (e as Error).message;
      }
    };
    for (const round of [1, 2]) {
      for (const value of values) assert.deepEqual(outcome(reused, value), outcome(createDebeziumDecoder(ignoring), value), `round ${round}: ${JSON.stringify(value).slice(-120)}`);
    }
    assert.deepEqual(outcome(reused, values[0]), { id: 1, name: null, amount: 1234n, at: 1_000_000n, tm: null });
    assert.deepEqual(outcome(reused, values[1]), { id: 1, name: null, amount: 1234n, at: 1_000_000_000n, tm: null });
    assert.match(String(outcome(reused, values[3])), /column "nope" is not in the target table/);
  });

  it('tombstones and logical messages are ignored, not errors', () => {
    const decode = createDebeziumDecoder(target);
    assert.deepEqual(decode(rec(null, { id: 1 })), { kind: 'ignored', reason: 'tombstone', origin: { topic: 'db.public.t', partition: 3, offset: 7n } });
    assert.equal(decode(rec({ op: 'm', message: { prefix: 'x', content: '' } })).kind, 'ignored');
  });

  it('bad events name table, column, topic/partition@offset and the value (truncated)', () => {
    const decode = createDebeziumDecoder(target);
    const bad = (value: unknown, pattern: RegExp): void => {
      assert.throws(() => decode(rec(value, { id: 1 }, 42n)), (e: unknown) => e instanceof BadEventError && pattern.test(e.message) && e.message.includes('db.public.t/3@42'));
    };
    bad({ op: 'c', after: { id: 2147483648 } }, /public\.t after .*column "id" value 2147483648: .*does not fit int/);
    bad({ op: 'c', after: { id: 1, amount: 'AQIDBAUGBwgJCgsM' } }, /column "amount" .*does not fit decimal\(10,2\)/);
    bad({ op: 'c', after: { id: 1, tm: 86_400_000_000 } }, /column "tm" .*outside 00:00/);
    bad({ op: 'c', after: { id: 1, nope: 1 } }, /column "nope" is not in the target table/);
    bad({ op: 'c', after: { id: null } }, /column "id" is required/);
    bad({ op: 'x', after: {} }, /unknown or missing op/);
    bad('{"op": "c", ', /is not JSON/);
    bad({ op: 'c', after: { id: 1, name: 5, at: 'x'.repeat(5000) } }, /column "at" value "x{100,}… \(5002 chars\)/);
  });

  it('int64 values beyond 2^53 stay exact (lossless JSON)', () => {
    const decode = createDebeziumDecoder({ ...target, schema: { ...schema, fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }] } });
    const c = change(decode(rec('{"op":"c","after":{"id":9223372036854775807}}', { id: 1 })));
    assert.equal(c.after!.id, 9223372036854775807n);
  });
});
