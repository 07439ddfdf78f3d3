/**
 * Messages between a table applier and its key index thread (index-thread.ts, index-worker.ts),
 * and the compact forms that cross: identities packed into one byte buffer, positions as typed
 * arrays, each data file once per message. Every typed array has its own ArrayBuffer, so a
 * message transfers them instead of cloning ten thousand small objects. Pure.
 */
import { CorruptFileError } from '../../core/errors.ts';
import type { DataFile } from '../../iceberg/spec/types.ts';
import type { IndexRewrite } from './index-rewrite.ts';
import type { IndexChange } from './key-cache.ts';
import type { RowIdentity } from './key-encoding.ts';
import type { IndexUpdate } from './key-index.ts';

/** Identities in one buffer: identity i is `bytes[ends[i - 1] ?? 0 .. ends[i])`. */
export interface PackedIds {
  readonly bytes: Uint8Array;
  readonly ends: Uint32Array;
}

/** Live positions found for packed identities: row j is identity `key[j]` at `files[file[j]]`, `pos[j]`. */
export interface PackedPositions {
  readonly key: Uint32Array;
  readonly file: Uint32Array;
  readonly pos: Float64Array;
  readonly files: readonly DataFile[];
}

/** One commit's IndexUpdate, packed: removed rows name their file by path, added rows by DataFile. */
export interface PackedUpdate {
  readonly fromSnapshotId: bigint | null;
  readonly toSnapshotId: bigint | null;
  readonly clear: boolean;
  readonly removed: { readonly ids: PackedIds; readonly file: Uint32Array; readonly pos: Float64Array; readonly paths: readonly string[] };
  readonly added: { readonly ids: PackedIds; readonly file: Uint32Array; readonly pos: Float64Array; readonly files: readonly DataFile[] };
}

/** What the index thread starts with (workerData). */
export interface IndexThreadInit {
  readonly indexPath: string;
  readonly identity: RowIdentity;
  readonly tableUuid: string;
  /** After a transaction, the next waits this long (ms) unless the held updates grow large; default 1000. */
  readonly minTransactionIntervalMs?: number;
}

/** Main → index thread, handled strictly in order. */
export type IndexRequest =
  | { readonly type: 'update'; readonly update: PackedUpdate }
  | { readonly type: 'lookup'; readonly seq: number; readonly ids: PackedIds }
  /** Replace the index's entries with a complete cache's (after the updates posted before it). */
  | { readonly type: 'rewrite'; readonly rewrite: IndexRewrite }
  /** Another connection changed the index file: open it again (with this identity). */
  | { readonly type: 'reopen'; readonly identity: RowIdentity; readonly tableUuid: string }
  /** The applier waits for updates to persist: apply the held ones now. */
  | { readonly type: 'flush' }
  | { readonly type: 'close' };

/** Index thread → main. After `failed` the thread ignores everything but `close`. */
export type IndexReply =
  | { readonly type: 'ready' }
  | { readonly type: 'applied'; readonly entries: number }
  | { readonly type: 'found'; readonly seq: number; readonly positions: PackedPositions }
  | { readonly type: 'failed'; readonly failure: IndexFailure }
  | { readonly type: 'closed' };

/** A failure crossing from the index thread: its class name, message and stack. */
export interface IndexFailure {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
}

/** `error` as an IndexFailure. */
export function describeFailure(error: unknown): IndexFailure {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, stack: e.stack };
}

/** The error `failure` describes: a CorruptFileError stays one (the index's own errors), others are plain Errors of that name. */
export function failureError(failure: IndexFailure): Error {
  const error = failure.name === 'CorruptFileError' ? new CorruptFileError(failure.message) : Object.assign(new Error(failure.message), { name: failure.name });
  if (failure.stack !== undefined) error.stack = failure.stack;
  return error;
}

/** `ids` (idString form: one latin1 char per byte) in one buffer. */
export function packIdStrings(ids: readonly string[]): PackedIds {
  return packIds(ids.length, (i) => ids[i]!);
}

/** The `n` identities `idAt(0 .. n - 1)` (idString form) in one buffer. */
function packIds(n: number, idAt: (i: number) => string): PackedIds {
  const ends = new Uint32Array(n);
  let total = 0;
  for (let i = 0; i < n; i += 1) ends[i] = total += idAt(i).length;
  const bytes = new Uint8Array(total);
  let out: Buffer | undefined;
  let at = 0;
  for (let i = 0; i < n; i += 1) {
    const id = idAt(i);
    // short identities (keys) byte by byte: cheaper than a call into Buffer.write for each
    if (id.length <= 32) for (let j = 0; j < id.length; j += 1) bytes[at + j] = id.charCodeAt(j);
    else (out ??= Buffer.from(bytes.buffer)).write(id, at, 'latin1');
    at += id.length;
  }
  return { bytes, ends };
}

/** The identities of `packed` as views into its buffer. */
export function unpackIds(packed: PackedIds): Buffer[] {
  const out: Buffer[] = new Array(packed.ends.length);
  let from = 0;
  for (let i = 0; i < packed.ends.length; i += 1) {
    const to = packed.ends[i]!;
    out[i] = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset + from, to - from);
    from = to;
  }
  return out;
}

/** Rows of an IndexChange's `removed` or `added`, packed: identities, file numbers into the distinct files (first seen first), positions. */
function packRows(rows: IndexChange['added']): { ids: PackedIds; file: Uint32Array; pos: Float64Array; files: DataFile[] } {
  const refs = new Map<string, number>();
  const files: DataFile[] = [];
  const file = new Uint32Array(rows.length);
  const pos = new Float64Array(rows.length);
  let last: DataFile | undefined;
  let lastRef = 0;
  for (let i = 0; i < rows.length; i += 1) {
    const { dataFile, pos: p } = rows[i]!.position;
    if (dataFile !== last) {
      let ref = refs.get(dataFile.filePath);
      if (ref === undefined) {
        ref = files.push(dataFile) - 1;
        refs.set(dataFile.filePath, ref);
      }
      last = dataFile;
      lastRef = ref;
    }
    file[i] = lastRef;
    pos[i] = p;
  }
  return { ids: packIds(rows.length, (i) => rows[i]!.id), file, pos, files };
}

/** `change` as a PackedUpdate. */
export function packUpdate(change: IndexChange): PackedUpdate {
  const removed = packRows(change.removed);
  const added = packRows(change.added);
  return {
    fromSnapshotId: change.fromSnapshotId,
    toSnapshotId: change.toSnapshotId,
    clear: change.clear,
    removed: { ids: removed.ids, file: removed.file, pos: removed.pos, paths: removed.files.map((f) => f.filePath) },
    added,
  };
}

/** The IndexUpdate `packed` describes (identities are views into its buffers). */
export function unpackUpdate(packed: PackedUpdate): IndexUpdate {
  const { removed, added } = packed;
  const removedIds = unpackIds(removed.ids);
  const addedIds = unpackIds(added.ids);
  return {
    fromSnapshotId: packed.fromSnapshotId,
    toSnapshotId: packed.toSnapshotId,
    clear: packed.clear,
    removed: removedIds.map((id, i) => ({ id, filePath: removed.paths[removed.file[i]!]!, pos: removed.pos[i]! })),
    added: addedIds.map((id, i) => ({ id, dataFile: added.files[added.file[i]!]!, pos: added.pos[i]! })),
  };
}

/** Entries an update changes (its weight for backpressure). */
export function updateEntries(packed: PackedUpdate): number {
  return packed.removed.ids.ends.length + packed.added.ids.ends.length;
}

/** The buffers of `update` to transfer with it. */
export function updateTransfers(update: PackedUpdate): ArrayBuffer[] {
  const { removed: r, added: a } = update;
  return [r.ids.bytes, r.ids.ends, r.file, r.pos, a.ids.bytes, a.ids.ends, a.file, a.pos].map((x) => x.buffer as ArrayBuffer);
}

/** What a rewrite counts for among the entries pending on the index thread: its weight is the copy it carries, not a queue of changes. */
export const REWRITE_ENTRIES = 1;

/** The buffers of `rewrite` to transfer with it (the records' copy is the rewrite's own). */
export function rewriteTransfers(rewrite: IndexRewrite): ArrayBuffer[] {
  return [rewrite.dump.table.records.buffer as ArrayBuffer];
}

/** Collects found positions into a PackedPositions (each data file once). */
export class PositionsPacker {
  readonly #key: number[] = [];
  readonly #file: number[] = [];
  readonly #pos: number[] = [];
  readonly #files: DataFile[] = [];
  readonly #refs = new Map<string, number>();

  add(key: number, dataFile: DataFile, pos: number): void {
    let ref = this.#refs.get(dataFile.filePath);
    if (ref === undefined) {
      ref = this.#files.push(dataFile) - 1;
      this.#refs.set(dataFile.filePath, ref);
    }
    this.#key.push(key);
    this.#file.push(ref);
    this.#pos.push(pos);
  }

  done(): PackedPositions {
    return { key: Uint32Array.from(this.#key), file: Uint32Array.from(this.#file), pos: Float64Array.from(this.#pos), files: this.#files };
  }
}

/** The buffers of `positions` to transfer with them. */
export function positionsTransfers(positions: PackedPositions): ArrayBuffer[] {
  return [positions.key, positions.file, positions.pos].map((x) => x.buffer as ArrayBuffer);
}
