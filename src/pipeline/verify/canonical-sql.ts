/**
 * The canonical text of a PostgreSQL value as a SQL expression: the SQL half of verify's
 * contract (see canonical-js.ts for the forms). The expression follows what the loader stores
 * (the column's codec in src/sources/postgres/type-mapping.ts and the value rules of `load`),
 * so a source value and its Iceberg value give the same text. Expressions propagate NULL, are
 * exact (numeric arithmetic, float bits, integer days and microseconds) and need the session
 * settings in VERIFY_SESSION_SQL. Needs PostgreSQL 14+ (numeric `extract`, numeric infinity).
 */
import { UnsupportedTypeError } from '../../core/errors.ts';
import type { IcebergType, PrimitiveType } from '../../iceberg/spec/types.ts';
import { DATE_MAX_DAYS, DATE_MIN_DAYS, TIMESTAMP_MAX_MICROS, TIMESTAMP_MIN_MICROS, type CodecId, type CodecSpec } from '../../sources/postgres/pg-codecs.ts';
import type { PgType } from '../../sources/postgres/pg-table.ts';
import type { MappingOptions } from '../../sources/postgres/type-mapping.ts';

/** Settings the expressions rely on, for the verify transaction (SET LOCAL). */
export const VERIFY_SESSION_SQL: readonly string[] = [
  `SET LOCAL IntervalStyle = 'iso_8601'`, // interval: the loader's ISO 8601 form
  `SET LOCAL lc_monetary = 'C'`, // money::numeric with 2 fraction digits, as the loader renders it
  // the loader's session settings (src/sources/postgres/connection.ts), for types cast to text
  `SET LOCAL DateStyle = 'ISO, MDY'`,
  `SET LOCAL TimeZone = 'UTC'`,
  `SET LOCAL extra_float_digits = 3`,
];

/** The value rules that change what the loader stores. */
export type ValueRules = Pick<MappingOptions, 'infinity' | 'numericSpecialValues'>;

/** One column as verify compares it: its PostgreSQL type, the loader's codec, its Iceberg type. */
export interface CanonicalColumnSpec {
  readonly name: string;
  readonly pgType: PgType; // for arrays: the array type, with `element`
  readonly codec: CodecSpec; // for arrays: codec 'array' with `element`
  readonly iceberg: IcebergType;
}

/** Iceberg types each codec may land in (schema evolution may widen int → long, float → double). */
const TARGETS: Readonly<Record<Exclude<CodecId, 'array'>, readonly string[]>> = {
  bool: ['boolean'], int2: ['int', 'long'], int4: ['int', 'long'], int8: ['long'], oid: ['long'],
  float4: ['float', 'double'], float8: ['double'], numeric: ['decimal', 'string'], 'numeric-text': ['string'],
  text: ['string'], char: ['string'], jsonb: ['string'], uuid: ['uuid', 'string'], bytea: ['binary'],
  date: ['date'], time: ['time'], timestamp: ['timestamp'], timestamptz: ['timestamptz'], timetz: ['string'],
  interval: ['string'], inet: ['string'], macaddr: ['string'], money: ['string'], bit: ['string'],
};

const lit = (text: string): string => `'${text}'`;

/** What ±infinity of a date or timestamp becomes: the clamp value's text, NULL, or a text no Iceberg value has. */
function infinityText(rules: ValueRules, positive: boolean, clamped: string): string {
  if (rules.infinity === 'clamp') return lit(clamped);
  if (rules.infinity === 'null') return 'NULL';
  return lit(positive ? 'infinity' : '-infinity'); // the load refused it: never equal to a loaded value
}

function infinityCase(x: string, rules: ValueRules, max: string, min: string, finite: string): string {
  return `CASE WHEN ${x} = 'infinity' THEN ${infinityText(rules, true, max)} WHEN ${x} = '-infinity' THEN ${infinityText(rules, false, min)} ELSE ${finite} END`;
}

/** numeric → decimal(p,s) text; a value the decimal cannot hold exactly keeps its own text (never equal). */
function numericSql(x: string, p: number, s: number, rules: ValueRules): string {
  const special = rules.numericSpecialValues === 'null' ? 'NULL' : `${x}::text`;
  return `CASE WHEN ${x} IN ('NaN', 'Infinity', '-Infinity') THEN ${special} WHEN round(${x}, ${s}) <> ${x} OR abs(${x}) >= 1e${p - s} THEN ${x}::text ELSE ${x}::numeric(${p},${s})::text END`;
}

/** The output function's text, NULL-preserving (format() turns NULL into ''). */
const outputText = (x: string): string => `CASE WHEN ${x} IS NULL THEN NULL ELSE format('%s', ${x}) END`;

/** Canonical text of a scalar SQL expression `x` decoded by `codec` into Iceberg type `target`. */
function scalarSql(x: string, codec: CodecSpec, pgType: PgType, target: PrimitiveType, rules: ValueRules, where: string): string {
  const id = codec.codec as Exclude<CodecId, 'array'>;
  if (!TARGETS[id]?.includes(target.type)) {
    throw new UnsupportedTypeError(`verify ${where}: PostgreSQL ${pgType.name} (codec ${id}) cannot be compared with Iceberg type ${target.type}`);
  }
  switch (id) {
    case 'bool':
      return `CASE ${x} WHEN true THEN 't' WHEN false THEN 'f' END`;
    case 'int2': case 'int4': case 'int8': case 'oid': case 'numeric-text': case 'char': case 'jsonb': case 'uuid':
    case 'timetz': case 'interval': case 'bit':
      return `${x}::text`;
    case 'text': // bpchar::text trims the blank padding the loader keeps
      return pgType.name === 'bpchar' ? outputText(x) : `${x}::text`;
    case 'inet': case 'macaddr': // inet::text would add /32
      return outputText(x);
    case 'money':
      return `${x}::numeric::text`;
    case 'float4': case 'float8':
      return `CASE WHEN ${x} = 'NaN' THEN 'NaN' ELSE encode(float8send(${x}::float8), 'hex') END`;
    case 'numeric':
      return target.type === 'decimal' ? numericSql(x, target.precision, target.scale, rules) : `${x}::text`;
    case 'bytea':
      return `encode(${x}, 'hex')`;
    case 'date':
      return infinityCase(x, rules, String(DATE_MAX_DAYS), String(DATE_MIN_DAYS), `(${x} - date '1970-01-01')::text`);
    case 'time':
      return `trunc(extract(epoch from ${x}) * 1000000)::text`;
    case 'timestamp': case 'timestamptz':
      return infinityCase(x, rules, String(TIMESTAMP_MAX_MICROS), String(TIMESTAMP_MIN_MICROS), `trunc(extract(epoch from ${x}) * 1000000)::text`);
  }
}

/**
 * The canonical-text expression of a column referenced as `ref` (qualified, e.g.
 * `floe_src."a b"`). Throws UnsupportedTypeError naming the column when its codec cannot land in
 * its Iceberg type (e.g. after an incompatible schema change).
 */
export function canonicalSql(ref: string, column: CanonicalColumnSpec, rules: ValueRules, table: string): string {
  const where = `${table}.${column.name}`;
  const { codec, iceberg, pgType } = column;
  if (codec.codec !== 'array') {
    if (iceberg.type === 'list' || iceberg.type === 'struct' || iceberg.type === 'map') {
      throw new UnsupportedTypeError(`verify ${where}: PostgreSQL ${pgType.name} cannot be compared with Iceberg type ${iceberg.type}`);
    }
    return scalarSql(ref, codec, pgType, iceberg, rules, where);
  }
  const element = iceberg.type === 'list' ? iceberg.element : undefined;
  if (element === undefined || !('type' in element) || element.type === 'list' || element.type === 'struct' || element.type === 'map' || !codec.element || !pgType.element) {
    throw new UnsupportedTypeError(`verify ${where}: PostgreSQL array ${pgType.name} cannot be compared with Iceberg type ${iceberg.type}`);
  }
  const e = scalarSql('floe_u.floe_e', codec.element, pgType.element, element, rules, where);
  return `CASE WHEN ${ref} IS NULL THEN NULL ELSE '[' || array_to_string(ARRAY(SELECT coalesce(to_json(${e})::text, 'null') FROM unnest(${ref}) WITH ORDINALITY AS floe_u(floe_e, floe_n) ORDER BY floe_u.floe_n), ',') || ']' END`;
}
