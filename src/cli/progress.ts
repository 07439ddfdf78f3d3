/**
 * Bulk-load progress for people. On a TTY: one aligned line per table (rows, rows/s, chunks,
 * ETA from the source's row estimate), redrawn in place at most 4 times a second, then a final
 * summary. Elsewhere: nothing but periodic `load progress` JSON log lines through the logger.
 * The state is a pure reduction of 'load:*' events; renderProgress is pure; startProgress is
 * the small effectful part.
 */
import type { EventBus, FloeEvents } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';

/** One table's progress. Times are ms since the epoch. */
export interface TableProgress {
  readonly table: string;
  readonly state: 'loading' | 'loaded' | 'skipped' | 'failed';
  readonly rows: number;
  readonly estimatedRows: number; // the source's estimate; 0 or less: unknown
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly chunkFailures: number;
  readonly startedMs: number;
  readonly finishedMs: number | null;
  readonly error: string | null;
}

/** Every table seen, in the order loads started. */
export interface ProgressState {
  readonly tables: readonly TableProgress[];
}

export type LoadEventName = Extract<keyof FloeEvents, `load:${string}`>;
const LOAD_EVENTS: readonly LoadEventName[] = ['load:table-started', 'load:chunk-done', 'load:chunk-failed', 'load:table-done', 'load:table-failed'];

/** The empty state. */
export function emptyProgress(): ProgressState {
  return { tables: [] };
}

function blank(table: string, nowMs: number): TableProgress {
  return { table, state: 'loading', rows: 0, estimatedRows: 0, chunksDone: 0, chunksTotal: 0, chunkFailures: 0, startedMs: nowMs, finishedMs: null, error: null };
}

/** The state after one event at `nowMs` (a new object; the input is unchanged). */
export function applyLoadEvent<K extends LoadEventName>(state: ProgressState, name: K, event: FloeEvents[K], nowMs: number): ProgressState {
  const e = event as FloeEvents[LoadEventName];
  const index = state.tables.findIndex((t) => t.table === e.table);
  const current = index < 0 ? blank(e.table, nowMs) : state.tables[index]!;
  let next: TableProgress;
  if (name === 'load:table-started') {
    const s = event as FloeEvents['load:table-started'];
    next = { ...blank(s.table, nowMs), chunksTotal: s.chunks, estimatedRows: s.estimatedRows };
  } else if (name === 'load:chunk-done') {
    const c = event as FloeEvents['load:chunk-done'];
    next = { ...current, rows: current.rows + c.rows, chunksDone: current.chunksDone + 1 };
  } else if (name === 'load:chunk-failed') {
    next = { ...current, chunkFailures: current.chunkFailures + 1 };
  } else if (name === 'load:table-done') {
    const d = event as FloeEvents['load:table-done'];
    next = { ...current, state: d.skipped ? 'skipped' : 'loaded', rows: d.skipped ? current.rows : d.rows, finishedMs: nowMs };
  } else {
    next = { ...current, state: 'failed', error: (event as FloeEvents['load:table-failed']).error, finishedMs: nowMs };
  }
  const tables = [...state.tables];
  if (index < 0) tables.push(next);
  else tables[index] = next;
  return { tables };
}

/** Rows per second since the table started (0 before any time has passed). */
export function rowsPerSecond(t: TableProgress, nowMs: number): number {
  const seconds = ((t.finishedMs ?? nowMs) - t.startedMs) / 1000;
  return seconds > 0 ? t.rows / seconds : 0;
}

/** Seconds left at the current rate, or null when unknown (no estimate, no rate, or already past it). */
export function etaSeconds(t: TableProgress, nowMs: number): number | null {
  const rate = rowsPerSecond(t, nowMs);
  if (t.state !== 'loading' || t.estimatedRows <= 0 || rate <= 0 || t.rows >= t.estimatedRows) return null;
  return (t.estimatedRows - t.rows) / rate;
}

/** `1,234,567` */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `m:ss` or `h:mm:ss`, from seconds (rounded down). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** Aligns rows of cells: text columns left, the others right. */
export function alignColumns(rows: readonly (readonly string[])[], leftColumns: ReadonlySet<number>): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) =>
    r.map((cell, i) => (leftColumns.has(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd(),
  );
}

function stateText(t: TableProgress, nowMs: number): string {
  const took = formatDuration(((t.finishedMs ?? nowMs) - t.startedMs) / 1000);
  if (t.state === 'loading') return t.chunkFailures > 0 ? `loading (${t.chunkFailures} retried)` : 'loading';
  if (t.state === 'failed') return `FAILED after ${took}: ${t.error ?? ''}`;
  return `${t.state} in ${took}`;
}

/** The live display: a header, one line per table, a total line; no trailing newline. */
export function renderProgress(state: ProgressState, nowMs: number): string {
  const rows: string[][] = [['table', 'rows', 'rows/s', 'chunks', 'ETA', 'state']];
  for (const t of state.tables) {
    const eta = etaSeconds(t, nowMs);
    const rows_ = t.estimatedRows > 0 && t.state === 'loading' ? `${formatCount(t.rows)} / ~${formatCount(t.estimatedRows)}` : formatCount(t.rows);
    rows.push([t.table, rows_, formatCount(rowsPerSecond(t, nowMs)), `${t.chunksDone}/${t.chunksTotal}`, eta === null ? '-' : formatDuration(eta), stateText(t, nowMs)]);
  }
  const total = state.tables.reduce((s, t) => s + t.rows, 0);
  const start = Math.min(...state.tables.map((t) => t.startedMs));
  const rate = state.tables.length === 0 || nowMs <= start ? 0 : total / ((nowMs - start) / 1000);
  rows.push(['total', formatCount(total), formatCount(rate), '', '', '']);
  return alignColumns(rows, new Set([0, 5])).join('\n');
}

/** The final line: tables by outcome, rows, wall time and rate; failed tables named. */
export function renderSummary(state: ProgressState, nowMs: number): string {
  const count = (s: TableProgress['state']) => state.tables.filter((t) => t.state === s);
  const total = state.tables.reduce((s, t) => s + t.rows, 0);
  const start = state.tables.length === 0 ? nowMs : Math.min(...state.tables.map((t) => t.startedMs));
  const seconds = (nowMs - start) / 1000;
  const failed = count('failed');
  const parts = [`${count('loaded').length} loaded`, `${count('skipped').length} skipped`, `${failed.length} failed`];
  if (count('loading').length > 0) parts.push(`${count('loading').length} unfinished`);
  const rate = seconds > 0 ? `, ${formatCount(total / seconds)} rows/s` : '';
  const names = failed.length > 0 ? ` — failed: ${failed.map((t) => t.table).join(', ')}` : '';
  return `load: ${parts.join(', ')}; ${formatCount(total)} rows in ${formatDuration(seconds)}${rate}${names}`;
}

/** Where the display goes and how often; `now` (ms) for tests. */
export interface ProgressOptions {
  readonly stream: { isTTY?: boolean; write(text: string): unknown };
  readonly log: Logger;
  readonly redrawMs?: number; // TTY redraw interval, default 250 (at most 4 per second)
  readonly logEveryMs?: number; // non-TTY log interval, default 10 000
  readonly now?: () => number;
}

/** Subscribes to load events and shows progress until stop(), which prints the final view and summary (TTY). */
export function startProgress(events: EventBus, options: ProgressOptions): { stop(): void; state(): ProgressState } {
  const now = options.now ?? Date.now;
  const tty = options.stream.isTTY === true;
  let state = emptyProgress();
  let dirty = false;
  let drawnLines = 0;
  const off = LOAD_EVENTS.map((name) =>
    events.on(name, (e) => {
      state = applyLoadEvent(state, name, e, now());
      dirty = true;
    }),
  );
  const draw = (final: boolean): void => {
    if (state.tables.length === 0) return;
    const text = renderProgress(state, now()) + (final ? `\n${renderSummary(state, now())}` : '');
    // Cursor to the start of the previous frame, clear to the end of the screen, draw again.
    options.stream.write(`${drawnLines > 0 ? `\x1b[${drawnLines}F\x1b[J` : ''}${text}\n`);
    drawnLines = text.split('\n').length;
  };
  const tick = (): void => {
    if (tty) {
      if (dirty) draw(false);
      dirty = false;
      return;
    }
    for (const t of state.tables.filter((x) => x.state === 'loading')) {
      const eta = etaSeconds(t, now());
      options.log.info({ table: t.table, rows: t.rows, rowsPerS: Math.round(rowsPerSecond(t, now())), chunksDone: t.chunksDone, chunksTotal: t.chunksTotal, etaS: eta === null ? null : Math.round(eta) }, 'load progress');
    }
  };
  const timer = setInterval(tick, tty ? (options.redrawMs ?? 250) : (options.logEveryMs ?? 10_000));
  timer.unref();
  return {
    state: () => state,
    stop: () => {
      clearInterval(timer);
      off.forEach((f) => f());
      if (tty) draw(true);
    },
  };
}
