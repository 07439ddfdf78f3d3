/**
 * Iceberg schema -> Parquet schema, as Iceberg Java and pyiceberg write it: a `field_id` on every
 * node that has an Iceberg id, lists as 3-level `<name>` / `list` / `element`, maps as
 * `<name>` / `key_value` / `key` + `value`. Leaves come out in Parquet column order (depth first).
 */
import type { SchemaElement } from 'hyparquet-writer';
import { UnsupportedTypeError } from '../../core/errors.ts';
import type { IcebergType, NestedField, PrimitiveType, Schema, SimpleTypeName } from '../spec/types.ts';

/** Parquet physical + logical annotation of one Iceberg primitive (without name/repetition/id). */
type LeafElement = Omit<SchemaElement, 'name' | 'repetition_type' | 'field_id' | 'num_children'>;

/** Iceberg primitive -> Parquet leaf, per the spec's "Parquet" appendix. */
const SIMPLE_TYPES: Readonly<Record<SimpleTypeName, LeafElement>> = {
  boolean: { type: 'BOOLEAN' },
  int: { type: 'INT32' },
  long: { type: 'INT64' },
  float: { type: 'FLOAT' },
  double: { type: 'DOUBLE' },
  date: { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } },
  time: {
    type: 'INT64',
    converted_type: 'TIME_MICROS',
    logical_type: { type: 'TIME', isAdjustedToUTC: false, unit: 'MICROS' },
  },
  // converted_type TIMESTAMP_MICROS means UTC-adjusted, so the local-time variant carries none
  timestamp: { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } },
  timestamptz: {
    type: 'INT64',
    converted_type: 'TIMESTAMP_MICROS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
  },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  uuid: { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } },
  binary: { type: 'BYTE_ARRAY' },
};

/** Smallest byte count whose two's complement holds every decimal of `precision` digits. */
export function decimalByteLength(precision: number): number {
  const max = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while (max >= 1n << BigInt(8 * bytes - 1)) bytes++;
  return bytes;
}

/** The Parquet leaf annotation of an Iceberg primitive type. */
export function primitiveElement(t: PrimitiveType): LeafElement {
  if (t.type === 'decimal') {
    const { precision, scale } = t;
    if (!(precision >= 1 && precision <= 38)) {
      throw new UnsupportedTypeError(`parquet decimal precision ${precision} outside 1..38`);
    }
    const physical: LeafElement =
      precision <= 9
        ? { type: 'INT32' }
        : precision <= 18
          ? { type: 'INT64' }
          : { type: 'FIXED_LEN_BYTE_ARRAY', type_length: decimalByteLength(precision) };
    return { ...physical, converted_type: 'DECIMAL', scale, precision, logical_type: { type: 'DECIMAL', scale, precision } };
  }
  if (t.type === 'fixed') return { type: 'FIXED_LEN_BYTE_ARRAY', type_length: t.length };
  const simple = SIMPLE_TYPES[t.type];
  if (!simple) throw new UnsupportedTypeError(`parquet has no mapping for Iceberg type ${JSON.stringify(t)}`);
  return simple;
}

/** One Parquet leaf column: its Iceberg field id, path of names from the root and type. */
export interface ParquetLeaf {
  readonly fieldId: number;
  readonly path: readonly string[];
  readonly type: PrimitiveType;
  readonly element: SchemaElement;
  /** True when the leaf sits under a list or map: counts are of values, not rows. */
  readonly repeated: boolean;
}

/** Flattened Parquet schema (root first) for `parquetWrite`, with field ids on every Iceberg node. */
export function parquetSchema(schema: Pick<Schema, 'fields'>): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'table', num_children: schema.fields.length }];
  for (const f of schema.fields) pushNode(out, f.name, f.id, f.required, f.type);
  return out;
}

function pushNode(out: SchemaElement[], name: string, id: number, required: boolean, t: IcebergType): void {
  const repetition_type = required ? 'REQUIRED' : 'OPTIONAL';
  if (t.type === 'struct') {
    out.push({ name, repetition_type, field_id: id, num_children: t.fields.length });
    for (const f of t.fields) pushNode(out, f.name, f.id, f.required, f.type);
  } else if (t.type === 'list') {
    out.push({ name, repetition_type, field_id: id, num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } });
    out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
    pushNode(out, 'element', t.elementId, t.elementRequired, t.element);
  } else if (t.type === 'map') {
    out.push({ name, repetition_type, field_id: id, num_children: 1, converted_type: 'MAP', logical_type: { type: 'MAP' } });
    out.push({ name: 'key_value', repetition_type: 'REPEATED', num_children: 2 });
    pushNode(out, 'key', t.keyId, true, t.key);
    pushNode(out, 'value', t.valueId, t.valueRequired, t.value);
  } else {
    out.push({ name, repetition_type, field_id: id, ...primitiveElement(t) });
  }
}

/** Every primitive leaf in Parquet column order, with its Iceberg id and Parquet element. */
export function parquetLeaves(schema: Pick<Schema, 'fields'>): ParquetLeaf[] {
  const out: ParquetLeaf[] = [];
  const walk = (f: Pick<NestedField, 'id' | 'type'>, path: string[], repeated: boolean): void => {
    const t = f.type;
    if (t.type === 'struct') for (const c of t.fields) walk(c, [...path, c.name], repeated);
    else if (t.type === 'list') walk({ id: t.elementId, type: t.element }, [...path, 'list', 'element'], true);
    else if (t.type === 'map') {
      walk({ id: t.keyId, type: t.key }, [...path, 'key_value', 'key'], true);
      walk({ id: t.valueId, type: t.value }, [...path, 'key_value', 'value'], true);
    } else out.push({ fieldId: f.id, path, type: t, element: { name: path.at(-1)!, field_id: f.id, ...primitiveElement(t) }, repeated });
  };
  for (const f of schema.fields) walk(f, [f.name], false);
  return out;
}
