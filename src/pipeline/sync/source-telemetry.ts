/**
 * A change source's events and log lines, gathered in its worker thread and replayed on the
 * main thread's event bus and logger (where metrics and the one log format live). The
 * per-record `sync:event` counts are summed per table and op before they cross.
 */
import { EventBus, type FloeEventName, type FloeEvents } from '../../core/events.ts';
import type { Logger, LogLevel } from '../../core/logger.ts';
import type { ForwardedEvent } from './source-thread-protocol.ts';

/** An event bus that only records what is emitted, for `drain` to hand over. */
export class GatheringEventBus extends EventBus {
  #events: ForwardedEvent[] = [];
  /** `sync:event` counts by table, then op (no key string or object per record: it is emitted once a record). */
  readonly #counts = new Map<string, Map<FloeEvents['sync:event']['op'], number>>();

  override emit<K extends FloeEventName>(name: K, event: FloeEvents[K]): void {
    if (name === 'sync:event') {
      const e = event as FloeEvents['sync:event'];
      let byOp = this.#counts.get(e.table);
      if (byOp === undefined) this.#counts.set(e.table, (byOp = new Map()));
      byOp.set(e.op, (byOp.get(e.op) ?? 0) + (e.count ?? 1));
      return;
    }
    this.#events.push([name, event]);
  }

  /** Everything emitted since the last drain, counts summed; empty when nothing was. */
  drain(): ForwardedEvent[] {
    const out = this.#events;
    this.#events = [];
    for (const [table, byOp] of this.#counts) {
      for (const [op, count] of byOp) if (count > 0) out.push(['sync:event', { table, op, count }]);
      byOp.clear();
    }
    return out;
  }
}

/** A pino destination that keeps the lines for `drain`. */
export class GatheringLogLines {
  #lines: string[] = [];
  write(line: string): void {
    this.#lines.push(line);
  }
  drain(): string[] {
    const out = this.#lines;
    this.#lines = [];
    return out;
  }
}

const LEVELS = new Set<LogLevel>(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** Replays forwarded events on `bus`. */
export function replayEvents(bus: EventBus, events: readonly ForwardedEvent[]): void {
  for (const [name, payload] of events) bus.emit(name as FloeEventName, payload as never);
}

/** Replays one JSON log line of the worker's logger through `logger` (which redacts and formats it). */
export function replayLogLine(logger: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    logger.info({ line }, 'source thread log line');
    return;
  }
  const { level, msg, time: _time, ...fields } = record;
  const at = typeof level === 'string' && LEVELS.has(level as LogLevel) ? (level as Exclude<LogLevel, 'silent'>) : 'info';
  logger[at](fields, typeof msg === 'string' ? msg : '');
}
