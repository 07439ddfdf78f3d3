/**
 * A table applier's key index: a write-through KeyCache on the main thread in front of the
 * index thread that owns the SQLite connection (index-thread.ts). `locate` answers a batch from
 * the cache and sends only its misses to the thread, as one message. Opening and re-syncing
 * (after another writer moved the table) run key-index-sync.ts on the main thread with a
 * short-lived connection of their own, once the thread has persisted everything.
 *
 * `record` updates the cache. While the cache is complete nothing reads SQLite, so the commit is
 * only counted (deferred); the index is brought up to date by a rewrite from the cache
 * (index-rewrite.ts: ~1 µs a row held, against several a change applied one by one) once the
 * deferred entries reach DEFER_BUDGET (at least twice the entries held: under ~0.6 µs a
 * change), `maxDeferMs` after the first one, before a commit that could make the cache evict,
 * before a resync and at close. Otherwise each commit's update is posted to the thread without
 * waiting. A crash while entries are deferred leaves the index at an older snapshot, which the
 * next open catches up from the table, or rebuilds when more than 2 M rows were added since
 * (a table the cache held whole: at most the cache's size).
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
  /** Deferred entries that trigger a rewrite are at least this many, and twice the entries held (default DEFER_BUDGET). */
  readonly minDeferredEntries?: number;
  /** A rewrite follows the first deferred entry after at most this long, ms (default DEFER_MS). */
  readonly maxDeferMs?: number;
}

/** Default TableIndexOptions.minDeferredEntries. */
const DEFER_BUDGET = 100_000;
/** Default TableIndexOptions.maxDeferMs: a slow trickle does not leave the index far behind. */
const DEFER_MS = 5 * 60_000;

/** How the index has been kept up to date so far (for tests and benchmarks). */
export interface Persistence {
  /** Entries recorded in the cache alone, not yet persisted. */
  readonly deferred: number;
  /** Entries posted to the thread and not yet persisted (a rewrite counts one). */
  readonly pending: number;
  /** Commits posted to the thread one by one. */
  readonly posted: number;
  /** Rewrites from the cache posted, and the main thread's ms copying the cache for them. */
  readonly rewrites: number;
  readonly rewriteMs: number;
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
  /** The snapshot the index file is at once everything posted to the thread persists. */
  #postedSnapshotId: bigint | null;
  readonly #lookups = { cached: 0, asked: 0 };
  #deferred = 0;
  #deferTimer: NodeJS.Timeout | undefined;
  readonly #stats = { posted: 0, rewrites: 0, rewriteMs: 0 };

  private constructor(options: TableIndexOptions, thread: IndexThread, cache: KeyCache, identity: RowIdentity, snapshotId: bigint | null) {
    this.#options = options;
    this.#thread = thread;
    this.#cache = cache;
    this.#identity = identity;
    this.#snapshotId = snapshotId;
    this.#postedSnapshotId = snapshotId;
  }

  /** Brings the index to `metadata`'s current snapshot, warms the cache from it, starts the thread. */
  static async open(options: TableIndexOptions, metadata: TableMetadata, identity: RowIdentity): Promise<{ index: TableIndex; opened: SyncResult; warmed: WarmResult }> {
    await closing.get(options.indexPath)?.catch(() => undefined);
    const cache = new KeyCache(capacityFor(options, identity), inlineKeyBytes(identity));
    const { opened, warmed } = await syncOnMain(options, metadata, identity, cache, true);
    const thread = await IndexThread.start({ indexPath: options.indexPath, identity, tableUuid: metadata.tableUuid });
    return { index: new TableIndex(options, thread, cache, identity, currentSnapshot(metadata)?.snapshotId ?? null), opened, warmed };
  }

  /** The snapshot the cache reflects, and the index once everything recorded persists. */
  get snapshotId(): bigint | null {
    return this.#snapshotId;
  }

  /** See Persistence. */
  get persistence(): Persistence {
    return { deferred: this.#deferred, pending: this.#thread.pending, ...this.#stats };
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

  /** Records a landed commit's index change: the cache now, the SQLite index later (see the module doc). */
  record(change: IndexChange): void {
    const entries = change.removed.length + change.added.length;
    // a commit that changes no entry (a checkpoint alone) is posted when nothing is deferred: it costs the thread nothing
    if (this.#cache.complete && this.#cache.fits(change) && (entries > 0 || this.#deferred > 0)) {
      this.#cache.record(change);
      this.#snapshotId = change.toSnapshotId;
      this.#defer(entries);
      return;
    }
    this.#persist(); // first: the cache may evict now, and its misses are then answered by the index
    this.#thread.post(packUpdate(change));
    this.#stats.posted += 1;
    this.#postedSnapshotId = change.toSnapshotId;
    this.#cache.record(change);
    this.#snapshotId = change.toSnapshotId;
  }

  #defer(entries: number): void {
    this.#deferred += Math.max(1, entries); // > 0 while the index is behind the cache
    const budget = Math.max(this.#options.minDeferredEntries ?? DEFER_BUDGET, 2 * this.#cache.size);
    if (this.#deferred >= budget) this.#persist();
    else if (this.#deferTimer === undefined) {
      // the failure a timed rewrite may meet (the thread failed) surfaces on the next call
      this.#deferTimer = setTimeout(() => {
        try {
          this.#persist();
        } catch {
          this.#deferTimer = undefined;
        }
      }, this.#options.maxDeferMs ?? DEFER_MS).unref();
    }
  }

  /** Posts a rewrite of the index from the cache when entries are deferred (the cache is then complete). */
  #persist(): void {
    clearTimeout(this.#deferTimer);
    this.#deferTimer = undefined;
    if (this.#deferred === 0) return;
    const started = performance.now();
    this.#thread.rewrite({ fromSnapshotId: this.#postedSnapshotId, toSnapshotId: this.#snapshotId, dump: this.#cache.dump() });
    this.#stats.rewriteMs += performance.now() - started;
    this.#stats.rewrites += 1;
    this.#postedSnapshotId = this.#snapshotId;
    this.#deferred = 0;
  }

  /** Brings the index to `metadata` (whose row identity may have changed) once the thread has persisted everything. */
  async resync(metadata: TableMetadata, identity: RowIdentity): Promise<SyncResult> {
    this.#persist();
    await this.#thread.drain(0);
    if (identitySignature(identity) !== identitySignature(this.#identity)) {
      this.#identity = identity;
      this.#cache = new KeyCache(capacityFor(this.#options, identity), inlineKeyBytes(identity));
    }
    try {
      const { opened } = await syncOnMain(this.#options, metadata, identity, this.#cache, false);
      this.#snapshotId = this.#postedSnapshotId = currentSnapshot(metadata)?.snapshotId ?? null;
      return opened;
    } finally {
      this.#thread.reopen(identity, metadata.tableUuid); // its connection cached the files table
    }
  }

  /** Persists everything (a rewrite when entries are deferred), then ends the index thread; rejects with a failure not yet surfaced. */
  close(): Promise<void> {
    const path = this.#options.indexPath;
    try {
      this.#persist();
    } catch {
      // the thread failed (the index is left behind, caught up at the next open): its close rejects with the failure
    }
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
