/**
 * The persisted row index of one table: identity bytes (primary key, or whole-row hash for
 * keyless tables) → (data file, position) of the live row, in a SQLite file, plus the Iceberg
 * snapshot id it reflects. Lookups and updates cost O(log n) per key, so a batch's work grows
 * with the batch, not the table. The table is the truth: the index is only ever updated after
 * the commit it describes, in one SQLite transaction that also records the new snapshot id, and
 * is caught up or rebuilt from the table when it lags (key-index-sync.ts).
 */
import Database from 'better-sqlite3';
import { CorruptFileError } from '../../core/errors.ts';
import { FileContent, type DataFile, type IcebergValue, type PartitionTuple } from '../../iceberg/spec/types.ts';
import type { RowPosition } from '../../iceberg/table/table-writer.ts';
import { idString, type RowIdentity } from './key-encoding.ts';
import { IndexWrites, keyString, Unexpected } from './key-index-writes.ts';

const FORMAT = '1';
/** Keys per lookup statement: 64 per `IN (...)` costs ~2 µs a key against ~3.5 µs for one `=` each (1 M-row index). */
const LOOKUP_CHUNK = 64;

/** One index row: an identity and where its live row sits. */
export interface IndexEntry {
  readonly id: Uint8Array;
  readonly dataFile: DataFile;
  readonly pos: number;
}

/** What to change in the index for one commit, applied atomically with the new snapshot id. */
export interface IndexUpdate {
  /** The snapshot the index reflects before this update (checked), null for an empty table. */
  readonly fromSnapshotId: bigint | null;
  readonly toSnapshotId: bigint | null;
  /** Forget every entry first (truncate, or a rebuild). */
  readonly clear?: boolean;
  readonly removed: readonly { readonly id: Uint8Array; readonly filePath: string; readonly pos: number }[];
  readonly added: readonly IndexEntry[];
}

/** `identity` as stored in the meta table: a change means the index must be rebuilt. */
export function identitySignature(identity: RowIdentity): string {
  const fields = identity.keyFields.length > 0 ? identity.keyFields : identity.fields;
  return JSON.stringify({ keyed: identity.keyFields.length > 0, fields: fields.map((f) => [f.id, f.type]) });
}

const tag = (_k: string, v: unknown): unknown =>
  typeof v === 'bigint' ? { $n: v.toString() } : v instanceof Uint8Array ? { $b: Buffer.from(v).toString('hex') } : v;
const untag = (_k: string, v: unknown): unknown => {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, string>;
    if (typeof o['$n'] === 'string') return BigInt(o['$n']);
    if (typeof o['$b'] === 'string') return new Uint8Array(Buffer.from(o['$b'], 'hex'));
  }
  return v;
};

/** A table's key index in one SQLite file. Synchronous; one process writes it at a time. */
export class KeyIndex {
  readonly #db: Database.Database;
  readonly #keyed: boolean;
  readonly #files = new Map<number, DataFile>();
  readonly #fileIds = new Map<string, number>();
  readonly #writes: IndexWrites;
  readonly #stmts: Record<'lookup' | 'lookupMany' | 'fileInsert' | 'metaSet', Database.Statement>;

  private constructor(db: Database.Database, keyed: boolean) {
    this.#db = db;
    this.#keyed = keyed;
    this.#stmts = {
      lookup: db.prepare('SELECT file, pos FROM rows WHERE id = ?').raw(),
      lookupMany: db.prepare(`SELECT id, file, pos FROM rows WHERE id IN (${new Array(LOOKUP_CHUNK).fill('?').join(', ')})`).raw(),
      fileInsert: db.prepare('INSERT INTO files (path, spec_id, partition, record_count, size) VALUES (?, ?, ?, ?, ?)'),
      metaSet: db.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)'),
    };
    this.#writes = new IndexWrites(db, keyed, { known: (path) => this.#fileIds.get(path), idOf: (file) => this.#fileId(file) });
    this.#reload();
  }

  #reload(): void {
    this.#files.clear();
    this.#fileIds.clear();
    for (const r of this.#db.prepare('SELECT id, path, spec_id, partition, record_count, size FROM files').all() as Record<string, unknown>[]) {
      this.#remember(Number(r['id']), {
        content: FileContent.Data,
        filePath: String(r['path']),
        fileFormat: 'PARQUET',
        specId: Number(r['spec_id']),
        partition: JSON.parse(String(r['partition']), untag) as PartitionTuple,
        recordCount: Number(r['record_count']),
        fileSizeInBytes: Number(r['size']),
      });
    }
  }

  /**
   * Opens (creating when absent) the index at `path` for a table with `identity`. An index of
   * another format, identity or table uuid is emptied and marked unknown, so it gets rebuilt.
   */
  static open(path: string, identity: RowIdentity, tableUuid: string): KeyIndex {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL syncs only at checkpoints, so the file stays consistent through an OS crash
      // and a lost tail is caught up from the table. OFF would save ~0.4 µs a change more, but an
      // OS crash during a checkpoint could then leave a torn B-tree that nothing here detects.
      db.pragma('synchronous = NORMAL');
      // A commit of 10 k random changes dirties most pages of a 1 M-row index: checkpointing after
      // every one (the default 1000 pages) copied them all back each time (bench/apply-merge.ts
      // index thread: 9.2 -> 7.5 µs a change). The WAL is kept at most 64 MiB between checkpoints.
      db.pragma('wal_autocheckpoint = 10000');
      db.pragma('journal_size_limit = 67108864');
      db.pragma('mmap_size = 1073741824');
      db.pragma('cache_size = -65536');
      db.exec('CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
      const meta = new Map((db.prepare('SELECT k, v FROM meta').all() as { k: string; v: string }[]).map((r) => [r.k, r.v]));
      const want = { format: FORMAT, identity: identitySignature(identity), 'table-uuid': tableUuid };
      const matches = Object.entries(want).every(([k, v]) => meta.get(k) === v);
      const keyed = identity.keyFields.length > 0;
      if (!matches) {
        db.exec('DROP TABLE IF EXISTS rows; DROP TABLE IF EXISTS files; DELETE FROM meta;');
        db.exec(
          keyed
            ? 'CREATE TABLE rows (id BLOB PRIMARY KEY, file INTEGER NOT NULL, pos INTEGER NOT NULL) WITHOUT ROWID'
            : 'CREATE TABLE rows (id BLOB NOT NULL, file INTEGER NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (id, file, pos)) WITHOUT ROWID',
        );
        db.exec('CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, spec_id INTEGER NOT NULL, partition TEXT NOT NULL, record_count INTEGER NOT NULL, size INTEGER NOT NULL)');
        const set = db.prepare('INSERT INTO meta (k, v) VALUES (?, ?)');
        for (const [k, v] of Object.entries(want)) set.run(k, v);
      }
      return new KeyIndex(db, keyed);
    } catch (error) {
      db.close();
      throw new CorruptFileError(`key index ${path}: cannot open: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The snapshot the index reflects: a snapshot id, null for an empty table, undefined when unknown (rebuild). */
  get snapshotId(): bigint | null | undefined {
    const row = this.#db.prepare("SELECT v FROM meta WHERE k = 'snapshot-id'").get() as { v: string } | undefined;
    if (row === undefined) return undefined;
    return row.v === '' ? null : BigInt(row.v);
  }

  /** Number of indexed rows (counts the whole index: for tests and logs, not hot paths). */
  size(): number {
    return Number((this.#db.prepare('SELECT count(*) AS n FROM rows').get() as { n: number }).n);
  }

  /** Live positions of each identity (`idString` → positions); absent identities have none. */
  lookup(ids: readonly Uint8Array[]): Map<string, RowPosition[]> {
    const out = new Map<string, RowPosition[]>();
    this.locate(ids, (key, dataFile, pos) => {
      const id = idString(ids[key]!);
      const at = out.get(id);
      if (at === undefined) out.set(id, [{ dataFile, pos }]);
      else at.push({ dataFile, pos });
    });
    return out;
  }

  /**
   * Calls `found` for each live position of each of `unsorted` (`key` = its index there), in
   * key byte order; absent identities get no call.
   */
  locate(unsorted: readonly Uint8Array[], found: (key: number, dataFile: DataFile, pos: number) => void): void {
    const keys = unsorted.map((id, i) => ({ i, k: keyString(id) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    const lookup = this.#stmts.lookup;
    let j = 0;
    if (this.#keyed) {
      const indexOf = new Map(keys.map((x) => [x.k, x.i]));
      const many = this.#stmts.lookupMany;
      for (; j + LOOKUP_CHUNK <= keys.length; j += LOOKUP_CHUNK) {
        for (const row of many.all(...keys.slice(j, j + LOOKUP_CHUNK).map((x) => unsorted[x.i])) as [Uint8Array, number, number][]) {
          found(indexOf.get(keyString(row[0]))!, this.#file(row[1]), row[2]);
        }
      }
      for (; j < keys.length; j += 1) {
        const row = lookup.get(unsorted[keys[j]!.i]) as [number, number] | undefined;
        if (row !== undefined) found(keys[j]!.i, this.#file(row[0]), row[1]);
      }
      return;
    }
    for (const { i } of keys) for (const row of lookup.all(unsorted[i]) as [number, number][]) found(i, this.#file(row[0]), row[1]);
  }

  /** Calls `visit` for the first `limit` index rows in key order (e.g. to warm a cache); returns how many it visited. */
  scan(limit: number, visit: (id: Uint8Array, dataFile: DataFile, pos: number) => void): number {
    let n = 0;
    for (const row of this.#db.prepare('SELECT id, file, pos FROM rows LIMIT ?').raw().iterate(limit) as IterableIterator<[Uint8Array, number, number]>) {
      visit(row[0], this.#file(row[1]), row[2]);
      n += 1;
    }
    return n;
  }

  /**
   * Applies one commit's changes and records `toSnapshotId`, in one transaction. Throws when the
   * index is not at `fromSnapshotId` or a keyed table would get a second row for one key.
   */
  apply(update: IndexUpdate): void {
    this.applyAll([update]);
  }

  /**
   * Applies consecutive commits' changes (each starts at the snapshot the one before ends at, or
   * clears) in one transaction that records the last one's `toSnapshotId`: pages they share are
   * written once. Throws as `apply` does, for the first update that does not fit; nothing is kept then.
   */
  applyAll(updates: readonly IndexUpdate[]): void {
    try {
      if (this.#transact(updates, 'chunked')) return;
      // The chunked path met something it did not expect (a moved key not where its removal
      // says, an added key present already) and rolled back: redone row by row, such updates end
      // exactly as they always have (a fallback, or an error naming the same row). A savepoint
      // per update would redo less, but costs ~0.6 µs a change on every update (SQLite then
      // copies each page the update touches).
      this.#reload();
      this.#transact(updates, 'row by row');
    } catch (error) {
      this.#reload(); // the transaction rolled back: drop file ids it had cached
      throw error;
    }
  }

  /** Applies `updates` in one transaction; false when the chunked path met something unexpected (nothing kept). */
  #transact(updates: readonly IndexUpdate[], how: 'chunked' | 'row by row'): boolean {
    try {
      this.#db.transaction(() => {
        let at = this.snapshotId;
        for (const update of updates) {
          this.#applyOne(update, at, how);
          at = update.toSnapshotId;
        }
        if (updates.length > 0) this.#stmts.metaSet.run('snapshot-id', at === null || at === undefined ? '' : at.toString());
      })();
      return true;
    } catch (error) {
      if (error instanceof Unexpected) return false;
      throw error;
    }
  }

  /** One update inside a transaction, on an index at snapshot `at`. */
  #applyOne(update: IndexUpdate, at: bigint | null | undefined, how: 'chunked' | 'row by row'): void {
    if (!update.clear && at !== update.fromSnapshotId) {
      throw new CorruptFileError(`key index is at snapshot ${String(at)}, update expects ${String(update.fromSnapshotId)}`);
    }
    if (update.clear) {
      this.#db.exec('DELETE FROM rows; DELETE FROM files;');
      this.#files.clear();
      this.#fileIds.clear();
    }
    if (how === 'chunked') this.#writes.chunked(update);
    else this.#writes.rowByRow(update);
  }

  /**
   * Replaces every entry with `entries` (in key byte order: appended to an emptied B-tree) and
   * records `toSnapshotId`, in one transaction. Throws CorruptFileError, keeping nothing, when
   * the index is not at `fromSnapshotId` or two entries share a key.
   */
  rewrite(fromSnapshotId: bigint | null, toSnapshotId: bigint | null, entries: Iterable<readonly IndexEntry[]>): void {
    try {
      this.#db.transaction(() => {
        const at = this.snapshotId;
        if (at !== fromSnapshotId) throw new CorruptFileError(`key index is at snapshot ${String(at)}, rewrite expects ${String(fromSnapshotId)}`);
        this.#db.exec('DELETE FROM rows; DELETE FROM files;');
        this.#files.clear();
        this.#fileIds.clear();
        for (const chunk of entries) this.#writes.insertAll(chunk);
        this.#stmts.metaSet.run('snapshot-id', toSnapshotId === null ? '' : toSnapshotId.toString());
      })();
    } catch (error) {
      this.#reload(); // rolled back: the file ids cached during it are gone
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new CorruptFileError('key index rewrite: two entries share one key', { cause: error });
      throw error;
    }
  }

  /**
   * Starts a rebuild: empties the index and forgets its snapshot, so a crash before
   * `finishRebuild` leaves it unknown (rebuilt again), never half-filled and trusted.
   */
  startRebuild(): void {
    this.#db.transaction(() => {
      this.#db.exec("DELETE FROM rows; DELETE FROM files; DELETE FROM meta WHERE k = 'snapshot-id';");
    })();
    this.#reload();
  }

  /** Adds entries during a rebuild, in one transaction (sorted by identity for B-tree locality). */
  addDuringRebuild(entries: readonly IndexEntry[]): void {
    const sorted = [...entries].sort((a, b) => Buffer.compare(a.id, b.id));
    try {
      this.#db.transaction(() => {
        this.#writes.insertAll(sorted);
      })();
    } catch (error) {
      this.#reload();
      if (this.#keyed && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new CorruptFileError(`key index rebuild: two live rows share one key (table has duplicate keys)`, { cause: error });
      }
      throw error;
    }
  }

  /** Completes a rebuild: the index now reflects `snapshotId` (null: empty table). */
  finishRebuild(snapshotId: bigint | null): void {
    this.#stmts.metaSet.run('snapshot-id', snapshotId === null ? '' : snapshotId.toString());
  }

  /** Forgets the snapshot id, so the next sync rebuilds (entries stay until then). */
  invalidate(): void {
    this.#db.prepare("DELETE FROM meta WHERE k = 'snapshot-id'").run();
  }

  close(): void {
    this.#db.close();
  }

  #remember(id: number, file: DataFile): void {
    this.#files.set(id, file);
    this.#fileIds.set(file.filePath, id);
  }

  #file(id: number): DataFile {
    const file = this.#files.get(id);
    if (file === undefined) throw new CorruptFileError(`key index: row refers to unknown file id ${id}`);
    return file;
  }

  #fileId(file: DataFile): number {
    const known = this.#fileIds.get(file.filePath);
    if (known !== undefined) return known;
    const partition = JSON.stringify(file.partition as readonly IcebergValue[], tag);
    const id = Number(this.#stmts.fileInsert.run(file.filePath, file.specId, partition, file.recordCount, file.fileSizeInBytes).lastInsertRowid);
    this.#remember(id, {
      content: FileContent.Data,
      filePath: file.filePath,
      fileFormat: file.fileFormat,
      specId: file.specId,
      partition: file.partition,
      recordCount: file.recordCount,
      fileSizeInBytes: file.fileSizeInBytes,
    });
    return id;
  }
}
