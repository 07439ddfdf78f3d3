/**
 * Shared setup of the pg-logical*.test.ts integration tests: a fresh schema and slot on the
 * test PostgreSQL (FLOE_PG_URL, wal_level=logical), a config naming them, and reading rows the
 * way `floe load` does (binary COPY through the load's decoders) to compare values exactly.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { buildConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/types.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Row } from '../../src/iceberg/spec/types.ts';
import { prepareTable } from '../../src/pipeline/load/table-setup.ts';
import { BinaryCopyDecoder } from '../../src/sources/postgres/binary-copy-decoder.ts';
import { introspectTable } from '../../src/sources/postgres/introspector.ts';
import { qualifiedName } from '../../src/sources/postgres/sql.ts';
import { columnDecoders } from '../../src/sources/postgres/type-mapping.ts';
import { pgLogicalSettings } from '../../src/cdc/postgres/pg-logical-settings.ts';
import { PgLogicalChangeSource } from '../../src/cdc/postgres/pg-logical-change-source.ts';
import { requireEnv } from '../support/services.ts';

/** A private schema + slot name for one test file. */
export interface PgFixture {
  readonly url: string;
  readonly db: pg.Client;
  readonly schema: string;
  readonly slot: string;
  config(tables: readonly string[], sync?: Record<string, unknown>, extra?: Record<string, unknown>): Promise<Config>;
  /** Drops the slot, publication and schema. */
  cleanup(): Promise<void>;
}

/** Connects to FLOE_PG_URL (throws naming it when unset) and creates schema `<prefix>_<random>`. */
export async function pgFixture(prefix: string): Promise<PgFixture> {
  const url = requireEnv('FLOE_PG_URL');
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const suffix = randomBytes(4).toString('hex');
  const schema = `${prefix}_${suffix}`;
  const slot = `floe_t_${suffix}`;
  await db.query(`CREATE SCHEMA "${schema}"`);
  return {
    url, db, schema, slot,
    config: (tables, sync = {}, extra = {}) =>
      buildConfig({
        dataDir: `/tmp/floe-pglogical-${suffix}`,
        catalog: { type: 'memory' },
        sources: { pg: { type: 'postgres', url } },
        tables: tables.map((t) => ({ source: `${schema}.${t}` })),
        sync: { source: { type: 'postgres', slot, heartbeatMs: 500, statusIntervalMs: 300, ...sync } },
        ...extra,
      }),
    async cleanup() {
      await db.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot]).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
      await db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]).catch(() => undefined);
      await db.query(`DROP PUBLICATION IF EXISTS "${slot}"`).catch(() => undefined);
      await db.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
      await db.end();
    },
  };
}

/** The table's rows as `floe load` decodes them (binary COPY, the load's mapping), by column name. */
export async function loadRows(db: pg.Client, config: Config, schema: string, table: string): Promise<Row[]> {
  const t = config.tables.find((x) => x.source.table === table)!;
  const pgTable = await introspectTable(db, schema, table);
  const prepared = prepareTable('pg', pgTable, t, config.load);
  const decoder = new BinaryCopyDecoder(columnDecoders(prepared.pg, prepared.columns, config.load), `${schema}.${table}`);
  const sql = `COPY (SELECT ${prepared.columns.map((c) => c.selectExpr).join(', ')} FROM ${qualifiedName(schema, table)}) TO STDOUT (FORMAT binary)`;
  for await (const chunk of db.query(copyTo(sql)) as AsyncIterable<Buffer>) decoder.push(chunk);
  decoder.end();
  if (decoder.bufferedRows === 0) return [];
  const batch = decoder.takeBatch();
  const names = prepared.columns.map((c) => c.column.name);
  return Array.from({ length: batch.numRows }, (_, r) => Object.fromEntries(names.map((n, i) => [n, batch.columns[i]![r]!])));
}

/** A started source for `config` with each table positioned at `watermark` (a load summary). */
export async function startSource(config: Config, watermark: Record<string, string>): Promise<PgLogicalChangeSource> {
  const settings = pgLogicalSettings(config);
  const source = new PgLogicalChangeSource({ settings, load: config.load, log: silentLogger() });
  await source.start(
    settings.tables.map((t) => ({
      target: [...t.target.namespace, t.target.name].join('.'),
      source: `${t.source.schema}.${t.source.table}`,
      lastCommitted: undefined,
      loadWatermark: watermark,
    })),
  );
  return source;
}

/** The slot's confirmed_flush_lsn as bigint (0 when none). */
export async function confirmedFlush(db: pg.Client, slot: string): Promise<bigint> {
  const r = (await db.query<{ l: string | null }>("SELECT pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::int8::text AS l FROM pg_replication_slots WHERE slot_name = $1", [slot])).rows[0];
  return r?.l ? BigInt(r.l) : 0n;
}
