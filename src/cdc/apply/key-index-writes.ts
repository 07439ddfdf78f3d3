/**
 * Writes one commit's changes into the key index's `rows` table (key-index.ts runs them inside
 * its transactions): the chunked path for when all goes as expected, the row-by-row path that
 * has the last word otherwise.
 *
 * Only inserts go in multi-row statements. A better-sqlite3 call costs ~0.85 µs on its own, but
 * inside a transaction a multi-row statement that may abort copies each page it first touches
 * into a statement journal so it can undo itself, and a commit's keys are sparse (a 64-key chunk
 * of 10 k keys on a 1 M-row index touches ~35 pages): the copies cost what the calls saved.
 * `INSERT OR FAIL` needs no undo (a conflict keeps the statement's earlier rows, and the caller
 * drops the whole transaction then), so it has no journal. Moves and removes gain nothing: per
 * row, 64 a statement, 9 k random keys a transaction on a 1 M-row index, one UPDATE a call
 * takes 2.3 µs; an upsert checking the old position (a SQL function: `excluded` carries only the
 * new row) 3.2, journal included; UPDATE OR FAIL ... FROM (VALUES) 2.15 (no journal, but each row
 * is sought twice); and in the index thread's mix DELETE ... WHERE (id, file, pos) IN (VALUES)
 * took 3.3 µs a row against 2.9 for one DELETE a call. Inserts: one a call 2.2 µs, INSERT 3.0,
 * INSERT OR FAIL 1.7 (keys appended at the end: 1.35 -> 0.36).
 */
import type Database from 'better-sqlite3';
import { CorruptFileError } from '../../core/errors.ts';
import type { DataFile } from '../../iceberg/spec/types.ts';
import { idString } from './key-encoding.ts';
import type { IndexEntry, IndexUpdate } from './key-index.ts';

/** Rows per multi-row INSERT. */
export const INSERT_CHUNK = 64;

/** The index's file ids: `known` looks one up, `idOf` adds the file when new. */
export interface FileIds {
  known(path: string): number | undefined;
  idOf(file: DataFile): number;
}

/** Thrown by the chunked path when something was not as expected: roll the transaction back and go row by row. */
export class Unexpected extends Error {}

/** `idString(id)`, without a second view when `id` is a Buffer already (the index thread's ids are). */
export const keyString = (id: Uint8Array): string => (Buffer.isBuffer(id) ? id.toString('latin1') : idString(id));

/** `items` in key byte order, each with its `idString`: B-tree pages are then visited in order, each once (locality on big indexes). */
function byKey<T>(items: readonly T[], id: (item: T) => Uint8Array): { item: T; k: string }[] {
  return items.map((item) => ({ item, k: keyString(id(item)) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
}

type Removed = IndexUpdate['removed'][number];

/** Writes updates' rows through one connection; `keyed`: one row per identity (else identity = whole-row hash). */
export class IndexWrites {
  readonly #keyed: boolean;
  readonly #files: FileIds;
  readonly #insert: Database.Statement;
  readonly #remove: Database.Statement;
  readonly #move: Database.Statement;
  readonly #insertOrFail: Database.Statement;
  readonly #insertMany: Database.Statement;
  /** One chunk's bind values, reused. */
  readonly #args = new Array<unknown>(3 * INSERT_CHUNK);

  constructor(db: Database.Database, keyed: boolean, files: FileIds) {
    this.#keyed = keyed;
    this.#files = files;
    this.#insert = db.prepare('INSERT INTO rows (id, file, pos) VALUES (?, ?, ?)');
    this.#remove = db.prepare('DELETE FROM rows WHERE id = ? AND file = ? AND pos = ?');
    this.#move = db.prepare('UPDATE rows SET file = ?, pos = ? WHERE id = ? AND file = ? AND pos = ?');
    this.#insertOrFail = db.prepare('INSERT OR FAIL INTO rows (id, file, pos) VALUES (?, ?, ?)');
    this.#insertMany = db.prepare(`INSERT OR FAIL INTO rows (id, file, pos) VALUES ${new Array<string>(INSERT_CHUNK).fill('(?, ?, ?)').join(', ')}`);
  }

  /**
   * Applies `update` as `rowByRow` does when each moved key is where its removal says and no
   * added key is present already, inserts in chunks; throws Unexpected otherwise, some writes done.
   */
  chunked(update: IndexUpdate): void {
    if (!this.#keyed) {
      for (const r of update.removed) this.#removeOne(r);
      this.#insertChunked(update.added);
      return;
    }
    const moved = new Map(update.removed.map((r) => [keyString(r.id), r]));
    const inserts: IndexEntry[] = [];
    for (const { item: e, k: key } of byKey(update.added, (a) => a.id)) {
      const from = moved.get(key);
      if (from === undefined) inserts.push(e);
      else {
        moved.delete(key);
        if (!this.#moveOne(e, from)) throw new Unexpected(`key index: a key is not at ${from.filePath} position ${from.pos}`);
      }
    }
    this.#insertChunked(inserts);
    for (const r of moved.values()) this.#removeOne(r);
  }

  /**
   * Applies `update` one row per call. Keyed: a key removed and added again (an update) is one
   * UPDATE, or DELETE + INSERT when it is not where its removal says; a second live row for a
   * key throws CorruptFileError naming it. A removal matching no row is ignored.
   */
  rowByRow(update: IndexUpdate): void {
    if (!this.#keyed) {
      for (const r of update.removed) this.#removeOne(r);
      for (const e of update.added) this.#insertOne(e);
      return;
    }
    const moved = new Map(update.removed.map((r) => [keyString(r.id), r]));
    for (const { item: e, k: key } of byKey(update.added, (a) => a.id)) {
      const from = moved.get(key);
      if (from !== undefined) {
        moved.delete(key);
        if (this.#moveOne(e, from)) continue;
        this.#removeOne(from);
      }
      this.#insertOne(e);
    }
    for (const r of moved.values()) this.#removeOne(r);
  }

  /**
   * Inserts `entries` in chunks (a rebuild's; sorted by key for locality). A present key (keyed)
   * or row (keyless) throws SQLite's SQLITE_CONSTRAINT_PRIMARYKEY, part of them inserted.
   */
  insertAll(entries: readonly IndexEntry[]): void {
    const args = this.#args;
    let i = 0;
    for (; i + INSERT_CHUNK <= entries.length; i += INSERT_CHUNK) {
      for (let j = 0; j < INSERT_CHUNK; j += 1) {
        const e = entries[i + j]!;
        args[3 * j] = e.id;
        args[3 * j + 1] = this.#files.idOf(e.dataFile);
        args[3 * j + 2] = e.pos;
      }
      this.#insertMany.run(args);
    }
    for (; i < entries.length; i += 1) this.#insertOrFail.run(entries[i]!.id, this.#files.idOf(entries[i]!.dataFile), entries[i]!.pos);
  }

  #insertChunked(entries: readonly IndexEntry[]): void {
    try {
      this.insertAll(entries);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new Unexpected('key index: an added row is present already', { cause: error });
      throw error;
    }
  }

  /** Moves `e`'s key from where `from` says; false when it is not there (or that file was never indexed). */
  #moveOne(e: IndexEntry, from: Removed): boolean {
    const file = this.#files.known(from.filePath);
    return file !== undefined && this.#move.run(this.#files.idOf(e.dataFile), e.pos, e.id, file, from.pos).changes === 1;
  }

  #removeOne(r: Removed): void {
    const file = this.#files.known(r.filePath);
    if (file !== undefined) this.#remove.run(r.id, file, r.pos);
  }

  #insertOne(e: IndexEntry): void {
    try {
      this.#insert.run(e.id, this.#files.idOf(e.dataFile), e.pos);
    } catch (error) {
      if (this.#keyed && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new CorruptFileError(`key index: two live rows share one key (second at ${e.dataFile.filePath} position ${e.pos})`, { cause: error });
      }
      throw error;
    }
  }
}
