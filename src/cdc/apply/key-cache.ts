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
import { PositionTable, type PositionTableDump } from './position-table.ts';

/** File ref of a known-absent entry. */
const ABSENT = -1;
/** ABSENT, for readers of a CacheDump. */
export const ABSENT_FILE = ABSENT;
/** No slot. */
const NONE = -1;

/** Encoded bytes of each fixed-size key type (flag, length, value: key-encoding.ts); others count as 16. */
const KEY_BYTES: Readonly<Record<string, number>> = { boolean: 3, int: 10, long: 10, date: 10, time: 10, timestamp: 10, timestamptz: 10, float: 10, double: 10, uuid: 34 };

/** How many identity bytes to store inline for `identity`'s keys: exact for fixed-size keys, at most 64. */
export function inlineKeyBytes(identity: RowIdentity): number {
  return Math.min(64, identity.keyFields.reduce((n, f) => n + (KEY_BYTES[f.type.type] ?? 16), 0));
}

/** A position `KeyCache.get` found, with the entry's slot: `record` of the same identity skips the hash lookup when the slot still holds it. */
export interface CachedPosition extends RowPosition {
  readonly slot: number;
}

/** One commit's index change with identities as `idString` (what `planWrites` produced). */
export interface IndexChange {
  readonly fromSnapshotId: bigint | null;
  readonly toSnapshotId: bigint | null;
  /** The index was emptied first (truncate). */
  readonly clear: boolean;
  /**
   * Positions may be CachedPositions (from `get`, through `locate` and `planWrites`); `readded`:
   * the identity is among `added` too (when not given, `record` looks).
   */
  readonly removed: readonly { readonly id: string; readonly position: RowPosition; readonly readded?: boolean }[];
  readonly added: readonly { readonly id: string; readonly position: RowPosition }[];
}

/** A copy of a cache's entries (`KeyCache.dump`), structured-clonable: a DumpReader reads the table; file refs index `files`, ABSENT_FILE marks a known-absent entry. */
export interface CacheDump {
  readonly table: PositionTableDump;
  /** The data files entries refer to, by file ref. */
  readonly files: readonly DataFile[];
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
  get(id: string): CachedPosition | null | undefined {
    return this.#positionAt(this.#table.find(id));
  }

  /** `get` of each of `ids`, quicker than one by one on a cache larger than the CPU caches. */
  getAll(ids: readonly string[]): (CachedPosition | null | undefined)[] {
    const slots = new Int32Array(ids.length);
    this.#table.findAll(ids, slots);
    const out: (CachedPosition | null | undefined)[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i += 1) out[i] = this.#positionAt(slots[i]!);
    return out;
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
    if (slot >= 0) this.#setAbsentAt(slot);
    else if (!this.#complete) this.#addAbsent(id); // complete: a miss says absent already
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

  /** A copy of every entry, for another thread (costs a memcpy of the records, no per-entry work). */
  dump(): CacheDump {
    return { table: this.#table.dump(), files: [...this.#files] };
  }

  /**
   * True when `record(change)` would evict nothing (a complete cache stays complete): the
   * identities it adds that are not held, less those it removes for good that are, fit. Quick
   * when all added ones would fit as new; else removed identities whose CachedPosition slot
   * still holds them count as held without a lookup, and the rest are looked up only when the
   * bound that gives does not settle it.
   */
  fits(change: IndexChange): boolean {
    const held = change.clear ? 0 : this.#table.size;
    if (held + change.added.length <= this.capacity) return true;
    const addedIds = new Set(change.added.map((a) => a.id));
    if (change.clear) return addedIds.size <= this.capacity;
    const present = new Set<string>();
    const unhinted = new Set<string>();
    let gone = 0;
    for (const r of change.removed) {
      // record drops an identity (complete) unless it is added back
      const forGood = this.#complete && r.readded !== true && !addedIds.has(r.id);
      if (present.has(r.id)) continue;
      if (this.#table.holds((r.position as Partial<CachedPosition>).slot ?? NONE, r.id)) {
        present.add(r.id);
        if (forGood) gone += 1;
      } else if (forGood) unhinted.add(r.id);
    }
    const unknown = [...addedIds].filter((id) => !present.has(id));
    if (held - gone + unknown.length <= this.capacity) return true;
    const fresh = this.#countAbsent(unknown);
    const maybeGone = [...unhinted].filter((id) => !present.has(id));
    return held - gone - (maybeGone.length - this.#countAbsent(maybeGone)) + fresh <= this.capacity;
  }

  /** How many of `ids` the cache holds no entry for. */
  #countAbsent(ids: readonly string[]): number {
    const slots = new Int32Array(ids.length);
    this.#table.findAll(ids, slots);
    return slots.filter((slot) => slot < 0).length;
  }

  /**
   * Applies one commit's index change: removed identities become absent, then added ones
   * present; a removed one that is re-added (a moved key) is updated in place. Removed
   * identities are found by the slot their CachedPosition names while it still holds them, and
   * a re-added one hands its slot on to its added entry (the next added one of that identity,
   * as planWrites orders them), so a moved key is looked up once, in `locate`. Those slots'
   * records are read ahead first: writing the commit's files in between has pushed them out
   * of the CPU caches (0.50 -> 0.42 us a change when a 64 MB sweep ran in between).
   */
  record(change: IndexChange): void {
    if (change.clear) this.clear();
    if (this.capacity === 0) return;
    const { removed, added } = change;
    const table = this.#table;
    let addedIds: Set<string> | undefined; // only for removed entries that do not say whether they are re-added
    const movedIds: string[] = [];
    const movedSlots: number[] = [];
    const hints = new Int32Array(removed.length);
    for (let i = 0; i < removed.length; i += 1) hints[i] = (removed[i]!.position as Partial<CachedPosition>).slot ?? NONE;
    table.readAhead(hints);
    for (let i = 0; i < removed.length; i += 1) {
      const r = removed[i]!;
      const hint = hints[i]!;
      if (r.readded ?? (addedIds ??= new Set(added.map((a) => a.id))).has(r.id)) {
        if (movedIds[movedIds.length - 1] !== r.id) {
          movedIds.push(r.id);
          movedSlots.push(hint);
        }
        continue;
      }
      const slot = table.holds(hint, r.id) ? hint : table.find(r.id);
      if (slot >= 0) this.#setAbsentAt(slot);
      else if (!this.#complete) this.#addAbsent(r.id); // complete: a miss says absent already
    }
    let moved = 0;
    for (const { id, position } of added) {
      const slot = moved < movedIds.length && movedIds[moved] === id ? movedSlots[moved++]! : NONE;
      if (table.holds(slot, id)) table.set(slot, this.#fileRef(position.dataFile), position.pos);
      else this.setPresent(id, position);
    }
  }

  #forget(): void {
    this.#table.clear();
    this.#files.length = 0;
    this.#fileRefs.clear();
  }

  /** What `get` answers for the entry at `slot` (-1: none). */
  #positionAt(slot: number): CachedPosition | null | undefined {
    if (slot < 0) return this.#complete ? null : undefined;
    const file = this.#table.file(slot);
    return file === ABSENT ? null : { dataFile: this.#files[file]!, pos: this.#table.pos(slot), slot };
  }

  #setAbsentAt(slot: number): void {
    if (this.#complete) this.#table.remove(slot); // a miss says absent
    else this.#table.set(slot, ABSENT, 0);
  }

  #addAbsent(id: string): void {
    if (this.#table.size >= this.capacity) this.#evictOldest();
    this.#table.add(id, ABSENT, 0);
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
