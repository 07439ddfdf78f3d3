/**
 * Shared by the load-*.test.ts integration tests: a temp workspace with a floe.yaml pointing at
 * the real PostgreSQL (FLOE_PG_URL) and a SQLite catalog pyiceberg can open, floe load run in
 * process or as the real CLI child, and the source's rows in canonical form (read by binary
 * COPY in one snapshot) for exact comparison with what pyiceberg reads back.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { stringify } from 'yaml';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { EventBus } from '../../src/core/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Row } from '../../src/iceberg/spec/types.ts';
import { currentSchema } from '../../src/iceberg/table/metadata-access.ts';
import { readAllRows } from '../../src/iceberg/table/scan.ts';
import { fileIOFor } from '../../src/io/registry.ts';
import { openCatalog } from '../../src/catalog/open-catalog.ts';
import { runLoad, type LoadRunOptions, type LoadRunResult } from '../../src/pipeline/load/run-load.ts';
import { decodeCopyStream } from '../../src/sources/postgres/binary-copy-decoder.ts';
import { introspectTable } from '../../src/sources/postgres/introspector.ts';
import { copyBinarySql } from '../../src/sources/postgres/sql.ts';
import { columnDecoders, mapTable } from '../../src/sources/postgres/type-mapping.ts';
import { canonicalRows, type Canonical } from '../support/canonical.ts';
import type { SqlCatalogSpec } from '../support/pyiceberg.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** FLOE_PG_URL and FLOE_PYTHON, or a message saying what is missing (tests then fail, never skip). */
export function loadTestEnv(): { pgUrl: string; missing: undefined } | { pgUrl: undefined; missing: string } {
  const pgUrl = process.env['FLOE_PG_URL'];
  const python = process.env['FLOE_PYTHON'];
  if (pgUrl === undefined || pgUrl === '') return { pgUrl: undefined, missing: 'FLOE_PG_URL is not set (bash scripts/services.sh start postgres && source scripts/env.sh)' };
  if (python === undefined || python === '') return { pgUrl: undefined, missing: 'FLOE_PYTHON is not set (source scripts/env.sh)' };
  return { pgUrl, missing: undefined };
}

/** `schema.table` as config text, each part quoted SQL-style so any name works. */
export function sourceName(schema: string, table: string): string {
  return `"${schema.replaceAll('"', '""')}"."${table.replaceAll('"', '""')}"`;
}

export interface Workspace {
  readonly dir: string;
  readonly configPath: string;
  readonly catalogSpec: SqlCatalogSpec; // for pyiceberg
  config(): Promise<Config>;
  close(): Promise<void>;
}

/** A temp dir with floe.yaml = `doc` plus a SQLite catalog and warehouse inside it. */
export async function workspace(doc: Record<string, unknown>): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-load-it-'));
  const configPath = join(dir, 'floe.yaml');
  const warehouse = `file://${join(dir, 'warehouse')}`;
  await writeFile(configPath, stringify({ dataDir: join(dir, 'data'), catalog: { type: 'sqlite', warehouse }, ...doc }));
  return {
    dir,
    configPath,
    catalogSpec: { name: 'floe', uri: `sqlite:///${join(dir, 'data', 'catalog.db')}`, warehouse },
    config: () => loadConfig({ path: configPath }),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs a load in this process (workers included); events go to `events` when given. */
export async function loadInProcess(ws: Workspace, options: Partial<LoadRunOptions> = {}, events = new EventBus()): Promise<LoadRunResult> {
  const config = await ws.config();
  const catalog = await openCatalog(config.catalog);
  try {
    return await runLoad(config, { catalog, events, logger: silentLogger() }, { runId: `it${Date.now()}`, tables: [], reload: false, ...options });
  } finally {
    await catalog.close();
  }
}

/** Opens the workspace's catalog for the duration of `fn`. */
export async function withCatalog<T>(ws: Workspace, fn: (catalog: Catalog) => Promise<T>): Promise<T> {
  const catalog = await openCatalog((await ws.config()).catalog);
  try {
    return await fn(catalog);
  } finally {
    await catalog.close();
  }
}

/** Rows of main as floe's own scan reads them, canonical and sorted. */
export async function floeRows(ws: Workspace, ns: string[], name: string): Promise<Canonical[]> {
  return withCatalog(ws, async (catalog) => {
    const table = await catalog.loadTable({ namespace: ns, name });
    const rows: Row[] = await readAllRows(fileIOFor(table.metadata.location), table.metadata);
    return canonicalRows(currentSchema(table.metadata), rows);
  });
}

/** The source table's rows now, canonical and sorted, through the same type mapping floe loads with. */
export async function sourceRows(db: pg.Client, schema: string, table: string, config: Config): Promise<Canonical[]> {
  const pgTable = await introspectTable(db, schema, table);
  const { schema: iceberg, columns } = mapTable(pgTable, config.load);
  const decoders = columnDecoders(pgTable, columns, config.load);
  const stream = db.query(copyTo(copyBinarySql(schema, table, columns.map((c) => c.selectExpr))));
  const rows: Row[] = [];
  for await (const batch of decodeCopyStream(stream, decoders, `${schema}.${table}`)) {
    for (let r = 0; r < batch.numRows; r++) rows.push(Object.fromEntries(iceberg.fields.map((f, c) => [f.name, batch.columns[c]![r]!])));
  }
  return canonicalRows(iceberg, rows);
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `node bin/floe.js -c <config> ...args`; `child` lets a test kill it. */
export function startCli(ws: Workspace, args: readonly string[]): { child: ReturnType<typeof spawn>; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [join(root, 'bin/floe.js'), '-c', ws.configPath, ...args], { cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Runs the CLI to the end. */
export function runCli(ws: Workspace, args: readonly string[]): Promise<CliRun> {
  return startCli(ws, args).done;
}
