/**
 * THE PostgreSQL → Iceberg type table (docs/type-mapping.md renders it). Each row names the
 * PostgreSQL type, its Iceberg type and the binary codec that decodes it; `cast: 'text'` rows are
 * selected as `col::text` (PostgreSQL renders them) and stored as strings. Enums and citext are
 * strings; arrays are lists of their element's mapping; domains map as their base type.
 */
import { UnsupportedTypeError } from '../../core/errors.ts';
import type { IcebergType, NestedField, PrimitiveType, Schema, SimpleTypeName } from '../../iceberg/spec/types.ts';
import type { LoadConfig } from '../../config/types.ts';
import { buildFieldDecoder, type CodecId, type CodecSpec, type FieldDecoder } from './pg-codecs.ts';
import type { PgColumn, PgTable, PgType } from './pg-table.ts';
import { quoteIdent } from './sql.ts';

/** One row of the table: `iceberg: 'decimal'` takes precision/scale from the column. */
export interface PgTypeRule {
  readonly pg: string; // pg_type.typname
  readonly oid?: number; // built-in types only (extension types have per-database OIDs)
  readonly iceberg: SimpleTypeName | 'decimal';
  readonly codec: CodecId;
  readonly cast?: 'text';
}

const r = (pg: string, oid: number | undefined, iceberg: PgTypeRule['iceberg'], codec: CodecId, cast?: 'text'): PgTypeRule =>
  cast ? { pg, oid, iceberg, codec, cast } : { pg, oid, iceberg, codec };

/** Every type floe maps, by name. Types of kind range/multirange map like the `cast` rows. */
export const PG_TYPES: readonly PgTypeRule[] = [
  r('bool', 16, 'boolean', 'bool'),
  r('int2', 21, 'int', 'int2'),
  r('int4', 23, 'int', 'int4'),
  r('int8', 20, 'long', 'int8'),
  r('oid', 26, 'long', 'oid'),
  r('float4', 700, 'float', 'float4'),
  r('float8', 701, 'double', 'float8'),
  r('numeric', 1700, 'decimal', 'numeric'),
  r('text', 25, 'string', 'text'),
  r('varchar', 1043, 'string', 'text'),
  r('bpchar', 1042, 'string', 'text'),
  r('name', 19, 'string', 'text'),
  r('char', 18, 'string', 'char'),
  r('citext', undefined, 'string', 'text'),
  r('uuid', 2950, 'uuid', 'uuid'),
  r('date', 1082, 'date', 'date'),
  r('time', 1083, 'time', 'time'),
  r('timetz', 1266, 'string', 'timetz'),
  r('timestamp', 1114, 'timestamp', 'timestamp'),
  r('timestamptz', 1184, 'timestamptz', 'timestamptz'),
  r('bytea', 17, 'binary', 'bytea'),
  r('json', 114, 'string', 'text'),
  r('jsonb', 3802, 'string', 'jsonb'),
  r('xml', 142, 'string', 'text'),
  r('interval', 1186, 'string', 'interval'),
  r('inet', 869, 'string', 'inet'),
  r('cidr', 650, 'string', 'inet'),
  r('macaddr', 829, 'string', 'macaddr'),
  r('macaddr8', 774, 'string', 'macaddr'),
  r('money', 790, 'string', 'money'),
  r('bit', 1560, 'string', 'bit'),
  r('varbit', 1562, 'string', 'bit'),
  ...['tsvector', 'tsquery', 'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle', 'pg_lsn', 'xid', 'xid8', 'cid', 'tid', 'hstore', 'ltree', 'txid_snapshot', 'pg_snapshot']
    .map((pg) => r(pg, undefined, 'string', 'text', 'text')),
];

const BY_NAME = new Map(PG_TYPES.map((rule) => [rule.pg, rule]));
const BY_OID = new Map(PG_TYPES.filter((rule) => rule.oid !== undefined).map((rule) => [rule.oid!, rule]));
const EXTENSION_TYPES = new Set(['citext', 'hstore', 'ltree']); // found in whatever schema the extension uses
const TEXT_CAST: PgTypeRule = { pg: '(text cast)', iceberg: 'string', codec: 'text', cast: 'text' };
const ENUM: PgTypeRule = { pg: '(enum)', iceberg: 'string', codec: 'text' };

/** The codec of a built-in type by OID (undefined for types floe does not know by OID). */
export function codecForOid(oid: number): CodecId | undefined {
  return BY_OID.get(oid)?.codec;
}

/** The `load` settings the mapping depends on. */
export type MappingOptions = Pick<LoadConfig, 'unconstrainedNumeric' | 'unknownTypes' | 'infinity' | 'numericSpecialValues'>;

/** A column ready to read: its Iceberg field, codec and SELECT expression. */
export interface MappedColumn {
  readonly column: PgColumn;
  readonly field: NestedField;
  readonly codec: CodecSpec;
  /** Quoted identifier, with `::text` / `::text[]` when PostgreSQL renders the value. */
  readonly selectExpr: string;
}

/** The rule for a (non-array) type, or undefined when floe does not know it. */
function ruleFor(type: PgType, options: MappingOptions): PgTypeRule | undefined {
  if (type.kind === 'enum') return ENUM;
  if (type.kind === 'range' || type.kind === 'multirange') return TEXT_CAST;
  const rule = BY_NAME.get(type.name);
  if (rule && (type.schema === 'pg_catalog' || EXTENSION_TYPES.has(type.name))) return rule;
  return options.unknownTypes === 'string' ? TEXT_CAST : undefined;
}

interface Leaf {
  readonly type: PrimitiveType;
  readonly codec: CodecSpec;
  readonly cast: boolean;
  readonly mayBeNull: boolean; // a value rule can turn a value into null
}

function leaf(table: PgTable, column: PgColumn, type: PgType, options: MappingOptions): Leaf {
  const rule = ruleFor(type, options);
  if (!rule) {
    throw new UnsupportedTypeError(
      `${table.schema}.${table.name}.${column.name}: PostgreSQL type ${column.declaredType} has no Iceberg mapping (set load.unknownTypes: string to load it as text)`,
    );
  }
  const cast = rule.cast === 'text';
  const infinityToNull = (rule.codec === 'date' || rule.codec.startsWith('timestamp')) && options.infinity === 'null';
  if (rule.iceberg !== 'decimal') return { type: { type: rule.iceberg }, codec: { codec: rule.codec }, cast, mayBeNull: infinityToNull };
  let { precision, scale } = column.numeric ?? { precision: 0, scale: 0 };
  if (scale < 0) [precision, scale] = [precision - scale, 0]; // numeric(5,-2) holds 7-digit integers
  if (scale > precision) precision = scale; // numeric(2,5) holds 0.000dd
  if (column.numeric === undefined || precision > 38) {
    const u = options.unconstrainedNumeric;
    if (u.type === 'string') return { type: { type: 'string' }, codec: { codec: 'numeric-text' }, cast: false, mayBeNull: false };
    [precision, scale] = [u.precision, u.scale];
  }
  const mayBeNull = options.numericSpecialValues === 'null';
  return { type: { type: 'decimal', precision, scale }, codec: { codec: 'numeric', precision, scale }, cast: false, mayBeNull };
}

/**
 * Maps the table's columns (all of `table.columns`, in order) to an Iceberg schema: top-level
 * field ids 1..n, nested ids after; `identifierFieldIds` from `table.primaryKey`. A column is
 * required when NOT NULL and no value rule can produce null. Throws UnsupportedTypeError naming
 * table and column for a type without mapping (unless `unknownTypes: 'string'`).
 */
export function mapTable(table: PgTable, options: MappingOptions): { schema: Schema; columns: MappedColumn[] } {
  let nextId = table.columns.length + 1;
  const columns = table.columns.map((column, i): MappedColumn => {
    const isArray = column.type.kind === 'array';
    const l = leaf(table, column, isArray ? column.type.element! : column.type, options);
    const ident = quoteIdent(column.name);
    const selectExpr = l.cast ? `${ident}::text${isArray ? '[]' : ''}` : ident;
    const type: IcebergType = isArray ? { type: 'list', elementId: nextId++, elementRequired: false, element: l.type } : l.type;
    const codec: CodecSpec = isArray ? { codec: 'array', element: l.codec } : l.codec;
    const field: NestedField = { id: i + 1, name: column.name, required: !column.nullable && !(l.mayBeNull && !isArray), type };
    return { column, field, codec, selectExpr };
  });
  const identifierFieldIds = table.primaryKey.map((name) => {
    const mapped = columns.find((c) => c.column.name === name);
    if (!mapped) throw new UnsupportedTypeError(`${table.schema}.${table.name}: key column ${JSON.stringify(name)} is not among the loaded columns`);
    if (!mapped.field.required) throw new UnsupportedTypeError(`${table.schema}.${table.name}.${name}: key column is nullable`);
    return mapped.field.id;
  });
  return { schema: { schemaId: 0, identifierFieldIds, fields: columns.map((c) => c.field) }, columns };
}

/** One decoder per mapped column, in order, for BinaryCopyDecoder. */
export function columnDecoders(table: PgTable, columns: readonly MappedColumn[], options: MappingOptions): FieldDecoder[] {
  const label = `${table.schema}.${table.name}`;
  return columns.map((c) =>
    buildFieldDecoder(c.codec, { table: label, column: c.column.name, infinity: options.infinity, numericSpecialValues: options.numericSpecialValues }),
  );
}
