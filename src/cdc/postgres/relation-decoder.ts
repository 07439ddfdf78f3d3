/**
 * pgoutput tuples → Changes for one configured table. The column converters come from the same
 * mapping `floe load` uses (prepareTable → mapTable: codec, precision/scale, value rules), so
 * a value read here equals the value the load wrote. Built from a Relation message: columns are
 * matched by name, excluded columns are dropped, and a column whose type OID differs from the
 * catalog's (a schema change the load did not see) is refused.
 */
import { UnsupportedTypeError } from '../../core/errors.ts';
import type { Change, SourcePosition } from '../../core/change.ts';
import type { IcebergValue, Row } from '../../iceberg/spec/types.ts';
import type { PreparedTable } from '../../pipeline/load/table-setup.ts';
import type { MappingOptions } from '../../sources/postgres/type-mapping.ts';
import { buildTextDecoder, type TextDecoder } from './pg-text-codecs.ts';
import { UNCHANGED, type RelationMessage, type TupleValue } from './pgoutput-parser.ts';

/** Column position in the relation → converter, or null when the column is not loaded. */
interface Slot {
  readonly name: string;
  readonly decode: TextDecoder;
}

/** Decodes one relation's tuples into Changes of `table` (schema.table). */
export interface RelationDecoder {
  readonly table: string;
  readonly relation: RelationMessage;
  readonly keyColumns: readonly string[];
  insert(tuple: TupleValue[], position: SourcePosition, commitTimeMs: number): Change;
  update(oldKind: 'K' | 'O' | null, oldTuple: TupleValue[] | null, tuple: TupleValue[], position: SourcePosition, commitTimeMs: number): Change;
  delete(oldKind: 'K' | 'O', oldTuple: TupleValue[], position: SourcePosition, commitTimeMs: number): Change;
}

/**
 * Builds the decoder of `rel` for `prepared`. `catalogTypeOids` maps column name → pg_attribute.atttypid
 * now (domains included), `arrayDelimiters` column name → element typdelim. Throws
 * UnsupportedTypeError naming the column when the relation lacks a loaded column or its type changed.
 */
export function buildRelationDecoder(
  rel: RelationMessage,
  prepared: PreparedTable,
  options: MappingOptions,
  catalogTypeOids: ReadonlyMap<string, number>,
  arrayDelimiters: ReadonlyMap<string, string> = new Map(),
): RelationDecoder {
  const table = `${rel.schema}.${rel.name}`;
  const mapped = new Map(prepared.columns.map((c) => [c.column.name, c]));
  const slots: (Slot | null)[] = rel.columns.map((col) => {
    const m = mapped.get(col.name);
    if (!m) return null;
    const now = catalogTypeOids.get(col.name);
    if (now !== undefined && now !== col.typeOid) {
      throw new UnsupportedTypeError(`${table}.${col.name}: type OID ${col.typeOid} in the replication stream differs from the catalog's ${now}: a schema change floe cannot follow yet; reload the table`);
    }
    const ctx = { table, column: col.name, infinity: options.infinity, numericSpecialValues: options.numericSpecialValues };
    return { name: col.name, decode: buildTextDecoder(m.codec, ctx, arrayDelimiters.get(col.name) ?? ',') };
  });
  const seen = new Set(rel.columns.map((c) => c.name));
  for (const name of mapped.keys()) {
    if (!seen.has(name)) throw new UnsupportedTypeError(`${table}.${name}: loaded column is missing from the replication stream's relation (dropped or renamed?); reload the table`);
  }
  const keyColumns = prepared.keyColumns;

  /** Values of a tuple by column name; `unchanged` collects 'u' columns. Key-only tuples leave other columns out. */
  function decodeTuple(tuple: TupleValue[], unchanged: string[] | null, keyOnly: boolean): Record<string, IcebergValue> {
    const row: Record<string, IcebergValue> = {};
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (!slot) continue;
      const v = tuple[i];
      if (keyOnly && !rel.columns[i]!.isKey) continue;
      if (v === UNCHANGED) unchanged?.push(slot.name);
      else if (v === null || v === undefined) row[slot.name] = null;
      else row[slot.name] = slot.decode(v);
    }
    return row;
  }

  /** The configured key from `row`, or null when the row lacks a key column (keyless table, or identity without it). */
  function keyOf(row: Row): Row | null {
    if (keyColumns.length === 0) return null;
    const key: Record<string, IcebergValue> = {};
    for (const k of keyColumns) {
      const v = row[k];
      if (v === undefined || v === null) return null;
      key[k] = v;
    }
    return key;
  }

  const change = (op: Change['op'], key: Row | null, after: Row | null, before: Row | null, unchanged: string[], position: SourcePosition, commitTimeMs: number): Change => ({
    table, op, key, after, before, unchanged, position, commitTimeMs,
  });

  return {
    table,
    relation: rel,
    keyColumns,
    insert(tuple, position, commitTimeMs) {
      const after = decodeTuple(tuple, [], false);
      return change('upsert', keyOf(after), after, null, [], position, commitTimeMs);
    },
    update(oldKind, oldTuple, tuple, position, commitTimeMs) {
      const unchanged: string[] = [];
      const after = decodeTuple(tuple, unchanged, false);
      const before = oldKind === 'O' && oldTuple ? decodeTuple(oldTuple, null, false) : null;
      if (before && unchanged.length > 0) {
        // REPLICA IDENTITY FULL logs the old row detoasted: the unchanged values are right there
        for (const name of unchanged.splice(0)) {
          if (name in before) after[name] = before[name]!;
          else unchanged.push(name);
        }
      }
      const oldKey = oldTuple ? keyOf(decodeTuple(oldTuple, null, oldKind === 'K')) : null;
      return change('upsert', oldKey ?? keyOf(after), after, before, unchanged, position, commitTimeMs);
    },
    delete(oldKind, oldTuple, position, commitTimeMs) {
      const old = decodeTuple(oldTuple, null, oldKind === 'K');
      return change('delete', keyOf(old), null, oldKind === 'O' ? old : null, [], position, commitTimeMs);
    },
  };
}
