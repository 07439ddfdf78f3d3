/**
 * A table applier's key index: a write-through KeyCache on the main thread in front of the
 * index thread that owns the SQLite connection (index-thread.ts). `locate` answers a batch from
 * the cache and sends only its misses to the thread, as one message; `record` updates the cache
 * and posts the commit's update without waiting. Opening and re-syncing (after another writer
 * moved the table) run key-index-sync.ts on the main thread with a short-lived connection of
 * their own, once the thread has persisted everything posted to it.
 */
import type { FileIO } from '../../io/file-io.ts';
import type { TableMetadata } from '../../iceberg/spec/types.ts';
import { currentSnapshot } from '../../iceberg/table/metadata-access.ts';
import type { RowPosition } from '../../iceberg/table/table-writer.ts';
import { IndexThread } from './index-thread.ts';
import { packIdStrings, packUpdate } from './index-wire.ts';
import { cachedSyncTarget, inlineKeyBytes, KeyCache, type IndexChange } from './key-cache.ts';
import { idString, type RowIdentity } from './key-encoding.ts';
import { identitySignature, KeyIndex } from './key-index.ts';
import { syncKeyIndex, type SyncResult } from './key-index-sync.ts';
import type { CollapsedBatch } from './plan-batch.ts';

/** Where the index lives and how much of it the main thread keeps. */
export interface TableIndexOptions {
  readonly indexPath: string;
  readonly io: FileIO;
  /** The table's name, for errors. */
  readonly name: string;
  /** Cache capacity in identities (keyed tables; keyless ones always ask the thread). */
  readonly cacheEntries: number;
  /** `locate` waits for the thread while more updated entries than this are unpersisted. */
  readonly maxPendingEntries: number;
}

/** How the cache was filled at open: entries, whether that was the whole index, ms. */
export interface WarmResult {
  readonly entries: number;
  readonly complete: boolean;
  readonly ms: number;
}

/** Closes in progress by index path: an open waits for the close of the same file (a caller may not await it). */
const closing = new Map<string, Promise<void>>();

/** See the module doc. */
export class TableIndex {
  readonly #options: TableIndexOptions;
  readonly #thread: IndexThread;
  #cache: KeyCache;
  #identity: RowIdentity;
  #snapshotId: bigint | null;
  readonly #lookups = { cached: 0, asked: 0 };

  private constructor(options: TableIndexOptions, thread: IndexThread, cache: KeyCache, identity: RowIdentity, snapshotId: bigint | null) {
    this.#options = options;
    this.#thread = thread;
    this.#cache = cache;
    this.#identity = identity;
    this.#snapshotId = snapshotId;
  }

  /** Brings the index to `metadata`'s current snapshot, warms the cache from it, starts the thread. */
  static async open(options: TableIndexOptions, metadata: TableMetadata, identity: RowIdentity): Promise<{ index: TableIndex; opened: SyncResult; warmed: WarmResult }> {
    await closing.get(options.indexPath)?.catch(() => undefined);
    const cache = new KeyCache(capacityFor(options, identity), inlineKeyBytes(identity));
    const { opened, warmed } = await syncOnMain(options, metadata, identity, cache, true);
    const thread = await IndexThread.start({ indexPath: options.indexPath, identity, tableUuid: metadata.tableUuid });
    return { index: new TableIndex(options, thread, cache, identity, currentSnapshot(metadata)?.snapshotId ?? null), opened, warmed };
  }

  /** The snapshot the index reflects once the updates posted so far persist. */
  get snapshotId(): bigint | null {
    return this.#snapshotId;
  }

  /** Identities located so far: answered by the cache, and sent to the index thread. */
  get lookups(): { readonly cached: number; readonly asked: number } {
    return { ...this.#lookups };
  }

  /** Live positions of the identities `planWrites` needs for `batch` (`idString` → positions). */
  async locate(batch: CollapsedBatch): Promise<Map<string, RowPosition[]>> {
    await this.#thread.drain(this.#options.maxPendingEntries);
    const keys = batch.truncate ? [] : batch.keyed ? [...batch.finals.keys()] : [...batch.keylessDeletes.keys()];
    const located = new Map<string, RowPosition[]>();
    const misses: string[] = [];
    const hits = this.#cache.getAll(keys);
    for (let i = 0; i < keys.length; i += 1) {
      const hit = hits[i];
      if (hit === undefined) misses.push(keys[i]!);
      else if (hit !== null) located.set(keys[i]!, [hit]);
      else this.#lookups.cached += 1;
    }
    this.#lookups.cached += located.size;
    this.#lookups.asked += misses.length;
    if (misses.length === 0) return located;
    const found = await this.#thread.lookup(packIdStrings(misses));
    for (let j = 0; j < found.key.length; j += 1) {
      const id = misses[found.key[j]!]!;
      const position = { dataFile: found.files[found.file[j]!]!, pos: found.pos[j]! };
      const at = located.get(id);
      if (at === undefined) located.set(id, [position]);
      else at.push(position);
    }
    if (batch.keyed) {
      for (const k of misses) {
        const at = located.get(k);
        if (at === undefined) this.#cache.setAbsent(k);
        else this.#cache.setPresent(k, at[0]!);
      }
    }
    return located;
  }

  /** Records a landed commit's index change: the cache now, the index thread in the background. */
  record(change: IndexChange): void {
    this.#thread.post(packUpdate(change));
    this.#cache.record(change);
    this.#snapshotId = change.toSnapshotId;
  }

  /** Brings the index to `metadata` (whose row identity may have changed) once the thread has persisted all it was sent. */
  async resync(metadata: TableMetadata, identity: RowIdentity): Promise<SyncResult> {
    await this.#thread.drain(0);
    if (identitySignature(identity) !== identitySignature(this.#identity)) {
      this.#identity = identity;
      this.#cache = new KeyCache(capacityFor(this.#options, identity), inlineKeyBytes(identity));
    }
    try {
      const { opened } = await syncOnMain(this.#options, metadata, identity, this.#cache, false);
      this.#snapshotId = currentSnapshot(metadata)?.snapshotId ?? null;
      return opened;
    } finally {
      this.#thread.reopen(identity, metadata.tableUuid); // its connection cached the files table
    }
  }

  /** Waits for the index thread to persist everything, then ends it; rejects with a failure not yet surfaced. */
  close(): Promise<void> {
    const path = this.#options.indexPath;
    const done = this.#thread.close().finally(() => {
      if (closing.get(path) === done) closing.delete(path);
    });
    closing.set(path, done);
    return done;
  }
}

const capacityFor = (options: TableIndexOptions, identity: RowIdentity): number => (identity.keyFields.length > 0 ? options.cacheEntries : 0);

/** Syncs the index file on this thread with the cache written through; at open, then warms the cache from it. */
async function syncOnMain(options: TableIndexOptions, metadata: TableMetadata, identity: RowIdentity, cache: KeyCache, warm: boolean): Promise<{ opened: SyncResult; warmed: WarmResult }> {
  const index = KeyIndex.open(options.indexPath, identity, metadata.tableUuid);
  try {
    const opened = await syncKeyIndex(options.io, metadata, cachedSyncTarget(index, cache), identity, options.name);
    const started = performance.now();
    if (warm && opened.mode !== 'rebuilt') {
      cache.clear();
      if (cache.capacity > 0) index.scan(cache.capacity + 1, (id, dataFile, pos) => cache.fill(idString(id), { dataFile, pos }));
      else cache.reset();
    }
    return { opened, warmed: { entries: cache.size, complete: cache.complete, ms: performance.now() - started } };
  } catch (error) {
    cache.reset(); // a sync that failed part way may have changed the index past what the cache saw
    throw error;
  } finally {
    index.close();
  }
}
