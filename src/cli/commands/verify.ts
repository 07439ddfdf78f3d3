/**
 * `floe verify TABLE`: compares a configured table's PostgreSQL source with its Iceberg table
 * (row count, per-column checksums, first differing keys) and says which source position the
 * Iceberg table reflects (its load's or its last sync's). With --wait-for-sync, first waits for
 * floe's pg-logical slot to confirm verify's read (pipeline/verify/sync-wait.ts). Exit 0 on match,
 * 1 on mismatch, 2 on error. TABLE is the target `namespace.table` or the source `schema.table`.
 */
import { openCatalog } from '../../catalog/open-catalog.ts';
import { pgLogicalSettings } from '../../cdc/postgres/pg-logical-settings.ts';
import { redactor, secretValues, type Config, type TableConfig } from '../../config/index.ts';
import { splitDottedName } from '../../config/names.ts';
import { ConfigError } from '../../core/errors.ts';
import { formatVerifyText, verifyJson } from '../../pipeline/verify/report.ts';
import type { SyncWaitRequest } from '../../pipeline/verify/sync-wait.ts';
import { verifyTable } from '../../pipeline/verify/verify-table.ts';
import { connectPg, pgConnectOptions } from '../../sources/postgres/connection.ts';
import type { Command } from '../command.ts';

const USAGE = `Usage: floe verify TABLE [--json] [--snapshot-id ID] [--max-differences N] [--wait-for-sync SECONDS]
  TABLE              a configured table: target namespace.table or source schema.table
                     (quote a part holding '.' or '"': '"my.schema"."Order Lines"')
  --json             print the result as JSON
  --snapshot-id ID   compare this Iceberg snapshot instead of the current one
  --max-differences  differing keys to print (default 10)
  --wait-for-sync S  wait up to S seconds for pg-logical sync's slot to confirm verify's read
                     before loading the Iceberg table: then no difference is sync lag
                     (default: no wait; not with --snapshot-id)
Exit status: 0 match, 1 mismatch, 2 error.`;

interface Args {
  readonly table: string;
  readonly json: boolean;
  readonly snapshotId: bigint | undefined;
  readonly maxDifferences: number;
  /** --wait-for-sync in milliseconds; undefined: no wait. */
  readonly waitForSyncMs: number | undefined;
}

function parseArgs(args: readonly string[]): Args {
  let table: string | undefined;
  let json = false;
  let snapshotId: bigint | undefined;
  let maxDifferences = 10;
  let waitForSyncMs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new ConfigError(`verify: ${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--json') json = true;
    else if (a === '--snapshot-id') {
      const v = value();
      if (!/^\d+$/.test(v)) throw new ConfigError(`verify: --snapshot-id ${v} is not a snapshot id`);
      snapshotId = BigInt(v);
    } else if (a === '--max-differences') {
      maxDifferences = Number(value());
      if (!Number.isInteger(maxDifferences) || maxDifferences < 0) throw new ConfigError(`verify: --max-differences needs a whole number ≥ 0`);
    } else if (a === '--wait-for-sync') {
      const v = value();
      const seconds = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
      if (!(seconds <= 86_400)) throw new ConfigError(`verify: --wait-for-sync ${v} is not a number of seconds from 0 to 86400`);
      waitForSyncMs = Math.round(seconds * 1000);
    } else if (a.startsWith('-')) throw new ConfigError(`verify: unknown option ${a}\n${USAGE}`);
    else if (table === undefined) table = a;
    else throw new ConfigError(`verify: one TABLE only (got ${table} and ${a})\n${USAGE}`);
  }
  if (table === undefined) throw new ConfigError(`verify: which table?\n${USAGE}`);
  if (waitForSyncMs !== undefined && snapshotId !== undefined) throw new ConfigError('verify: --wait-for-sync compares the current Iceberg snapshot; leave out --snapshot-id');
  return { table, json, snapshotId, maxDifferences, waitForSyncMs };
}

/** The configured table named by its target or source name. */
function findTable(config: Config, name: string): TableConfig {
  const parts = splitDottedName(name);
  if (parts === undefined || parts.length < 2) throw new ConfigError(`verify: "${name}" is not a namespace.table or schema.table name`);
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const found =
    config.tables.find((t) => same(parts, [...t.target.namespace, t.target.name])) ??
    config.tables.find((t) => same(parts, [t.source.schema, t.source.table]));
  if (found === undefined) {
    const known = config.tables.map((t) => `${[...t.target.namespace, t.target.name].join('.')} (${t.source.schema}.${t.source.table})`);
    throw new ConfigError(`verify: no configured table "${name}"; configured: ${known.join(', ') || 'none'}`);
  }
  return found;
}

/** floe's slot for the table's source, or why there is none: sync is not pg-logical, or replicates another source. */
function syncWaitRequest(config: Config, t: TableConfig, timeoutMs: number): SyncWaitRequest {
  const type = config.sync.source?.type;
  if (type === undefined) return { unavailable: 'no sync.source is configured' };
  if (type !== 'postgres') return { unavailable: `sync.source is ${type}, not postgres logical replication` };
  const settings = pgLogicalSettings(config);
  if (settings.sourceName !== t.sourceName) return { unavailable: `sync replicates source "${settings.sourceName}", not "${t.sourceName}"` };
  return { slot: settings.slot, timeoutMs };
}

export const command: Command = {
  name: 'verify',
  summary: 'compare a source table with its Iceberg table: counts, checksums, first differing keys',
  usage: USAGE,
  async run(args, context) {
    let redact = (text: string) => text;
    try {
      const opts = parseArgs(args);
      const config = await context.config();
      redact = redactor(secretValues(config));
      const t = findTable(config, opts.table);
      const source = config.sources[t.sourceName];
      if (source === undefined) throw new ConfigError(`verify: table ${t.source.schema}.${t.source.table} names source "${t.sourceName}", which is not configured`);
      const catalog = await openCatalog(config.catalog);
      context.defer(() => catalog.close());
      const client = await connectPg(t.sourceName, pgConnectOptions(t.sourceName, source, ' verify'));
      context.defer(() => client.end());
      const result = await verifyTable({
        client,
        catalog,
        source: t.source,
        target: t.target,
        options: config.load,
        settings: { primaryKey: t.primaryKey, columns: t.columns },
        ...(opts.snapshotId === undefined ? {} : { snapshotId: opts.snapshotId }),
        maxDifferences: opts.maxDifferences,
        ...(opts.waitForSyncMs === undefined ? {} : { waitForSync: syncWaitRequest(config, t, opts.waitForSyncMs) }),
      });
      context.out(opts.json ? JSON.stringify(verifyJson(result), null, 2) : formatVerifyText(result));
      return result.match ? 0 : 1;
    } catch (error) {
      const e = error as Error;
      process.stderr.write(redact(`floe verify: ${e.name === 'Error' ? '' : `${e.name}: `}${e.message}\n`));
      return 2;
    }
  },
};
