/**
 * Messages between the main thread and the change source's worker thread (threaded-source.ts,
 * source-worker.ts). Changes cross as one encoded buffer per chunk (change-wire.ts, transferred,
 * not cloned); everything else is small plain data.
 */
import type { ErrorDescription } from '../../core/errors.ts';
import type { LogLevel } from '../../core/logger.ts';
import type { CheckpointSummary, TableCheckpoint } from './change-source.ts';
import type { SourceRecipe } from './source-recipe.ts';

/** An event of core/events.ts as it crosses: name and payload. */
export type ForwardedEvent = readonly [name: string, payload: unknown];

/** Main → worker. */
export type ToSourceWorker =
  | { readonly type: 'open'; readonly recipe: SourceRecipe; readonly logLevel: LogLevel; readonly chunkChanges: number; readonly aheadChanges: number }
  | { readonly type: 'call'; readonly id: number; readonly method: 'start'; readonly tables: readonly TableCheckpoint[] }
  | { readonly type: 'call'; readonly id: number; readonly method: 'acknowledge'; readonly ack: unknown }
  | { readonly type: 'call'; readonly id: number; readonly method: 'close' }
  /** The main thread took `changes` more changes off its queue: the worker may read that many further ahead. */
  | { readonly type: 'credit'; readonly changes: number };

/** Worker → main. */
export type FromSourceWorker =
  | { readonly type: 'reply'; readonly id: number; readonly error?: ErrorDescription }
  | {
      readonly type: 'batch';
      /** The chunk's changes, encoded by encodeChanges. */
      readonly wire: Uint8Array;
      readonly count: number;
      readonly checkpoints: readonly (readonly [string, CheckpointSummary])[];
      readonly ack: unknown;
      readonly bytes: number;
      /** Every table the source has stopped so far, with why. */
      readonly stopped: readonly (readonly [string, ErrorDescription])[];
      /** Events and log lines gathered before the chunk (as a telemetry message would carry them). */
      readonly events: readonly ForwardedEvent[];
      readonly logs: readonly string[];
    }
  /** The source failed to read (e.g. a bad event under `fail`): comes after every batch read before it; the worker reads no more. */
  | { readonly type: 'failed'; readonly error: ErrorDescription }
  /** Events and log lines of the source, sent as they gather (with no ordering promise against batches). */
  | { readonly type: 'telemetry'; readonly events: readonly ForwardedEvent[]; readonly logs: readonly string[] };
