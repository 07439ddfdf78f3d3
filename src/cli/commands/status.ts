/**
 * `floe status [--json] [--runs N] [--run RUN] [--rebuild]`: recent runs and each table's
 * latest state from the status store, beside what each Iceberg table says (main's snapshot,
 * total-records, load watermark, staged loads) — the tables are the truth, the store is for
 * people. `--rebuild` first rewrites the store's rows from the Iceberg tables.
 */
import type { Catalog } from '../../catalog/catalog.ts';
import { openCatalog } from '../../catalog/open-catalog.ts';
import type { Config } from '../../config/index.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { TableIdentifier } from '../../iceberg/spec/types.ts';
import { openStatusStore } from '../../state/open-status-store.ts';
import { rebuildStatus, type RebuildReport } from '../../state/rebuild-status.ts';
import { icebergStatus, icebergUnavailable, targetsToShow, type IcebergTableStatus, type StatusReport } from '../../state/status-report.ts';
import type { TableRecord } from '../../state/status-store.ts';
import type { Command } from '../command.ts';
import { alignColumns, formatCount, formatDuration } from '../progress.ts';

const USAGE = `Usage: floe status [--json] [--runs N] [--run RUN_ID] [--rebuild]

Shows the latest runs (default 5) and, per table, its latest state in the status store
(rows, chunks done/total, duration, watermark, Iceberg snapshot, error) beside what the
Iceberg table itself says. --run shows the tables of one run; --json prints one JSON
object for scripts; --rebuild rewrites the store's rows from the Iceberg tables first.`;

interface StatusArgs {
  readonly json: boolean;
  readonly rebuild: boolean;
  readonly runs: number;
  readonly run: string | undefined;
}

/** Parses the command's own arguments; undefined on a bad flag or value. */
export function parseStatusArgs(args: readonly string[]): StatusArgs | undefined {
  let json = false;
  let rebuild = false;
  let runs = 5;
  let run: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (a === '--rebuild') rebuild = true;
    else if (a === '--runs' && /^\d+$/.test(args[i + 1] ?? '')) runs = Number(args[++i]);
    else if (a === '--run' && args[i + 1] !== undefined) run = args[++i];
    else return undefined;
  }
  return { json, rebuild, runs, run };
}

/** Printable on a terminal: control characters (escape sequences in hostile names) become '?', whitespace runs one space. */
export function printable(text: string, max = Infinity): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\t\n\r]+/g, ' ').replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** `2024-05-01 12:00:05Z`, or '-' for null. */
export function formatTime(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function took(startedMs: number | null, finishedMs: number | null, nowMs: number): string {
  if (startedMs === null) return '-';
  return formatDuration(((finishedMs ?? nowMs) - startedMs) / 1000) + (finishedMs === null ? '+' : '');
}

function tableLine(t: TableRecord, nowMs: number): string[] {
  return [
    printable(t.target), t.state, formatCount(t.rows), `${t.chunksDone}/${t.chunksTotal}`, took(t.startedMs, t.finishedMs, nowMs),
    printable(t.watermark ?? '-'), t.snapshotId ?? '-', printable(t.runId), printable(t.error ?? '', 80),
  ];
}

function icebergLine(i: IcebergTableStatus): string[] {
  if (!i.exists || i.error !== null) return [printable(i.target), i.error === null ? 'table does not exist' : `unreadable: ${printable(i.error, 80)}`, '', '', '', '', ''];
  return [
    printable(i.target), i.snapshotId ?? '(no snapshot)', i.totalRecords === null ? '-' : formatCount(i.totalRecords), printable(i.watermark ?? '-'),
    printable(i.completeRun ?? '-'), i.stagedRuns.length === 0 ? '-' : printable(i.stagedRuns.join(', ')), formatTime(i.lastCommitMs),
  ];
}

/** The report as aligned text for a terminal; `nowMs` times running durations (shown with '+'). */
export function renderStatus(report: StatusReport, nowMs: number): string {
  const out: string[] = ['Runs'];
  if (report.runs.length === 0) out.push('  (none recorded: run `floe load`, or `floe status --rebuild` to read past loads from the Iceberg tables)');
  else {
    const rows = [['run', 'kind', 'state', 'started', 'took', 'message'], ...report.runs.map((r) => [printable(r.runId), r.kind, r.state, formatTime(r.startedMs), took(r.startedMs, r.finishedMs, nowMs), printable(r.message ?? '', 80)])];
    out.push(...alignColumns(rows, new Set([0, 1, 2, 3, 5])).map((l) => `  ${l}`));
  }
  out.push('', 'Tables (status store: latest run per table)');
  if (report.tables.length === 0) out.push('  (none recorded)');
  else {
    const rows = [['table', 'state', 'rows', 'chunks', 'took', 'watermark', 'snapshot', 'run', 'error'], ...report.tables.map((t) => tableLine(t, nowMs))];
    out.push(...alignColumns(rows, new Set([0, 1, 5, 6, 7, 8])).map((l) => `  ${l}`));
  }
  out.push('', 'Iceberg (the source of truth)');
  if (report.iceberg.length === 0) out.push('  (no tables configured)');
  else {
    const rows = [['table', 'main snapshot', 'total-records', 'watermark', 'complete run', 'staged (resumable)', 'last commit'], ...report.iceberg.map(icebergLine)];
    out.push(...alignColumns(rows, new Set([0, 1, 3, 4, 5, 6])).map((l) => `  ${l}`));
  }
  return out.join('\n');
}

/** `ns.table` → identifier (namespace levels never contain '.'). */
function parseTarget(target: string): TableIdentifier {
  const parts = target.split('.');
  return { namespace: parts.slice(0, -1), name: parts.at(-1)! };
}

function configuredTargets(config: Config): { id: TableIdentifier; label: string; source: string }[] {
  return config.tables.map((t) => ({ id: t.target, label: [...t.target.namespace, t.target.name].join('.'), source: `${t.source.schema}.${t.source.table}` }));
}

async function readIceberg(catalog: Catalog | Error, targets: readonly { label: string; id: TableIdentifier }[]): Promise<IcebergTableStatus[]> {
  const out: IcebergTableStatus[] = [];
  for (const t of targets) {
    if (catalog instanceof Error) {
      out.push(icebergUnavailable(t.label, false, `catalog: ${catalog.message}`));
      continue;
    }
    try {
      out.push(icebergStatus(t.label, (await catalog.loadTable(t.id)).metadata));
    } catch (err) {
      out.push(err instanceof NotFoundError ? icebergUnavailable(t.label, false, null) : icebergUnavailable(t.label, true, (err as Error).message));
    }
  }
  return out;
}

/** JSON for `--json`: bigint-free already; numbers stay numbers. */
function toJson(report: StatusReport, rebuilt: RebuildReport | undefined): string {
  return JSON.stringify({ ...report, ...(rebuilt === undefined ? {} : { rebuilt }) }, null, 2);
}

export const command: Command = {
  name: 'status',
  summary: 'show runs and per-table load state, beside what the Iceberg tables say',
  usage: USAGE,
  async run(args, context) {
    const parsed = parseStatusArgs(args);
    if (parsed === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const config = await context.config();
    const store = await openStatusStore(config.state);
    context.defer(() => store.close());
    const catalog: Catalog | Error = await openCatalog(config.catalog).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    if (!(catalog instanceof Error)) context.defer(() => catalog.close());
    const configured = configuredTargets(config);
    let rebuilt: RebuildReport | undefined;
    if (parsed.rebuild) {
      if (catalog instanceof Error) throw catalog;
      rebuilt = await rebuildStatus({ catalog, store, targets: configured });
      if (!parsed.json) {
        const missing = rebuilt.missing.length > 0 ? `; not in the catalog: ${rebuilt.missing.join(', ')}` : '';
        const kept = rebuilt.keptRunning.length > 0 ? `; left running runs alone: ${rebuilt.keptRunning.join(', ')}` : '';
        context.out(`rebuilt ${rebuilt.runs} runs, ${rebuilt.tables} table rows, ${rebuilt.chunks} chunks from the Iceberg tables${missing}${kept}\n`);
      }
    }
    const runs = await store.listRuns(parsed.runs);
    const tables = parsed.run === undefined ? await store.latestTables() : await store.listTables(parsed.run);
    const labels = targetsToShow(configured.map((t) => t.label), tables);
    const byLabel = new Map(configured.map((t) => [t.label, t.id]));
    const iceberg = await readIceberg(catalog, labels.map((label) => ({ label, id: byLabel.get(label) ?? parseTarget(label) })));
    const report: StatusReport = { runs, tables, iceberg };
    context.out(parsed.json ? toJson(report, rebuilt) : renderStatus(report, Date.now()));
    return 0;
  },
};
