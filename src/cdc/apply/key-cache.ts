/**
 * A bounded in-memory map in front of a keyed table's key index, on the main thread: identity
 * (`idString`) → the live row's position, or known absent. It is write-through: every change
 * to the index passes through it (`record`, and the sync of key-index-sync.ts through
 * `cachedSyncTarget`), so an entry is always a fact about the index. While it holds every
 * identity of the index (`complete`: filled from an index that fit, or emptied by a truncate
 * or rebuild, and nothing evicted since), a miss means absent and needs no index lookup.
 * Full: the oldest entry (insertion order) goes, and the cache is no longer complete.
 *
 * Memory: a Map entry, the identity string and 12 bytes of slot; ~110 bytes per entry for
 * 10-byte keys measured (bench/apply-merge.ts prints it).
 */
import type { DataFile } from '../../iceberg/spec/types.ts';
import type { RowPosition } from '../../iceberg/table/table-writer.ts';
import { idString } from './key-encoding.ts';
import type { IndexEntry } from './key-index.ts';
import type { SyncTarget } from './key-index-sync.ts';

const ABSENT = -1;

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
  /** idString → slot, or ABSENT. */
  readonly #slots = new Map<string, number>();
  #file = new Uint32Array(0);
  #pos = new Float64Array(0);
  #used = 0;
  readonly #free: number[] = [];
  readonly #files: DataFile[] = [];
  readonly #fileRefs = new Map<string, number>();
  /** The oldest entries first: survives deletes and rehashes, so eviction is O(1). */
  #oldest: Iterator<string> | undefined;
  #complete = false;

  /** A cache of up to `capacity` entries (0: caches nothing), empty and not complete. */
  constructor(capacity: number) {
    this.capacity = Math.max(0, Math.floor(capacity));
  }

  /** Entries held, known-absent ones included. */
  get size(): number {
    return this.#slots.size;
  }

  /** Every identity of the index is here: a miss means absent. */
  get complete(): boolean {
    return this.#complete;
  }

  /** The position of `id`: a position, null when known absent, undefined when unknown. */
  get(id: string): RowPosition | null | undefined {
    const slot = this.#slots.get(id);
    if (slot === undefined) return this.#complete ? null : undefined;
    if (slot === ABSENT) return null;
    return { dataFile: this.#files[this.#file[slot]!]!, pos: this.#pos[slot]! };
  }

  /** Records that `id` lives at `position` (evicting the oldest entry when full). */
  setPresent(id: string, position: RowPosition): void {
    if (this.capacity === 0) return;
    let slot = this.#slots.get(id);
    if (slot === undefined || slot === ABSENT) {
      if (slot === undefined && this.#slots.size >= this.capacity) this.#evictOldest();
      slot = this.#takeSlot();
      this.#slots.set(id, slot);
    }
    this.#file[slot] = this.#fileRef(position.dataFile);
    this.#pos[slot] = position.pos;
  }

  /** Records that `id` has no live row. */
  setAbsent(id: string): void {
    const slot = this.#slots.get(id);
    if (slot !== undefined && slot !== ABSENT) this.#free.push(slot);
    if (this.#complete) {
      this.#slots.delete(id); // a miss says absent already
      return;
    }
    if (this.capacity === 0) return;
    if (slot === undefined && this.#slots.size >= this.capacity) this.#evictOldest();
    this.#slots.set(id, ABSENT);
  }

  /** Adds an entry while filling from an index without evicting; false (and no longer complete) when full. */
  fill(id: string, position: RowPosition): boolean {
    if (this.#slots.size >= this.capacity && !this.#slots.has(id)) {
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

  /** Applies one commit's index change: removed identities become absent, added ones present. */
  record(change: IndexChange): void {
    if (change.clear) this.clear();
    for (const r of change.removed) this.setAbsent(r.id);
    for (const a of change.added) this.setPresent(a.id, a.position);
  }

  #forget(): void {
    this.#slots.clear();
    this.#oldest = undefined;
    this.#used = 0;
    this.#free.length = 0;
    this.#files.length = 0;
    this.#fileRefs.clear();
  }

  #evictOldest(): void {
    this.#complete = false;
    let next = this.#oldest?.next();
    if (next === undefined || next.done === true) {
      this.#oldest = this.#slots.keys();
      next = this.#oldest.next();
    }
    if (next.done === true) return;
    const slot = this.#slots.get(next.value)!;
    if (slot !== ABSENT) this.#free.push(slot);
    this.#slots.delete(next.value);
  }

  #takeSlot(): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.#used === this.#file.length) {
      const size = Math.min(this.capacity, Math.max(1024, this.#file.length * 2));
      const file = new Uint32Array(size);
      file.set(this.#file);
      const pos = new Float64Array(size);
      pos.set(this.#pos);
      this.#file = file;
      this.#pos = pos;
    }
    return this.#used++;
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
