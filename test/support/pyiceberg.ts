/**
 * Runs pyiceberg (from the project's Python virtualenv, FLOE_PYTHON) as an independent reader
 * or writer of the tables floe's tests make. See pyiceberg_reader.py for the canonical form.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sortCanonical, type Canonical } from './canonical.ts';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./pyiceberg_reader.py', import.meta.url));

/** Where pyiceberg finds the SQL catalog: the same database and warehouse floe uses. */
export interface SqlCatalogSpec {
  readonly name: string;
  readonly uri: string; // sqlalchemy URI, e.g. sqlite:////abs/catalog.db
  readonly warehouse: string; // file:///abs/dir
}

function python(): string {
  const path = process.env['FLOE_PYTHON'];
  if (path === undefined || path === '') {
    throw new Error('FLOE_PYTHON is not set: run the integration tests through `npm test` (scripts/env.sh sets it)');
  }
  return path;
}

async function call(args: readonly string[]): Promise<unknown> {
  try {
    const { stdout } = await run(python(), [script, ...args], { maxBuffer: 256 * 1024 * 1024 });
    return JSON.parse(stdout);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`pyiceberg ${args[0]} ${args[2]} failed: ${stderr.trim().split('\n').slice(-5).join('\n')}`, { cause: error });
  }
}

/** Rows of a table (or one snapshot of it) as pyiceberg reads them, canonical and sorted. */
export async function pyicebergScan(catalog: SqlCatalogSpec, table: string, snapshotId?: bigint): Promise<Canonical[]> {
  const args = ['scan', JSON.stringify(catalog), table];
  if (snapshotId !== undefined) args.push(String(snapshotId));
  const out = (await call(args)) as { rows: Canonical[] };
  return sortCanonical(out.rows);
}

export interface PyicebergInfo {
  readonly format_version: number;
  readonly schema: { fields: { id: number; name: string; type: unknown; required: boolean }[] };
  readonly snapshots: { snapshot_id: string; summary: Record<string, string> }[];
  readonly current_snapshot_id: string | null;
  readonly spec: unknown;
}

/** Table metadata as pyiceberg sees it. */
export async function pyicebergInfo(catalog: SqlCatalogSpec, table: string): Promise<PyicebergInfo> {
  return (await call(['info', JSON.stringify(catalog), table])) as PyicebergInfo;
}

/** Creates a small table with pyiceberg (id long, name string, amount decimal(10,2)) and returns its rows. */
export async function pyicebergWriteSample(catalog: SqlCatalogSpec, table: string): Promise<Canonical[]> {
  const out = (await call(['write', JSON.stringify(catalog), table])) as { rows: Canonical[] };
  return out.rows;
}
