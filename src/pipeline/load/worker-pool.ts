/**
 * A fixed set of chunk worker threads fed from one FIFO queue. A task may be limited to the
 * first N workers (so a source with a small connection budget never has more than N worker
 * connections). A crashed worker fails its task as retryable and is replaced.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ConfigError, CorruptFileError, RetryableError, UnsupportedTypeError } from '../../core/errors.ts';
import type { ChunkOutput, ChunkTask } from './chunk-reader.ts';
import { CHUNK_WORKER } from './chunk-worker-module.ts';
import type { WorkerFailure, WorkerReply, WorkerRequest } from './chunk-worker.ts';

const TSX_ENTRY = CHUNK_WORKER.tsxEntry;

/** Rebuilds a worker's failure as floe's error class (the message crosses unchanged). */
export function failureToError(f: WorkerFailure): Error {
  const Ctor = f.transient
    ? RetryableError
    : ({ ConfigError, UnsupportedTypeError, CorruptFileError } as Record<string, new (m: string) => Error>)[f.name] ?? Error;
  const error = new Ctor(f.message);
  if (f.code !== undefined) Object.assign(error, { code: f.code });
  return error;
}

interface Queued {
  readonly task: ChunkTask;
  readonly maxWorkers: number;
  readonly resolve: (o: ChunkOutput) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: (Queued & { taskId: number }) | undefined;
}

export interface WorkerPoolOptions {
  readonly size: number;
  /** Worker entry module (core/worker-bundle.ts); default: the tsx entry, which transpiles in each worker. */
  readonly entry?: URL;
  /** V8 young generation per worker, MiB (bigger = fewer scavenges for short-lived batches). */
  readonly youngGenerationMiB?: number;
  /** V8 old generation cap per worker, MiB: bounds memory (a worker over it crashes, and its chunk is retried). */
  readonly oldGenerationMiB?: number;
}

export class ChunkWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private nextTaskId = 1;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {
    for (let i = 0; i < Math.max(1, options.size); i++) this.slots.push({ worker: this.spawn(i), busy: undefined });
  }

  /** Number of worker threads. */
  get size(): number {
    return this.slots.length;
  }

  /** Reads a chunk on one of the first `maxWorkers` workers; rejects with floe's error classes. */
  run(task: ChunkTask, maxWorkers = this.slots.length): Promise<ChunkOutput> {
    if (this.closed) return Promise.reject(new Error('chunk worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, maxWorkers: Math.max(1, maxWorkers), resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker after telling it to close its connection. */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Error('chunk worker pool closed'));
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void s.worker.terminate().then(() => resolve()), 5_000);
            s.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            s.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
          }),
      ),
    );
  }

  private spawn(index: number): Worker {
    const { youngGenerationMiB: young, oldGenerationMiB: old } = this.options;
    // a bundle pruned by another run since this one started (core/worker-bundle.ts): respawn through tsx
    const entry = this.options.entry !== undefined && existsSync(this.options.entry) ? this.options.entry : TSX_ENTRY;
    const worker = new Worker(entry, {
      resourceLimits: { ...(young === undefined ? {} : { maxYoungGenerationSizeMb: young }), ...(old === undefined ? {} : { maxOldGenerationSizeMb: old }) },
    });
    const current = () => this.slots[index]?.worker === worker;
    worker.on('message', (reply: WorkerReply) => {
      if (current()) this.onReply(index, reply);
    });
    worker.on('error', (error) => {
      if (current()) this.onCrash(index, error);
    });
    worker.on('exit', (code) => {
      if (current() && !this.closed) this.onCrash(index, new Error(`chunk worker ${index} exited with code ${code}`));
    });
    return worker;
  }

  private onReply(index: number, reply: WorkerReply): void {
    const slot = this.slots[index]!;
    const job = slot.busy;
    if (job === undefined || job.taskId !== reply.taskId) return;
    slot.busy = undefined;
    if (reply.type === 'done') job.resolve(reply.output);
    else job.reject(failureToError(reply.failure));
    this.dispatch();
  }

  private onCrash(index: number, error: Error): void {
    const slot = this.slots[index]!;
    const job = slot.busy;
    slot.busy = undefined;
    if (this.closed) return;
    void slot.worker.terminate().catch(() => undefined);
    slot.worker = this.spawn(index);
    const oom = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
    const hint = oom ? ' (a row group did not fit the worker heap: lower load.rowGroupRows for wide rows)' : '';
    job?.reject(new RetryableError(`${job.task.label}: chunk worker crashed: ${error.message}${hint}`, { cause: error }));
    this.dispatch();
  }

  private dispatch(): void {
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (slot.busy !== undefined) continue;
      const at = this.queue.findIndex((q) => i < q.maxWorkers);
      if (at < 0) continue;
      const [job] = this.queue.splice(at, 1);
      const taskId = this.nextTaskId++;
      slot.busy = { ...job!, taskId };
      slot.worker.postMessage({ type: 'chunk', taskId, task: job!.task } satisfies WorkerRequest);
    }
  }
}
