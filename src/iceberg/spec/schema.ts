/**
 * Schema utilities: lookups by id and name, id enumeration, fresh id assignment and the
 * Iceberg JSON spelling of primitive types (`decimal(10,2)`, `fixed[16]`).
 */
import type {
  IcebergType,
  ListType,
  MapType,
  NestedField,
  PrimitiveType,
  Schema,
  SimpleTypeName,
  StructType,
} from './types.ts';
import { UnsupportedTypeError } from '../../core/errors.ts';

/** True for primitive types (everything but struct, list and map). */
export function isPrimitive(type: IcebergType): type is PrimitiveType {
  return type.type !== 'struct' && type.type !== 'list' && type.type !== 'map';
}

/** The schema's top-level struct. */
export function structOf(schema: Schema): StructType {
  return { type: 'struct', fields: schema.fields };
}

/**
 * Iceberg's text form of a type: primitives as in metadata JSON (`long`, `decimal(10,2)`,
 * `fixed[16]`); nested types as `struct<a: int>`, `list<string>`, `map<string, long>` (for messages).
 */
export function typeToString(type: IcebergType): string {
  switch (type.type) {
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'fixed':
      return `fixed[${type.length}]`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}: ${typeToString(f.type)}`).join(', ')}>`;
    case 'list':
      return `list<${typeToString(type.element)}>`;
    case 'map':
      return `map<${typeToString(type.key)}, ${typeToString(type.value)}>`;
    default:
      return type.type;
  }
}

const SIMPLE_TYPES: ReadonlySet<string> = new Set<SimpleTypeName>([
  'boolean', 'int', 'long', 'float', 'double', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid', 'binary',
]);

/**
 * Parses a primitive type string from metadata JSON: simple names, `decimal(P,S)` (spaces
 * allowed, 1 <= P <= 38, 0 <= S <= P) and `fixed[L]` (L >= 1). Throws UnsupportedTypeError
 * naming the string otherwise (v3 types such as `timestamp_ns` included).
 */
export function parsePrimitiveType(s: string): PrimitiveType {
  const text = s.trim();
  if (SIMPLE_TYPES.has(text)) return { type: text as SimpleTypeName };
  const dec = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(text);
  if (dec) {
    const precision = Number(dec[1]);
    const scale = Number(dec[2]);
    if (precision < 1 || precision > 38 || scale > precision) {
      throw new UnsupportedTypeError(`type '${s}': decimal precision must be 1..38 and scale 0..precision`);
    }
    return { type: 'decimal', precision, scale };
  }
  const fixed = /^fixed\[\s*(\d+)\s*\]$/.exec(text);
  if (fixed && Number(fixed[1]) >= 1) return { type: 'fixed', length: Number(fixed[1]) };
  throw new UnsupportedTypeError(`type '${s}' is not an Iceberg v2 primitive type`);
}

/** Calls `visit` on every field of `fields` and of the structs nested in them, depth first. */
function walkFields(fields: readonly NestedField[], visit: (f: NestedField, path: readonly string[]) => boolean | void, path: readonly string[] = []): boolean {
  for (const f of fields) {
    const here = [...path, f.name];
    if (visit(f, here) === true) return true;
    const nested = nestedStructs(f.type);
    for (const [segment, struct] of nested) {
      if (walkFields(struct.fields, visit, segment ? [...here, segment] : here)) return true;
    }
  }
  return false;
}

/** Structs directly reachable from a type, with the path segment Iceberg uses for them. */
function nestedStructs(type: IcebergType): [string, StructType][] {
  if (type.type === 'struct') return [['', type]];
  if (type.type === 'list') return nestedStructs(type.element).map(([s, t]) => [s ? `element.${s}` : 'element', t]);
  if (type.type === 'map') {
    return [
      ...nestedStructs(type.key).map(([s, t]): [string, StructType] => [s ? `key.${s}` : 'key', t]),
      ...nestedStructs(type.value).map(([s, t]): [string, StructType] => [s ? `value.${s}` : 'value', t]),
    ];
  }
  return [];
}

/** The struct field with `id`, at any depth (inside lists and maps too), or undefined. */
export function findFieldById(schema: Schema, id: number): NestedField | undefined {
  let found: NestedField | undefined;
  walkFields(schema.fields, (f) => {
    if (f.id === id) found = f;
    return found !== undefined;
  });
  return found;
}

/**
 * Names from the top level down to the field with `id`, crossing structs only, e.g.
 * `['address', 'city']`; undefined when absent or inside a list or map (where partition
 * sources may not live). Rows are read along this path.
 */
export function findFieldPath(schema: Schema, id: number): readonly string[] | undefined {
  let found: readonly string[] | undefined;
  const visit = (fields: readonly NestedField[], path: readonly string[]): void => {
    for (const f of fields) {
      if (found) return;
      if (f.id === id) found = [...path, f.name];
      else if (f.type.type === 'struct') visit(f.type.fields, [...path, f.name]);
    }
  };
  visit(schema.fields, []);
  return found;
}

/**
 * The field at a dotted name (`address.city`, case-sensitive). Lists and maps are crossed
 * with Iceberg's segment names: `points.element.x`, `attrs.value.y`. Undefined when absent.
 */
export function findFieldByName(schema: Schema, dottedName: string): NestedField | undefined {
  let found: NestedField | undefined;
  walkFields(schema.fields, (f, path) => {
    if (path.join('.') === dottedName) found = f;
    return found !== undefined;
  });
  return found;
}

function collectIds(type: IcebergType, out: number[]): void {
  if (type.type === 'struct') {
    for (const f of type.fields) {
      out.push(f.id);
      collectIds(f.type, out);
    }
  } else if (type.type === 'list') {
    out.push(type.elementId);
    collectIds(type.element, out);
  } else if (type.type === 'map') {
    out.push(type.keyId, type.valueId);
    collectIds(type.key, out);
    collectIds(type.value, out);
  }
}

/** Every id in the schema, depth first: struct fields, list element and map key/value ids. */
export function allFieldIds(schema: Schema): number[] {
  const out: number[] = [];
  collectIds(structOf(schema), out);
  return out;
}

/** The highest id in the schema (0 for an empty schema): a table's lastColumnId is at least this. */
export function maxFieldId(schema: Schema): number {
  return allFieldIds(schema).reduce((m, id) => Math.max(m, id), 0);
}

/** A type before ids are assigned: the shape of IcebergType without ids. */
export type UnassignedType =
  | PrimitiveType
  | { readonly type: 'struct'; readonly fields: readonly UnassignedField[] }
  | { readonly type: 'list'; readonly element: UnassignedType; readonly elementRequired: boolean }
  | { readonly type: 'map'; readonly key: UnassignedType; readonly value: UnassignedType; readonly valueRequired: boolean };

/** A field before ids are assigned. */
export interface UnassignedField {
  readonly name: string;
  readonly required: boolean;
  readonly type: UnassignedType;
  readonly doc?: string;
}

/**
 * Gives `type` ids from `nextId()`, as Java's AssignFreshIds does: all fields of a struct
 * first, then their children; a list's element id, a map's key id then value id.
 */
export function assignIds(type: UnassignedType, nextId: () => number): IcebergType {
  switch (type.type) {
    case 'struct': {
      const ids = type.fields.map(() => nextId());
      const fields = type.fields.map((f, i): NestedField => ({
        id: ids[i]!,
        name: f.name,
        required: f.required,
        type: assignIds(f.type, nextId),
        ...(f.doc !== undefined ? { doc: f.doc } : {}),
      }));
      return { type: 'struct', fields } satisfies StructType;
    }
    case 'list': {
      const elementId = nextId();
      const element = assignIds(type.element, nextId);
      return { type: 'list', elementId, elementRequired: type.elementRequired, element } satisfies ListType;
    }
    case 'map': {
      const keyId = nextId();
      const valueId = nextId();
      const key = assignIds(type.key, nextId);
      const value = assignIds(type.value, nextId);
      return { type: 'map', keyId, key, valueId, valueRequired: type.valueRequired, value } satisfies MapType;
    }
    default:
      return type;
  }
}

/**
 * Builds a schema (id `schemaId`, default 0) from fields without ids, numbering from `startId`
 * (default 1). Duplicate names in one struct throw UnsupportedTypeError. The table's new
 * lastColumnId is `maxFieldId(result)`.
 */
export function assignFreshIds(fields: readonly UnassignedField[], startId = 1, schemaId = 0): Schema {
  let next = startId;
  const struct = assignIds({ type: 'struct', fields }, () => next++) as StructType;
  const schema: Schema = { schemaId, identifierFieldIds: [], fields: struct.fields };
  assertUniqueNames(struct);
  return schema;
}

/** Throws UnsupportedTypeError when a struct (at any depth) has two fields of one name. */
export function assertUniqueNames(type: IcebergType, path = ''): void {
  if (type.type === 'struct') {
    const seen = new Set<string>();
    for (const f of type.fields) {
      if (seen.has(f.name)) throw new UnsupportedTypeError(`duplicate field name '${path}${f.name}'`);
      seen.add(f.name);
      assertUniqueNames(f.type, `${path}${f.name}.`);
    }
  } else if (type.type === 'list') {
    assertUniqueNames(type.element, `${path}element.`);
  } else if (type.type === 'map') {
    assertUniqueNames(type.key, `${path}key.`);
    assertUniqueNames(type.value, `${path}value.`);
  }
}
