/**
 * A typed event map that logging and metrics subscribe to. Producers emit plain facts; they
 * never know who listens. Durations are milliseconds, sizes bytes.
 */
import { EventEmitter } from 'node:events';

export interface FloeEvents {
  'commit:retry': { table: string; attempt: number; reason: string; delayMs: number };
  'commit:done': { table: string; snapshotId: bigint; operation: string; ms: number; attempts: number };
  'file:written': { table: string; path: string; rows: number; bytes: number; content: 'data' | 'position-deletes' };
}

export type FloeEventName = keyof FloeEvents;

/** A small typed wrapper over EventEmitter. */
export class EventBus {
  readonly #emitter = new EventEmitter();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends FloeEventName>(name: K, listener: (event: FloeEvents[K]) => void): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }

  emit<K extends FloeEventName>(name: K, event: FloeEvents[K]): void {
    this.#emitter.emit(name, event);
  }
}
