/**
 * A bounded in-memory map in front of a keyed table's key index, on the main thread: identity
 * (`idString`) → the live row's position, or known absent. It is write-through: every change
 * to the index passes through it (`record`, and the sync of key-index-sync.ts through
 * `cachedSyncTarget`), so an entry is always a fact about the index. While it holds every
 * identity of the index (`complete`: filled from an index that fit, or emptied by a truncate
 * or rebuild, and nothing evicted since), a miss means absent and needs no index lookup.
 * Full: the oldest entry (insertion order) goes, and the cache is no longer complete.
 *
 * Memory: typed arrays (position-table.ts), ~50 bytes per entry for a long key (measured by
 * bench/apply-merge.ts), none of it traced by the garbage collector.
 */
import type { DataFile } from '../../iceberg/spec/types.ts';
import type { RowPosition } from '../../iceberg/table/table-writer.ts';
import { idString, type RowIdentity } from './key-encoding.ts';
import type { IndexEntry } from './key-index.ts';
import type { SyncTarget } from './key-index-sync.ts';
import { PositionTable } from './position-table.ts';

/** File ref of a known-absent entry. */
const ABSENT = -1;

/** Encoded bytes of each fixed-size key type (flag, length, value: key-encoding.ts); others count as 16. */
const KEY_BYTES: Readonly<Record<string, number>> = { boolean: 3, int: 10, long: 10, date: 10, time: 10, timestamp: 10, timestamptz: 10, float: 10, double: 10, uuid: 34 };

/** How many identity bytes to store inline for `identity`'s keys: exact for fixed-size keys, at most 64. */
export function inlineKeyBytes(identity: RowIdentity): number {
  return Math.min(64, identity.keyFields.reduce((n, f) => n + (KEY_BYTES[f.type.type] ?? 16), 0));
}

/** One commit's index change with identities as `idString` (what `planWrites` produced). */
export interface IndexChange {
  readonly fromSnapshotId: bigint | null;
  readonly toSnapshotId: bigint | null;
  /** The index was emptied first (truncate). */
  readonly clear: boolean;
  readonly removed: readonly { readonly id: string; readonly position: RowPosition }[];
  readonly added: readonly { readonly id: string; readonly position: RowPosition }[];
}

/** Identity → position (or known absent) for up to `capacity` identities; see the module doc. */
export class KeyCache {
  readonly capacity: number;
  readonly #table: PositionTable;
  readonly #files: DataFile[] = [];
  readonly #fileRefs = new Map<string, number>();
  #complete = false;

  /** A cache of up to `capacity` entries (0: caches nothing), empty and not complete; identities up to `keyBytes` are stored inline. */
  constructor(capacity: number, keyBytes = 16) {
    this.capacity = Math.max(0, Math.floor(capacity));
    this.#table = new PositionTable(this.capacity, keyBytes);
  }

  /** Entries held, known-absent ones included. */
  get size(): number {
    return this.#table.size;
  }

  /** Every identity of the index is here: a miss means absent. */
  get complete(): boolean {
    return this.#complete;
  }

  /** The position of `id`: a position, null when known absent, undefined when unknown. */
  get(id: string): RowPosition | null | undefined {
    const slot = this.#table.find(id);
    if (slot < 0) return this.#complete ? null : undefined;
    const file = this.#table.file(slot);
    return file === ABSENT ? null : { dataFile: this.#files[file]!, pos: this.#table.pos(slot) };
  }

  /** Records that `id` lives at `position` (evicting the oldest entry when full). */
  setPresent(id: string, position: RowPosition): void {
    if (this.capacity === 0) return;
    const file = this.#fileRef(position.dataFile);
    const slot = this.#table.find(id);
    if (slot >= 0) return this.#table.set(slot, file, position.pos);
    if (this.#table.size >= this.capacity) this.#evictOldest();
    this.#table.add(id, file, position.pos);
  }

  /** Records that `id` has no live row. */
  setAbsent(id: string): void {
    if (this.capacity === 0) return;
    const slot = this.#table.find(id);
    if (this.#complete) {
      if (slot >= 0) this.#table.remove(slot); // a miss says absent already
      return;
    }
    if (slot >= 0) return this.#table.set(slot, ABSENT, 0);
    if (this.#table.size >= this.capacity) this.#evictOldest();
    this.#table.add(id, ABSENT, 0);
  }

  /** Adds an entry while filling from an index without evicting; false (and no longer complete) when full. */
  fill(id: string, position: RowPosition): boolean {
    if (this.#table.size >= this.capacity && this.#table.find(id) < 0) {
      this.#complete = false;
      return false;
    }
    this.setPresent(id, position);
    return true;
  }

  /** The index was emptied: so is the cache, which now holds every identity there is (none). */
  clear(): void {
    this.#forget();
    this.#complete = this.capacity > 0;
  }

  /** Forgets everything, complete no longer (the index changed in ways the cache did not see). */
  reset(): void {
    this.#forget();
    this.#complete = false;
  }

  /** Applies one commit's index change: removed identities become absent, added ones present (a moved key is updated in place). */
  record(change: IndexChange): void {
    if (change.clear) this.clear();
    const readded = change.removed.length > 0 && change.added.length > 0 ? new Set(change.added.map((a) => a.id)) : undefined;
    for (const r of change.removed) if (readded?.has(r.id) !== true) this.setAbsent(r.id);
    for (const a of change.added) this.setPresent(a.id, a.position);
  }

  #forget(): void {
    this.#table.clear();
    this.#files.length = 0;
    this.#fileRefs.clear();
  }

  #evictOldest(): void {
    this.#complete = false;
    const slot = this.#table.oldest();
    if (slot >= 0) this.#table.remove(slot);
  }

  #fileRef(file: DataFile): number {
    let ref = this.#fileRefs.get(file.filePath);
    if (ref === undefined) {
      ref = this.#files.push(file) - 1;
      this.#fileRefs.set(file.filePath, ref);
    }
    return ref;
  }
}

/**
 * `index` for syncKeyIndex with `cache` written through: catch-up updates are recorded, a
 * rebuild empties the cache and fills it with what it adds, up to capacity.
 */
export function cachedSyncTarget(index: SyncTarget, cache: KeyCache): SyncTarget {
  return {
    get snapshotId() {
      return index.snapshotId;
    },
    apply(update) {
      index.apply(update);
      if (update.clear) cache.clear();
      for (const r of update.removed) cache.setAbsent(idString(r.id));
      for (const a of update.added) cache.setPresent(idString(a.id), a);
    },
    startRebuild() {
      index.startRebuild();
      cache.clear();
    },
    addDuringRebuild(entries: readonly IndexEntry[]) {
      index.addDuringRebuild(entries);
      for (const e of entries) if (!cache.fill(idString(e.id), e)) break;
    },
    finishRebuild(snapshotId) {
      index.finishRebuild(snapshotId);
    },
  };
}
