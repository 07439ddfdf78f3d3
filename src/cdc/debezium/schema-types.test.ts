/**
 * The byte path of record parsing (what Kafka hands floe): schema blocks matched by bytes
 * against the ones seen before, only the payload parsed, JSON.parse unless an integer may have
 * been rounded. Decoding from bytes must equal decoding from text, record by record.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Canonical } from '../../../test/support/canonical.ts';
import { decodeFixture, type RecordsFixture } from '../../../test/support/debezium-fixture-format.ts';
import { BadEventError } from '../../core/errors.ts';
import { readSource } from './position.ts';
import { parseBody } from './schema-types.ts';

const DIR = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'debezium');
const names = readdirSync(DIR).filter((f) => f.endsWith('.records.json')).map((f) => f.slice(0, -'.records.json'.length)).sort();
const what = (): string => 'test record';
const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('Debezium records as bytes', () => {
  for (const name of names) {
    it(`${name}: each record from bytes (twice: first seen, then known schema) decodes as expected`, () => {
      const f = JSON.parse(readFileSync(join(DIR, `${name}.records.json`), 'utf8')) as RecordsFixture;
      const expected = (JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8')) as { results: Canonical[] }).results;
      const asBytes = (s: string | null): string | null => (s === null ? null : (bytes(s) as unknown as string));
      const doubled = { ...f, records: f.records.flatMap((r) => [r, r]).map((r) => ({ ...r, key: asBytes(r.key), value: asBytes(r.value) })) };
      assert.deepEqual(decodeFixture(doubled), expected.flatMap((e) => [e, e]));
    });
  }

  it('a known schema block is matched by its bytes: same object back, a one-byte change is a new schema', () => {
    const a = parseBody(bytes('{"schema":{"type":"struct","name":"a.Key"},"payload":{"id":1}}'), what);
    const b = parseBody(bytes('{"schema":{"type":"struct","name":"a.Key"},"payload":{"id":2}}'), what);
    const c = parseBody(bytes('{"schema":{"type":"struct","name":"b.Key"},"payload":{"id":3}}'), what);
    assert.equal(a.schema, b.schema);
    assert.deepEqual(b.payload, { id: 2 });
    assert.notEqual(c.schema, a.schema);
    assert.equal(c.schema?.name, 'b.Key');
    assert.deepEqual(c.payload, { id: 3 });
  });

  it('a body without an embedded schema, or with other members, is parsed whole', () => {
    assert.deepEqual(parseBody(bytes('{"id":5}'), what), { schema: undefined, payload: { id: 5 } });
    assert.deepEqual(parseBody(bytes('{"schema":{"type":"int32"},"other":1}'), what).payload, { schema: { type: 'int32' }, other: 1 });
  });

  it('integers beyond 2^53 stay exact in rows; Debezium ts_us/ts_ns do not force the slow parse', () => {
    const env = '{"before":null,"after":{"id":9223372036854775807,"n":9007199254740993},"source":{"version":"x","ts_us":1795665240782228,"ts_ns":1795665240782228000},"op":"c","ts_ns":1795668680387000000}';
    const { payload } = parseBody(bytes(`{"schema":{"type":"struct"},"payload":${env}}`), what);
    const after = (payload as { after: Record<string, unknown> }).after;
    assert.equal(after['id'], 9223372036854775807n);
    assert.equal(after['n'], 9007199254740993n);
    const clocksOnly = parseBody(bytes('{"before":null,"after":{"id":1},"source":{"version":"x","ts_ns":1795665240782228000},"op":"c","ts_us":1795668680387000}'), what).payload as Record<string, Record<string, unknown>>;
    assert.equal(typeof clocksOnly['source']!['ts_ns'], 'number'); // rounded, unused by floe: JSON.parse path
    const keyPayload = parseBody(bytes('{"schema":{"type":"struct"},"payload":{"ts_us":9007199254740993}}'), what).payload as Record<string, unknown>;
    assert.equal(keyPayload['ts_us'], 9007199254740993n, 'outside an envelope every integer counts');
  });

  it('invalid UTF-8 or JSON in the payload is a bad event', () => {
    const bad = Buffer.concat([bytes('{"schema":{"type":"struct","name":"u"},"payload":{"s":"'), Buffer.from([0xff, 0xfe]), bytes('"}}')]);
    assert.throws(() => parseBody(bad, what), (e: unknown) => e instanceof BadEventError && /not valid UTF-8/.test(e.message));
    assert.throws(() => parseBody(bytes('{"schema":{"type":"struct","name":"u"},"payload":{"s":}}'), what), (e: unknown) => e instanceof BadEventError && /not JSON/.test(e.message));
  });

  it('source.sequence in the connector form, with nulls, and in other spacing', () => {
    assert.equal(readSource({ sequence: '["100","200"]' }).position.lastCommitLsn, 100n);
    assert.equal(readSource({ sequence: '[null,"200"]' }).position.lastCommitLsn, undefined);
    assert.equal(readSource({ sequence: '[ "7", "8" ]' }).position.lastCommitLsn, 7n);
    assert.throws(() => readSource({ sequence: '["1"]' }), BadEventError);
  });
});
