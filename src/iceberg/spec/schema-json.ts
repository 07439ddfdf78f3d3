/**
 * JSON forms of types, schemas, partition specs and sort orders (spec appendix C). The same
 * objects appear in table metadata and in Avro manifest headers, so they are exported for reuse.
 * `...FromJson` take a parsed value (see lossless-json.ts or JSON.parse) and a `where` naming
 * the file for error messages.
 */
import { CorruptFileError, UnsupportedTypeError } from '../../core/errors.ts';
import { JsonReader } from './json-reader.ts';
import type { JsonObject, JsonValue } from './lossless-json.ts';
import type {
  IcebergType,
  NestedField,
  PartitionField,
  PartitionSpec,
  PrimitiveType,
  Schema,
  SimpleTypeName,
  SortField,
  SortOrder,
  Transform,
} from './types.ts';

const SIMPLE_TYPES: ReadonlySet<string> = new Set<SimpleTypeName>([
  'boolean', 'int', 'long', 'float', 'double', 'date', 'time',
  'timestamp', 'timestamptz', 'string', 'uuid', 'binary',
]);
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;
const FIXED = /^fixed\[\s*(\d+)\s*\]$/;
const TRANSFORM = /^(identity|year|month|day|hour|void|bucket\[\d+\]|truncate\[\d+\])$/;

/** The metadata string of a primitive type: `long`, `decimal(10,2)`, `fixed[16]`. */
export function primitiveTypeToString(t: PrimitiveType): string {
  if (t.type === 'decimal') return `decimal(${t.precision},${t.scale})`;
  if (t.type === 'fixed') return `fixed[${t.length}]`;
  return t.type;
}

/** Parses a primitive type string; undefined when it is not one floe knows. */
export function primitiveTypeFromString(s: string): PrimitiveType | undefined {
  if (SIMPLE_TYPES.has(s)) return { type: s as SimpleTypeName };
  const d = DECIMAL.exec(s);
  if (d) return { type: 'decimal', precision: Number(d[1]), scale: Number(d[2]) };
  const f = FIXED.exec(s);
  if (f) return { type: 'fixed', length: Number(f[1]) };
  return undefined;
}

/** JSON of any type: a string for primitives, an object with ids for struct/list/map. */
export function typeToJson(t: IcebergType): JsonValue {
  switch (t.type) {
    case 'struct':
      return { type: 'struct', fields: t.fields.map(fieldToJson) };
    case 'list':
      return { type: 'list', 'element-id': t.elementId, element: typeToJson(t.element), 'element-required': t.elementRequired };
    case 'map':
      return {
        type: 'map',
        'key-id': t.keyId,
        key: typeToJson(t.key),
        'value-id': t.valueId,
        value: typeToJson(t.value),
        'value-required': t.valueRequired,
      };
    default:
      return primitiveTypeToString(t);
  }
}

function fieldToJson(f: NestedField): JsonObject {
  const o: JsonObject = { id: f.id, name: f.name, required: f.required, type: typeToJson(f.type) };
  if (f.doc !== undefined) o.doc = f.doc;
  return o;
}

function typeFromReader(r: JsonReader, key: string): IcebergType {
  const v = r.obj[key];
  if (typeof v === 'string') {
    const p = primitiveTypeFromString(v);
    if (!p) throw new UnsupportedTypeError(`${r.where}: field ${r.sub(key)}: unknown or unsupported type "${v}"`);
    return p;
  }
  const o = r.child(key);
  const kind = o.str('type');
  switch (kind) {
    case 'struct':
      return { type: 'struct', fields: o.objects('fields').map(fieldFromReader) };
    case 'list':
      return { type: 'list', elementId: o.int('element-id'), elementRequired: o.bool('element-required'), element: typeFromReader(o, 'element') };
    case 'map':
      return {
        type: 'map',
        keyId: o.int('key-id'),
        key: typeFromReader(o, 'key'),
        valueId: o.int('value-id'),
        valueRequired: o.bool('value-required'),
        value: typeFromReader(o, 'value'),
      };
    default:
      throw new UnsupportedTypeError(`${r.where}: field ${o.sub('type')}: unknown nested type "${kind}"`);
  }
}

function fieldFromReader(r: JsonReader): NestedField {
  const f: NestedField = { id: r.int('id'), name: r.str('name'), required: r.bool('required'), type: typeFromReader(r, 'type') };
  const doc = r.optStr('doc');
  return doc === undefined ? f : { ...f, doc };
}

/** Parses a type JSON value (string or object). */
export function typeFromJson(v: JsonValue, where: string): IcebergType {
  return typeFromReader(new JsonReader({ type: v }, where), 'type');
}

/** Schema JSON: `{type: struct, schema-id, identifier-field-ids?, fields}`. */
export function schemaToJson(s: Schema): JsonObject {
  const o: JsonObject = { type: 'struct', 'schema-id': s.schemaId };
  if (s.identifierFieldIds.length > 0) o['identifier-field-ids'] = [...s.identifierFieldIds];
  o.fields = s.fields.map(fieldToJson);
  return o;
}

/** Parses schema JSON; `schema-id` defaults to 0 (v1 files may omit it). */
export function schemaFromJson(v: JsonValue | undefined, where: string, path = 'schema'): Schema {
  return schemaFromReader(JsonReader.of(v, where, path));
}

/** Schema from an object reader (used by metadata-json.ts to keep field paths in errors). */
export function schemaFromReader(r: JsonReader): Schema {
  const type = r.optStr('type');
  if (type !== undefined && type !== 'struct') throw r.error(`expected type "struct", got "${type}"`, 'type');
  return {
    schemaId: r.optInt('schema-id') ?? 0,
    identifierFieldIds: r.has('identifier-field-ids') ? r.ints('identifier-field-ids') : [],
    fields: r.objects('fields').map(fieldFromReader),
  };
}

function transformFrom(r: JsonReader): Transform {
  const t = r.str('transform');
  if (!TRANSFORM.test(t)) throw new UnsupportedTypeError(`${r.where}: field ${r.sub('transform')}: unknown transform "${t}"`);
  return t as Transform;
}

/** Partition field list JSON (the form Avro manifest headers and v1 `partition-spec` use). */
export function partitionFieldsToJson(fields: readonly PartitionField[]): JsonObject[] {
  return fields.map((f) => ({ name: f.name, transform: f.transform, 'source-id': f.sourceId, 'field-id': f.fieldId }));
}

/** Parses a partition field array; fields without `field-id` (old v1) get 1000, 1001, ... */
export function partitionFieldsFromJson(v: JsonValue | undefined, where: string, path = 'partition-spec'): PartitionField[] {
  if (!Array.isArray(v)) throw new CorruptFileError(`${where}: field ${path}: expected an array`);
  return v.map((item, i) => {
    const r = JsonReader.of(item, where, `${path}[${i}]`);
    return { sourceId: r.int('source-id'), fieldId: r.optInt('field-id') ?? 1000 + i, name: r.str('name'), transform: transformFrom(r) };
  });
}

/** Partition spec JSON: `{spec-id, fields}`. */
export function partitionSpecToJson(s: PartitionSpec): JsonObject {
  return { 'spec-id': s.specId, fields: partitionFieldsToJson(s.fields) };
}

/** Parses partition spec JSON. */
export function partitionSpecFromJson(v: JsonValue | undefined, where: string, path = 'partition-spec'): PartitionSpec {
  const r = JsonReader.of(v, where, path);
  return { specId: r.int('spec-id'), fields: partitionFieldsFromJson(r.obj.fields, where, r.sub('fields')) };
}

/** Sort order JSON: `{order-id, fields: [{transform, source-id, direction, null-order}]}`. */
export function sortOrderToJson(s: SortOrder): JsonObject {
  return {
    'order-id': s.orderId,
    fields: s.fields.map((f) => ({ transform: f.transform, 'source-id': f.sourceId, direction: f.direction, 'null-order': f.nullOrder })),
  };
}

/** Parses sort order JSON. */
export function sortOrderFromJson(v: JsonValue | undefined, where: string, path = 'sort-order'): SortOrder {
  const r = JsonReader.of(v, where, path);
  return { orderId: r.int('order-id'), fields: r.objects('fields').map(sortFieldFrom) };
}

function sortFieldFrom(r: JsonReader): SortField {
  const direction = r.str('direction');
  if (direction !== 'asc' && direction !== 'desc') throw r.error(`expected "asc" or "desc", got "${direction}"`, 'direction');
  const nullOrder = r.str('null-order');
  if (nullOrder !== 'nulls-first' && nullOrder !== 'nulls-last') {
    throw r.error(`expected "nulls-first" or "nulls-last", got "${nullOrder}"`, 'null-order');
  }
  return { sourceId: r.int('source-id'), transform: transformFrom(r), direction, nullOrder };
}
