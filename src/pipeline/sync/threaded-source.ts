/**
 * A change source run in its own worker thread (source-worker.ts), so reading and decoding
 * (Kafka fetch + Debezium JSON, or pgoutput) use the second core while the main thread plans,
 * writes and commits. It is a ChangeSource like the one it wraps: the same batches in the same
 * order, acknowledgements passed on in commit order, a read failure raised after the changes
 * read before it, stopped tables reported. The worker reads ahead at most `aheadChanges`
 * changes beyond what `next` has handed out.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { errorFromDescription } from '../../core/errors.ts';
import { WORKER_YOUNG_GENERATION_MIB } from '../../core/heap-tuning.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger, LogLevel } from '../../core/logger.ts';
import { workerEntry, type WorkerModule } from '../../core/worker-bundle.ts';
import type { Change } from '../../core/change.ts';
import { decodeChanges } from './change-wire.ts';
import type { CheckpointSummary, SourceBatch, TableCheckpoint } from './change-source.ts';
import type { FromSourceWorker, ToSourceWorker } from './source-thread-protocol.ts';
import type { SourceRecipe, StoppableChangeSource } from './source-recipe.ts';
import { replayEvents, replayLogLine } from './source-telemetry.ts';

/** How long `close` waits for the source to close its connections before ending the thread. */
const CLOSE_TIMEOUT_MS = 10_000;

export const SOURCE_WORKER: WorkerModule = {
  source: new URL('./source-worker.ts', import.meta.url),
  tsxEntry: new URL('./source-worker-entry.mjs', import.meta.url),
};

export interface ThreadedSourceOptions {
  readonly recipe: SourceRecipe;
  readonly events: EventBus;
  readonly logger: Logger;
  /** Changes per chunk the worker sends (default 4096): a batch may end up to one chunk past its limit. */
  readonly chunkChanges?: number;
  /** Changes the worker reads ahead of `next` at most (default: config sync.maxBatchChanges). */
  readonly aheadChanges?: number;
}

type Batch = Extract<FromSourceWorker, { type: 'batch' }>;

/** See the file comment. */
export class ThreadedChangeSource implements StoppableChangeSource {
  readonly name: string;
  readonly #o: ThreadedSourceOptions;
  readonly #worker: Promise<Worker>;
  readonly #queue: Batch[] = [];
  #failure: Error | null = null;
  #exited: Error | null = null;
  #stopped = new Map<string, Error>();
  #arrived: (() => void) | null = null;
  #nextCall = 1;
  readonly #calls = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  constructor(options: ThreadedSourceOptions) {
    this.#o = options;
    this.name = `${options.recipe.config.sync.source?.type ?? 'kafka'} (source thread)`;
    this.#worker = this.#spawn();
    this.#worker.catch(() => undefined); // reported by the first call
  }

  stoppedTables(): ReadonlyMap<string, Error> {
    return this.#stopped;
  }

  async start(tables: readonly TableCheckpoint[]): Promise<void> {
    await this.#call({ method: 'start', tables });
  }

  async next(maxChanges: number, maxWaitMs: number): Promise<SourceBatch> {
    if (this.#queue.length === 0 && this.#failure === null && this.#exited === null && maxWaitMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#arrived = null;
          resolve();
        }, maxWaitMs);
        this.#arrived = () => {
          clearTimeout(timer);
          this.#arrived = null;
          resolve();
        };
      });
    }
    const taken: Batch[] = [];
    let count = 0;
    while (this.#queue.length > 0 && (taken.length === 0 || count + this.#queue[0]!.count <= maxChanges)) {
      const b = this.#queue.shift()!;
      taken.push(b);
      count += b.count;
    }
    if (taken.length === 0) {
      const failure = this.#failure ?? this.#exited;
      if (failure !== null) throw failure;
      return { changes: [], checkpoints: new Map(), ack: undefined };
    }
    if (count > 0) void this.#post({ type: 'credit', changes: count });
    const changes: Change[] = [];
    const checkpoints = new Map<string, CheckpointSummary>();
    let bytes = 0;
    for (const b of taken) {
      for (const c of decodeChanges(b.wire)) changes.push(c);
      for (const [target, summary] of b.checkpoints) checkpoints.set(target, summary);
      bytes += b.bytes;
      this.#stopped = new Map(b.stopped.map(([table, d]) => [table, errorFromDescription(d)]));
    }
    return { changes, checkpoints, ack: taken[taken.length - 1]!.ack, bytes };
  }

  async acknowledge(ack: unknown): Promise<void> {
    await this.#call({ method: 'acknowledge', ack });
  }

  async close(): Promise<void> {
    let worker: Worker;
    try {
      worker = await this.#worker;
    } catch {
      return;
    }
    if (this.#exited === null) {
      // the source closes its connections; a thread that does not answer in time is ended anyway
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
      try {
        await Promise.race([this.#call({ method: 'close' }), late]);
      } finally {
        clearTimeout(timer);
        await worker.terminate();
      }
    }
  }

  async #spawn(): Promise<Worker> {
    const entry = await workerEntry(SOURCE_WORKER);
    // a bundle pruned by another run since this one started (core/worker-bundle.ts): start through tsx
    const url = existsSync(entry.url) ? entry.url : SOURCE_WORKER.tsxEntry;
    const worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MIB } }); // core/heap-tuning.ts
    worker.on('message', (m: FromSourceWorker) => this.#onMessage(m));
    worker.on('error', (error) => this.#onExit(error));
    worker.on('exit', (code) => this.#onExit(new Error(`change source thread exited with code ${code}`)));
    const config = this.#o.recipe.config;
    const open: ToSourceWorker = {
      type: 'open',
      recipe: this.#o.recipe,
      logLevel: this.#o.logger.level as LogLevel,
      chunkChanges: this.#o.chunkChanges ?? 4096,
      aheadChanges: this.#o.aheadChanges ?? config.sync.maxBatchChanges,
    };
    worker.postMessage(open);
    return worker;
  }

  #onMessage(m: FromSourceWorker): void {
    if (m.type === 'batch') {
      replayEvents(this.#o.events, m.events);
      for (const line of m.logs) replayLogLine(this.#o.logger, line);
      this.#queue.push(m);
      this.#arrived?.();
    } else if (m.type === 'failed') {
      this.#failure = errorFromDescription(m.error);
      this.#arrived?.();
    } else if (m.type === 'telemetry') {
      replayEvents(this.#o.events, m.events);
      for (const line of m.logs) replayLogLine(this.#o.logger, line);
    } else {
      const call = this.#calls.get(m.id);
      this.#calls.delete(m.id);
      if (m.error === undefined) call?.resolve();
      else call?.reject(errorFromDescription(m.error));
    }
  }

  #onExit(error: Error): void {
    this.#exited ??= error;
    this.#arrived?.();
    for (const call of this.#calls.values()) call.reject(error);
    this.#calls.clear();
  }

  async #post(message: ToSourceWorker): Promise<void> {
    (await this.#worker).postMessage(message);
  }

  async #call(call: { method: 'start'; tables: readonly TableCheckpoint[] } | { method: 'acknowledge'; ack: unknown } | { method: 'close' }): Promise<void> {
    const worker = await this.#worker;
    if (this.#exited !== null) throw this.#exited;
    const id = this.#nextCall++;
    const done = new Promise<void>((resolve, reject) => this.#calls.set(id, { resolve, reject }));
    worker.postMessage({ type: 'call', id, ...call } as ToSourceWorker);
    await done;
  }
}
