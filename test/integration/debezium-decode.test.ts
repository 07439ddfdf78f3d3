/**
 * The real chain, decoded: PostgreSQL → Debezium PostgreSQL connector (pgoutput) → Kafka, with
 * the JSON converter with and without schemas. Changes on a fresh table (edge values, TOAST
 * left unchanged, deletes, a key update, a transaction) are captured, decoded, folded into a
 * final state and compared exactly with what `floe load`'s binary COPY path reads from
 * PostgreSQL. Needs FLOE_PG_URL, FLOE_KAFKA_BROKERS, FLOE_CONNECT_URL (scripts/env.sh).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { createDebeziumDecoder } from '../../src/cdc/debezium/decode-record.ts';
import { hintsForPgTable } from '../../src/cdc/debezium/source-hints.ts';
import type { Row, Schema } from '../../src/iceberg/spec/types.ts';
import { decodeCopyStream } from '../../src/sources/postgres/binary-copy-decoder.ts';
import { introspectTable } from '../../src/sources/postgres/introspector.ts';
import type { PgTable } from '../../src/sources/postgres/pg-table.ts';
import { copyBinarySql } from '../../src/sources/postgres/sql.ts';
import { columnDecoders, mapTable, type MappingOptions } from '../../src/sources/postgres/type-mapping.ts';
import { canonicalRows, stableJson, canonicalValue } from '../support/canonical.ts';
import { captureTopics, chainEnv, databaseSettings, startConnector, stopConnector, type ChainEnv, type RawRecord } from '../support/debezium-capture.ts';

const MAPPING: MappingOptions = { unconstrainedNumeric: { type: 'decimal', precision: 38, scale: 10 }, unknownTypes: 'error', infinity: 'clamp', numericSpecialValues: 'error' };
const MODES = { 'decimal.handling.mode': 'precise', 'time.precision.mode': 'adaptive_time_microseconds', 'interval.handling.mode': 'string' } as const;

let env: ChainEnv | undefined;
let envError = '';
try {
  env = chainEnv();
} catch (e) {
  envError = (e as Error).message;
}

if (!env) {
  it('Debezium decoding needs the real chain', () => assert.fail(`${envError}: Debezium decoding against the real connector was not tested`));
} else {
  const chain = env;
  const run = `${process.pid}_${Date.now().toString(36)}`;
  const S = `dbz_it_${run}`;
  const db = new pg.Client({ connectionString: chain.pgUrl });
  const connectors = [`floeit_schema_${run}`, `floeit_plain_${run}`];

  const SQL = [
    `CREATE TABLE ${S}.t (id int PRIMARY KEY, big bigint, n numeric(20,6), nu numeric, r real, d double precision, s text, doc text,
       b bytea, ts timestamp, ts3 timestamp(3), tstz timestamptz, dt date, tm time, u uuid, jb jsonb, ia int[], iv interval)`,
    `ALTER TABLE ${S}.t ALTER COLUMN doc SET STORAGE EXTERNAL`,
  ];
  // Deterministic spread of values: negative, pre-1970, µs digits, 18 significant digits.
  const CHANGES = [
    `INSERT INTO ${S}.t SELECT g, (g * 7919)::bigint * 1000000007 * (CASE WHEN g % 2 = 0 THEN -1 ELSE 1 END),
       (g * 123456.789012)::numeric(20,6) * (CASE WHEN g % 3 = 0 THEN -1 ELSE 1 END), g::numeric / 8, g / 3.0, g / 7.0, 'row ' || g,
       CASE WHEN g % 10 = 0 THEN (SELECT string_agg(md5((g * 1000 + k)::text), '') FROM generate_series(1, 300) k) END,
       decode(md5(g::text), 'hex'), timestamp '1969-12-31 23:59:59.999999' + g * interval '1 day 1.000001 second',
       timestamp '2001-02-03 04:05:06.789' - g * interval '37 days', timestamptz '1950-06-01 12:00:00.123456+03' + g * interval '11 days 1 microsecond',
       date '1900-01-01' + g * 97, time '00:00:00.000001' + g * interval '17 minutes 0.5 seconds', md5(g::text)::uuid,
       jsonb_build_object('g', g, 'a', jsonb_build_array(g, NULL)), ARRAY[g, NULL, -g], make_interval(0, g, 0, -g, 0, 0, g / 1000.0)
     FROM generate_series(1, 120) g`,
    `INSERT INTO ${S}.t (id, ts, tstz, dt, r, d) VALUES (1000, 'infinity', '-infinity', 'infinity', 'NaN', '-0')`,
    `UPDATE ${S}.t SET s = s || ' updated', big = -big WHERE id % 5 = 0`, // doc (TOAST) unchanged
    `DELETE FROM ${S}.t WHERE id % 11 = 0`,
    `BEGIN; UPDATE ${S}.t SET id = 5000 WHERE id = 20; DELETE FROM ${S}.t WHERE id = 21; INSERT INTO ${S}.t (id, s) VALUES (21, 'reborn'); COMMIT`,
    `INSERT INTO ${S}.t (id, s) VALUES (999999, 'sentinel')`,
  ];

  const config = (name: string, schemas: boolean): Record<string, string> => ({
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'plugin.name': 'pgoutput',
    ...databaseSettings(chain.pgUrl),
    'topic.prefix': name,
    'slot.name': name,
    'slot.drop.on.stop': 'true',
    'publication.name': name,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': `${S}\\.t`,
    'snapshot.mode': 'no_data',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': String(schemas),
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': String(schemas),
    ...MODES,
  });

  async function loadRows(table: PgTable): Promise<Row[]> {
    const { columns, schema } = mapTable(table, MAPPING);
    const stream = db.query(copyTo(copyBinarySql(table.schema, table.name, columns.map((c) => c.selectExpr))));
    const rows: Row[] = [];
    for await (const batch of decodeCopyStream(stream, columnDecoders(table, columns, MAPPING), S)) {
      for (let i = 0; i < batch.numRows; i++) rows.push(Object.fromEntries(schema.fields.map((f, c) => [f.name, batch.columns[c]![i]!])));
    }
    return rows;
  }

  /** Applies decoded changes in order, carrying unchanged columns forward. */
  function fold(schema: Schema, records: readonly RawRecord[], decode: ReturnType<typeof createDebeziumDecoder>): Row[] {
    const keyOf = (k: Row): string => stableJson(canonicalValue({ type: 'struct', fields: [schema.fields[0]!] }, k));
    const state = new Map<string, Row>();
    for (const r of records) {
      const res = decode({ topic: r.topic, partition: r.partition, offset: BigInt(r.offset), key: r.key, value: r.value, ...(r.headers ? { headers: r.headers } : {}) });
      if (res.kind === 'ignored') continue;
      const c = res.change;
      const old = state.get(keyOf(c.key!));
      state.delete(keyOf(c.key!));
      if (c.op === 'delete') continue;
      const row: Record<string, Row[string]> = { ...c.after };
      for (const col of c.unchanged) {
        assert.ok(old, `unchanged ${col} for a row never seen (offset ${r.offset})`);
        row[col] = old[col]!;
      }
      state.set(keyOf({ id: c.after!.id! }), row);
    }
    return [...state.values()];
  }

  describe('Debezium records from the real connector decode to PostgreSQL’s exact values', () => {
    let table: PgTable;
    let records: RawRecord[] = [];

    before(async () => {
      await db.connect();
      await db.query(`CREATE SCHEMA ${S}`);
      for (const s of SQL) await db.query(s);
      await startConnector(chain.connectUrl, connectors[0]!, config(connectors[0]!, true));
      await startConnector(chain.connectUrl, connectors[1]!, config(connectors[1]!, false));
      for (const s of CHANGES) await db.query(s);
      const topics = connectors.map((c) => `${c}.${S}.t`);
      const done = (rs: readonly RawRecord[]): boolean => topics.every((t) => rs.some((r) => r.topic === t && r.value?.includes('"sentinel"')));
      records = await captureTopics(chain.brokers, topics, done, { idleMs: 1000, timeoutMs: 120_000 });
      table = await introspectTable(db, S, 't');
    });

    after(async () => {
      for (const c of connectors) await stopConnector(chain.connectUrl, c).catch(() => undefined);
      // slot.drop.on.stop drops the slots; the publications stay unless dropped here.
      for (const c of connectors) await db.query(`DROP PUBLICATION IF EXISTS ${c}`).catch(() => undefined);
      await db.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`).catch(() => undefined);
      await db.end();
    });

    for (const [i, label] of [[0, 'with schemas'], [1, 'without schemas (column hints)']] as const) {
      it(`JSON converter ${label}`, async () => {
        const { schema } = mapTable(table, MAPPING);
        const hints = hintsForPgTable(table, { decimalHandlingMode: 'precise', timePrecisionMode: 'adaptive_time_microseconds', intervalHandlingMode: 'string' });
        const decode = createDebeziumDecoder({ table: `${S}.t`, schema, keyColumns: table.primaryKey, hints });
        const mine = records.filter((r) => r.topic === `${connectors[i]}.${S}.t`);
        assert.ok(mine.length > 150, `only ${mine.length} records`);
        const decoded = canonicalRows(schema, fold(schema, mine, decode));
        const expected = canonicalRows(schema, await loadRows(table));
        assert.equal(decoded.length, expected.length);
        assert.deepEqual(decoded, expected);
      });
    }
  });
}
