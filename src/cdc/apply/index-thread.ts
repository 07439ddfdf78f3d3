/**
 * The main thread's handle on one table's key index thread (index-worker.ts): posts each
 * commit's update without waiting, sends a batch's cache misses as one lookup, counts entries
 * posted and not yet persisted (for backpressure: the thread holds updates back for up to
 * minTransactionIntervalMs, so a drain that has to wait asks it to apply them now) and surfaces
 * the thread's first failure on the next call, or at close when no call saw it. The thread is
 * unref'd while idle, so a forgotten close does not keep the process alive, and ref'd while it
 * has work in hand (held-back updates included: at most one interval).
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { IndexRewrite } from './index-rewrite.ts';
import { failureError, REWRITE_ENTRIES, rewriteTransfers, updateEntries, updateTransfers, type IndexReply, type IndexRequest, type IndexThreadInit, type PackedIds, type PackedPositions, type PackedUpdate } from './index-wire.ts';
import { INDEX_WORKER, indexWorkerEntry } from './index-worker-module.ts';
import type { RowIdentity } from './key-encoding.ts';

interface Waiter<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

/** A running key index thread; see the module doc. */
export class IndexThread {
  readonly #worker: Worker;
  readonly #ready: Promise<void>;
  /** Entries posted in updates and not yet persisted. */
  #pending = 0;
  #seq = 0;
  readonly #lookups = new Map<number, Waiter<PackedPositions>>();
  #drains: (Waiter<void> & { readonly limit: number })[] = [];
  #failure: Error | undefined;
  #surfaced = false;
  #closing: Promise<void> | undefined;
  #exited = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: IndexReply) => {
        if (reply.type === 'ready') resolve();
        else if (reply.type === 'failed') reject(this.#fail(failureError(reply.failure)));
        else this.#onReply(reply);
      });
      worker.on('error', (error) => reject(this.#fail(error)));
      worker.on('exit', (code) => {
        this.#exited = true;
        if (this.#closing === undefined) reject(this.#fail(new Error(`key index thread exited with code ${code}`)));
      });
    });
  }

  /** Starts the thread on `init` and waits until its index is open (rejects when it cannot open). */
  static async start(init: IndexThreadInit): Promise<IndexThread> {
    const entry = await indexWorkerEntry();
    // a bundle pruned by another run since it was made (core/worker-bundle.ts): start through tsx
    const url = entry.bundled && existsSync(entry.url) ? entry.url : INDEX_WORKER.tsxEntry;
    const thread = new IndexThread(new Worker(url, { workerData: init, execArgv: [] }));
    try {
      await thread.#ready;
    } catch (error) {
      await thread.close().catch(() => undefined);
      throw error;
    }
    thread.#refIfBusy();
    return thread;
  }

  /** Entries posted and not yet persisted. */
  get pending(): number {
    return this.#pending;
  }

  /** Posts one commit's update (applied after everything posted before it); does not wait. */
  post(update: PackedUpdate): void {
    this.#check();
    this.#pending += updateEntries(update);
    this.#send({ type: 'update', update }, updateTransfers(update));
  }

  /**
   * Posts a rewrite of the whole index (applied after everything posted before it); does not
   * wait. It counts as one pending entry: its weight is the copy it carries, not a queue of
   * changes, and a drain to 0 waits for it.
   */
  rewrite(rewrite: IndexRewrite): void {
    this.#check();
    this.#pending += REWRITE_ENTRIES;
    this.#send({ type: 'rewrite', rewrite }, rewriteTransfers(rewrite));
  }

  /** The live positions of `ids`, as the index is after every update posted so far. */
  lookup(ids: PackedIds): Promise<PackedPositions> {
    this.#check();
    const seq = this.#seq++;
    const answer = new Promise<PackedPositions>((resolve, reject) => this.#lookups.set(seq, { resolve, reject }));
    this.#send({ type: 'lookup', seq, ids }, [ids.bytes.buffer as ArrayBuffer, ids.ends.buffer as ArrayBuffer]);
    return answer;
  }

  /** Resolves once at most `limit` posted entries are unpersisted (0: all persisted); the thread stops holding updates back for it. */
  drain(limit = 0): Promise<void> {
    this.#check();
    if (this.#pending <= limit) return Promise.resolve();
    const drained = new Promise<void>((resolve, reject) => this.#drains.push({ limit, resolve, reject }));
    this.#send({ type: 'flush' });
    return drained;
  }

  /** Has the thread open the index file again (another connection changed it), with `identity`. */
  reopen(identity: RowIdentity, tableUuid: string): void {
    this.#check();
    this.#send({ type: 'reopen', identity, tableUuid });
  }

  /** Waits for everything posted to persist, then ends the thread; rejects with a failure no call surfaced yet. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (!this.#exited) {
        const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
        this.#worker.ref();
        this.#worker.postMessage({ type: 'close' } satisfies IndexRequest);
        await exited;
      }
    })();
    return this.#closing.then(() => {
      if (this.#failure !== undefined && !this.#surfaced) {
        this.#surfaced = true;
        throw this.#failure;
      }
    });
  }

  #send(request: IndexRequest, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(request, transfer);
    this.#refIfBusy();
  }

  #onReply(reply: Exclude<IndexReply, { type: 'ready' | 'failed' }>): void {
    if (reply.type === 'applied') {
      this.#pending -= reply.entries;
      const ready = this.#drains.filter((d) => this.#pending <= d.limit);
      this.#drains = this.#drains.filter((d) => this.#pending > d.limit);
      for (const d of ready) d.resolve();
    } else if (reply.type === 'found') {
      const waiter = this.#lookups.get(reply.seq);
      this.#lookups.delete(reply.seq);
      waiter?.resolve(reply.positions);
    }
    this.#refIfBusy();
  }

  /** Records the thread's first failure and rejects every waiting call with it. */
  #fail(error: Error): Error {
    this.#failure ??= error;
    const failure = this.#failure;
    const waiting = [...this.#lookups.values(), ...this.#drains];
    if (waiting.length > 0) this.#surfaced = true;
    for (const w of waiting) w.reject(failure);
    this.#lookups.clear();
    this.#drains = [];
    this.#pending = 0; // never persisted: the next open catches up from the table
    this.#refIfBusy();
    return failure;
  }

  #check(): void {
    if (this.#failure !== undefined) {
      this.#surfaced = true;
      throw this.#failure;
    }
    if (this.#closing !== undefined) throw new Error('key index thread: used after close');
  }

  #refIfBusy(): void {
    if (this.#closing !== undefined || this.#exited) return;
    if (this.#pending > 0 || this.#lookups.size > 0) this.#worker.ref();
    else this.#worker.unref();
  }
}
