/**
 * Records golden Debezium fixtures from the real chain: PostgreSQL → Debezium PostgreSQL
 * connector (pgoutput) → Kafka, JSON converter with and without embedded schemas.
 *
 *   bash scripts/services.sh start postgres kafka connect && source scripts/env.sh
 *   node --import tsx scripts/record-debezium-fixtures.ts [--expected]
 *
 * Writes test/fixtures/debezium/<case>.<variant>.records.json: the SQL that made the records,
 * the connector settings, the target Iceberg schema (from floe's own PostgreSQL introspection
 * and type mapping) and the raw records (key/value text exactly as in Kafka). `--expected`
 * also (re)writes each <case>.<variant>.expected.json from the current decoder: do that once,
 * then review every line against the SQL before committing (see docs/development.md).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { introspectTable } from '../src/sources/postgres/introspector.ts';
import { mapTable } from '../src/sources/postgres/type-mapping.ts';
import { schemaToJson } from '../src/iceberg/spec/schema-json.ts';
import {
  captureTopics, chainEnv, databaseSettings, deleteTopicsWithPrefix, listTopicsWithPrefix, startConnector, stopConnector,
  type RawRecord,
} from '../test/support/debezium-capture.ts';
import { CASES, SCHEMA, SETUP_SQL, VARIANTS } from './debezium-fixture-cases.ts';
import { expectedFixture, type RecordsFixture } from '../test/support/debezium-fixture-format.ts';
import { hintsForPgTable, type DebeziumConnectorModes } from '../src/cdc/debezium/source-hints.ts';
import type { PgTable } from '../src/sources/postgres/pg-table.ts';

const OUT = join(import.meta.dirname, '..', 'test', 'fixtures', 'debezium');
const PREFIX = 'floefx_';

function connectorConfig(variant: (typeof VARIANTS)[number], pgUrl: string, tables: readonly string[]): Record<string, string> {
  const name = `${PREFIX}${variant.name.replaceAll('-', '_')}`;
  const schemas = String(variant.schemas);
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'plugin.name': 'pgoutput',
    ...databaseSettings(pgUrl),
    'topic.prefix': name,
    'slot.name': name,
    'slot.drop.on.stop': 'true',
    'publication.name': name,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': tables.map((t) => `${SCHEMA}\\.${t}`).join(','),
    'snapshot.mode': 'initial',
    'skipped.operations': 'none', // default 't' drops truncates
    'message.prefix.include.list': 'floe',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': schemas,
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': schemas,
    ...variant.settings,
  };
}

async function main(): Promise<void> {
  const env = chainEnv();
  const writeExpected = process.argv.includes('--expected');
  const db = new pg.Client({ connectionString: env.pgUrl });
  await db.connect();
  const names = VARIANTS.map((v) => `${PREFIX}${v.name.replaceAll('-', '_')}`);
  // Connect keeps source offsets per connector name: a fresh name per run starts from a snapshot.
  const run = Date.now().toString(36);
  const connectors = names.map((n) => `${n}_${run}`);
  try {
    await deleteTopicsWithPrefix(env.brokers, PREFIX);
    await dropLeftovers(db);
    await db.query(SETUP_SQL);
    for (const c of CASES) if (c.before) await db.query(c.before);
    for (const [i, v] of VARIANTS.entries()) {
      const tables = CASES.filter((c) => c.variants.includes(v.name)).map((c) => c.table).concat('sentinel');
      await startConnector(env.connectUrl, connectors[i]!, connectorConfig(v, env.pgUrl, tables));
    }
    // The snapshot must be over before streaming changes, or they would be read as 'r'.
    await waitForSentinel(env.brokers, names, 1);
    for (const c of CASES) {
      for (const stmt of c.sql) await db.query(stmt);
    }
    await db.query(`INSERT INTO ${SCHEMA}.sentinel VALUES (2)`);
    const records = await waitForSentinel(env.brokers, names, 2);
    await writeFixtures(db, records, writeExpected);
  } finally {
    for (const n of connectors) await stopConnector(env.connectUrl, n).catch(() => undefined);
    await dropLeftovers(db).catch(() => undefined);
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await db.end();
  }
}

/** Drops this script's replication slots (they would pin WAL) and publications from earlier runs. */
async function dropLeftovers(db: pg.Client): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await db.query<{ slot_name: string; active: boolean }>(
      `SELECT slot_name, active FROM pg_replication_slots WHERE slot_name LIKE 'floefx\\_%'`,
    );
    for (const r of rows.filter((x) => !x.active)) await db.query('SELECT pg_drop_replication_slot($1)', [r.slot_name]);
    if (rows.every((r) => !r.active) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500)); // a stopping connector still holds its slot
  }
  const pubs = await db.query<{ pubname: string }>(`SELECT pubname FROM pg_publication WHERE pubname LIKE 'floefx\\_%'`);
  for (const p of pubs.rows) await db.query(`DROP PUBLICATION "${p.pubname}"`);
}

/** Waits until each connector has produced sentinel row `id`, then captures all their topics. */
async function waitForSentinel(brokers: readonly string[], prefixes: readonly string[], id: number): Promise<RawRecord[]> {
  const sentinels = prefixes.map((p) => `${p}.${SCHEMA}.sentinel`);
  const deadline = Date.now() + 120_000;
  while (sentinels.some((t) => !topicsSeen.has(t))) {
    if (Date.now() > deadline) throw new Error(`sentinel topics missing; have ${[...topicsSeen].join(', ')}`);
    await new Promise((r) => setTimeout(r, 500));
    for (const t of await listTopicsWithPrefix(brokers, PREFIX)) topicsSeen.add(t);
  }
  const seen = (rs: readonly RawRecord[]): boolean =>
    sentinels.every((t) => rs.some((r) => r.topic === t && r.value !== null && r.value.includes(`"id":${id}`)));
  await captureTopics(brokers, sentinels, seen, { idleMs: 500 });
  // Every topic written before the sentinel exists by now.
  const all = await listTopicsWithPrefix(brokers, PREFIX);
  return captureTopics(brokers, all, seen, { idleMs: 2000 });
}
const topicsSeen = new Set<string>();

async function writeFixtures(db: pg.Client, records: readonly RawRecord[], writeExpected: boolean): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (f.endsWith('.records.json') || (writeExpected && f.endsWith('.expected.json'))) rmSync(join(OUT, f));
  for (const c of CASES) {
    const table = await introspectTable(db, SCHEMA, c.table === 'message' ? 'sentinel' : c.table);
    for (const variant of c.variants) {
      const prefix = `${PREFIX}${variant.replaceAll('-', '_')}`;
      const topic = c.table === 'message' ? `${prefix}.message` : `${prefix}.${SCHEMA}.${c.table}`;
      const mine = records.filter((r) => r.topic === topic);
      if (mine.length === 0) throw new Error(`case ${c.name}: no records on ${topic}`);
      const v = VARIANTS.find((x) => x.name === variant)!;
      const fixture: RecordsFixture = {
        case: c.name,
        variant,
        description: c.description,
        sql: [...(c.before ? [c.before] : []), ...c.sql],
        connector: { schemasEnable: v.schemas, ...v.settings },
        table: `${SCHEMA}.${c.table === 'message' ? 'sentinel' : c.table}`,
        target: targetOf(table, v.settings),
        records: mine,
      };
      const base = join(OUT, `${c.name}.${variant}`);
      writeFileSync(`${base}.records.json`, `${JSON.stringify(fixture, null, 1)}\n`);
      if (writeExpected) writeFileSync(`${base}.expected.json`, `${JSON.stringify(expectedFixture(fixture), null, 1)}\n`);
      console.log(`${base}.records.json: ${mine.length} records`);
    }
  }
}

/** The Iceberg table floe would create for `table`, and the hints for schemaless records. */
function targetOf(table: PgTable, settings: Readonly<Record<string, string>>): RecordsFixture['target'] {
  const { schema } = mapTable(table, {
    unconstrainedNumeric: { type: 'decimal', precision: 38, scale: 10 },
    unknownTypes: 'string',
    infinity: 'clamp',
    numericSpecialValues: 'error',
  });
  const hints = hintsForPgTable(table, {
    decimalHandlingMode: settings['decimal.handling.mode'] as DebeziumConnectorModes['decimalHandlingMode'],
    timePrecisionMode: settings['time.precision.mode'] as DebeziumConnectorModes['timePrecisionMode'],
    intervalHandlingMode: settings['interval.handling.mode'] as DebeziumConnectorModes['intervalHandlingMode'],
  });
  return { schema: schemaToJson(schema), key: [...table.primaryKey], hints };
}

await main();
