/**
 * Planning one batch of changes for one table, pure. `collapseBatch` folds the batch in source
 * order into the net effect per row identity (last change per key wins; a truncate voids what
 * came before it and empties the table first); `planWrites` then turns that, with the key
 * index's positions of the live rows, into what one Iceberg commit must write.
 *
 * Truncate: the commit removes every live file (`removeAll`) and adds the rows the batch
 * upserted after the truncate, so the table goes from "before the batch" to "after the batch"
 * in one snapshot and no reader ever sees the empty table in between.
 */
import { BadEventError } from '../../core/errors.ts';
import type { Change } from '../../core/change.ts';
import type { IcebergValue, Row } from '../../iceberg/spec/types.ts';
import type { RowPosition } from '../../iceberg/table/table-writer.ts';
import { hashRow, idBytes, idString, keyString, type RowIdentity } from './key-encoding.ts';

/**
 * An upsert whose unchanged columns (`holes`) are still to be carried forward from the
 * pre-batch table row of key `holeSource`.
 */
export class HoleFill {
  constructor(
    readonly row: Row,
    readonly holes: readonly string[],
    readonly holeSource: string,
  ) {}
}

/** The deletion of a key: its live row goes and nothing replaces it. */
export const DELETED: unique symbol = Symbol('deleted');

/**
 * The net effect of a batch on one key (keyed tables): DELETED, an upsert of the row itself (the
 * usual case: no object made a change), or a HoleFill.
 */
export type FinalState = typeof DELETED | Row | HoleFill;

/** A batch folded to its net effect. Identity strings are `idString` of the key / row hash. */
export interface CollapsedBatch {
  readonly table: string;
  readonly keyed: boolean;
  /** The batch truncates the table: every pre-batch row goes, the rest applies after. */
  readonly truncate: boolean;
  /** Keyed tables: final state per key, in order of each key's last change. */
  readonly finals: ReadonlyMap<string, FinalState>;
  /** Keyless tables: rows to add (in-batch deletes of them already cancelled), with their hashes. */
  readonly keylessInserts: readonly { readonly id: string; readonly row: Row }[];
  /** Keyless tables: how many pre-batch rows of each hash to remove. */
  readonly keylessDeletes: ReadonlyMap<string, number>;
  /** Changes by op, for telemetry. */
  readonly counts: { readonly upserts: number; readonly deletes: number; readonly truncates: number };
  /** Newest source commit time in the batch, ms since the epoch, or null. */
  readonly newestCommitTimeMs: number | null;
}

function describe(row: Row | null): string {
  if (row === null) return 'null';
  return Object.entries(row)
    .map(([k, v]) => `${k}=${typeof v === 'bigint' ? `${v}` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : JSON.stringify(v)}`)
    .join(', ');
}

const NO_HOLES: readonly string[] = Object.freeze([]);

/** `after` with the columns in `fill` taken from `from` where `from` has them; the rest stay holes. */
function fillHoles(after: Row, holes: readonly string[], from: Row | null): { row: Row; holes: readonly string[] } {
  if (holes.length === 0) return { row: after, holes: NO_HOLES }; // the common case: nothing to carry, no copy
  const row: Record<string, IcebergValue> = { ...after };
  const left: string[] = [];
  for (const c of holes) {
    if (from !== null && c in from) row[c] = from[c]!;
    else left.push(c);
  }
  return { row, holes: left };
}

/** Sets `id`'s final state last in `finals` (the order of each key's last change); `known`: `id` is in it already. */
function setFinal(finals: Map<string, FinalState>, id: string, state: FinalState, known: boolean): void {
  if (known) finals.delete(id);
  finals.set(id, state);
}

/**
 * `setFinal` for a key whose earlier state does not matter: one hash lookup when the key is new
 * to the batch (most keys), the size telling whether `set` added it or replaced it in place.
 */
function putFinal(finals: Map<string, FinalState>, id: string, state: FinalState): void {
  const size = finals.size;
  finals.set(id, state);
  if (finals.size !== size) return;
  finals.delete(id); // known: move it last
  finals.set(id, state);
}

/**
 * True when `key` and `after` hold the very same values in every key column, so their
 * encodings are equal and `after`'s need not be computed (the usual upsert). False when in
 * doubt (equal values in other forms, missing columns): the caller then encodes `after`.
 */
function sameKey(identity: RowIdentity, key: Row, after: Row): boolean {
  for (const f of identity.keyFields) {
    const v = key[f.name];
    if (v === undefined || v !== after[f.name]) return false;
  }
  return true;
}

/**
 * Folds `changes` (one table, source order) into their net effect. Throws BadEventError naming
 * the table and key for a change that cannot apply (missing key or after-image, or unchanged
 * columns with no row to carry them from).
 */
export function collapseBatch(changes: readonly Change[], identity: RowIdentity, table: string): CollapsedBatch {
  const keyed = identity.keyFields.length > 0;
  let truncate = false;
  const finals = new Map<string, FinalState>();
  let pending: ({ id: string; row: Row } | null)[] = [];
  let pendingByHash = new Map<string, number[]>();
  let keylessDeletes = new Map<string, number>();
  const counts = { upserts: 0, deletes: 0, truncates: 0 };
  let newest: number | null = null;

  const deleteOne = (id: string): void => {
    const queue = pendingByHash.get(id);
    const at = queue?.pop();
    if (at !== undefined) pending[at] = null;
    else keylessDeletes.set(id, (keylessDeletes.get(id) ?? 0) + 1);
  };

  for (const c of changes) {
    if (c.commitTimeMs !== undefined && (newest === null || c.commitTimeMs > newest)) newest = c.commitTimeMs;
    if (c.op === 'truncate') {
      counts.truncates += 1;
      truncate = true;
      finals.clear();
      pending = [];
      pendingByHash = new Map();
      keylessDeletes = new Map();
      continue;
    }
    if (c.op === 'delete') counts.deletes += 1;
    else counts.upserts += 1;
    if (!keyed) {
      if (c.op === 'delete' || c.before !== null) {
        if (c.before === null) throw new BadEventError(`table ${table}: delete on a table without a key needs the whole before-image (REPLICA IDENTITY FULL)`);
        deleteOne(idString(hashRow(identity, c.before, table)));
      }
      if (c.op === 'upsert') {
        if (c.after === null) throw new BadEventError(`table ${table}: upsert without an after-image`);
        const filled = fillHoles(c.after, c.unchanged, c.before);
        if (filled.holes.length > 0) {
          throw new BadEventError(`table ${table}: columns [${filled.holes.join(', ')}] unchanged but the table has no key to carry them from (row ${describe(c.after)})`);
        }
        const id = idString(hashRow(identity, filled.row, table));
        const queue = pendingByHash.get(id) ?? [];
        queue.push(pending.length);
        pendingByHash.set(id, queue);
        pending.push({ id, row: filled.row });
      }
      continue;
    }
    const keyRow = c.key ?? (c.op === 'delete' ? c.before : c.after);
    if (keyRow === null) throw new BadEventError(`table ${table}: ${c.op} without a key`);
    const oldId = keyString(identity, keyRow, table);
    if (c.op === 'delete') {
      putFinal(finals, oldId, DELETED);
      continue;
    }
    const after = c.after;
    if (after === null) throw new BadEventError(`table ${table}: upsert of key ${describe(keyRow)} without an after-image`);
    const newId = c.key === null || c.key === after || sameKey(identity, c.key, after) ? oldId : keyString(identity, after, table);
    if (newId === oldId && c.unchanged.length === 0) {
      putFinal(finals, oldId, after); // the usual upsert: whole row, same key; what came before in the batch does not matter
      continue;
    }
    const prior = finals.get(oldId);
    // The row before this change within the batch, and where its holes are carried from.
    const priorRow = prior === undefined || prior === DELETED ? null : prior instanceof HoleFill ? prior.row : prior;
    const priorHoles = prior instanceof HoleFill ? prior.holes : NO_HOLES;
    const priorSource = prior === undefined ? (truncate ? null : oldId) : prior instanceof HoleFill ? prior.holeSource : null;
    let row = after;
    let holes = NO_HOLES;
    if (c.unchanged.length > 0) {
      // Columns the earlier in-batch row knows are taken from it; its own holes stay holes.
      const known = priorRow === null ? null : Object.fromEntries(Object.entries(priorRow).filter(([k]) => !priorHoles.includes(k)));
      ({ row, holes } = fillHoles(after, c.unchanged, known));
      if (holes.length > 0 && priorSource === null) {
        throw new BadEventError(`table ${table}: key ${describe(keyRow)} leaves columns [${holes.join(', ')}] unchanged but has no current row to carry them from`);
      }
    }
    const state: FinalState = holes.length > 0 ? new HoleFill(row, holes, priorSource!) : row;
    if (newId === oldId) setFinal(finals, oldId, state, prior !== undefined);
    else {
      setFinal(finals, oldId, DELETED, prior !== undefined);
      setFinal(finals, newId, state, finals.has(newId));
    }
  }
  const keylessInserts = pending.filter((p): p is { id: string; row: Row } => p !== null);
  return { table, keyed, truncate, finals, keylessInserts, keylessDeletes, counts, newestCommitTimeMs: newest };
}

/** Identities (key bytes or row hashes) whose live positions `planWrites` needs from the key index. */
export function lookupIds(batch: CollapsedBatch): Uint8Array[] {
  if (batch.truncate) return [];
  const ids = batch.keyed ? [...batch.finals.keys()] : [...batch.keylessDeletes.keys()];
  return ids.map(idBytes);
}

/** A row to add; `holes` (unchanged columns) are filled from the live row at `source` before writing. */
export interface PendingRow {
  readonly id: string;
  readonly row: Row;
  readonly holes: readonly string[];
  readonly source: RowPosition | null;
}

/** What one commit writes for a batch, and what the key index must learn after it. */
export interface WritePlan {
  readonly truncate: boolean;
  /**
   * Live rows to remove with position deletes, with their identities (empty when truncating);
   * keyed tables say whether an insert re-adds the identity (`readded`: the key index moves it).
   */
  readonly deletes: readonly { readonly id: string; readonly position: RowPosition; readonly readded?: boolean }[];
  readonly inserts: readonly PendingRow[];
  /** Distinct live rows whose columns some insert carries forward (TOAST). */
  readonly needsCurrentRow: readonly RowPosition[];
  /** Keyless deletes that matched no live row (already gone): counted, not an error. */
  readonly missingDeletes: number;
}

/** `file#pos`: the map key of a row position. */
export function positionKey(p: RowPosition): string {
  return `${p.dataFile.filePath}#${p.pos}`;
}

/**
 * The writes for a collapsed batch, given the live positions of the looked-up identities
 * (`idString` → positions; absent = no live row). Keyless deletes take the lowest positions.
 */
export function planWrites(batch: CollapsedBatch, located: ReadonlyMap<string, readonly RowPosition[]>): WritePlan {
  if (batch.keyed) return planKeyed(batch, located);
  const deletes: { id: string; position: RowPosition; readded?: boolean }[] = [];
  const inserts: PendingRow[] = [];
  let missingDeletes = 0;
  const live = (id: string): readonly RowPosition[] => (batch.truncate ? [] : (located.get(id) ?? []));
  for (const [id, n] of batch.keylessDeletes) {
    const sorted = [...live(id)].sort((a, b) => (a.dataFile.filePath < b.dataFile.filePath ? -1 : a.dataFile.filePath > b.dataFile.filePath ? 1 : a.pos - b.pos));
    for (const position of sorted.slice(0, n)) deletes.push({ id, position });
    missingDeletes += Math.max(0, n - sorted.length);
  }
  for (const p of batch.keylessInserts) inserts.push({ id: p.id, row: p.row, holes: [], source: null });
  return { truncate: batch.truncate, deletes, inserts, needsCurrentRow: [], missingDeletes };
}

/**
 * `planWrites` of a keyed table. Runs once a change of the batch: the finals are walked with
 * forEach (no [id, state] pair a key), `located` in step with them (no hash lookup a key when
 * the index answered in batch order), into arrays sized up front (no regrowth copies).
 */
function planKeyed(batch: CollapsedBatch, located: ReadonlyMap<string, readonly RowPosition[]>): WritePlan {
  const truncate = batch.truncate;
  const inOrder = truncate ? { ids: [], positions: [], rows: 0 } : entriesOf(located);
  const deletes = new Array<{ id: string; position: RowPosition; readded: boolean }>(inOrder.rows);
  const inserts = new Array<PendingRow>(batch.finals.size);
  const needs = new Map<string, RowPosition>();
  let deleted = 0;
  let inserted = 0;
  let next = 0;
  batch.finals.forEach((state, id) => {
    let positions: readonly RowPosition[] | undefined;
    if (inOrder.ids[next] === id) positions = inOrder.positions[next++];
    else if (!truncate) positions = located.get(id);
    const readded = state !== DELETED;
    if (positions !== undefined) for (let i = 0; i < positions.length; i++) deletes[deleted++] = { id, position: positions[i]!, readded };
    if (state === DELETED) return;
    if (!(state instanceof HoleFill)) {
      inserts[inserted++] = { id, row: state, holes: NO_HOLES, source: null };
      return;
    }
    const source = truncate ? null : (located.get(state.holeSource)?.[0] ?? null);
    if (source === null) {
      throw new BadEventError(`table ${batch.table}: columns [${state.holes.join(', ')}] unchanged but no current row to carry them from (row ${describe(state.row)})`);
    }
    needs.set(positionKey(source), source);
    inserts[inserted++] = { id, row: state.row, holes: state.holes, source };
  });
  deletes.length = deleted;
  inserts.length = inserted;
  return { truncate, deletes, inserts, needsCurrentRow: [...needs.values()], missingDeletes: 0 };
}

/**
 * `located`'s keys and values as two arrays, in its order. The key index answers in the order
 * it was asked, the batch's: `planWrites` then walks both in step instead of a hash lookup a key.
 */
function entriesOf(located: ReadonlyMap<string, readonly RowPosition[]>): { ids: string[]; positions: (readonly RowPosition[])[]; rows: number } {
  const ids = new Array<string>(located.size);
  const positions = new Array<readonly RowPosition[]>(located.size);
  let i = 0;
  let rows = 0;
  located.forEach((p, id) => {
    ids[i] = id;
    positions[i++] = p;
    rows += p.length;
  });
  return { ids, positions, rows };
}

/** The complete rows to write: holes filled from `current` (rows read at `needsCurrentRow`, by `positionKey`). */
export function completeRows(plan: WritePlan, current: ReadonlyMap<string, Row>): Row[] {
  if (plan.needsCurrentRow.length === 0) {
    // nothing to carry forward (the usual batch): the rows as they are, without a callback a row
    const rows = new Array<Row>(plan.inserts.length);
    for (let i = 0; i < rows.length; i++) rows[i] = plan.inserts[i]!.row;
    return rows;
  }
  return plan.inserts.map((p) => {
    if (p.holes.length === 0 || p.source === null) return p.row;
    const from = current.get(positionKey(p.source));
    if (from === undefined) throw new BadEventError(`row at ${positionKey(p.source)} was not read for carry-forward`);
    const row: Record<string, IcebergValue> = { ...p.row };
    for (const h of p.holes) row[h] = from[h] ?? null;
    return row;
  });
}
