/**
 * Matching Avro record fields by Iceberg field id rather than by name. Decoding uses the
 * writer's schema; renaming its fields to canonical names first lets callers read records by
 * name even when another writer spelled a field differently (the binary encoding is unaffected).
 */
import { isObjectSchema, type AvroField, type AvroSchema } from './avro-schema.ts';

/**
 * A copy of `schema` whose record fields carrying a `field-id` found in `names` are renamed to
 * that name. Record types whose enclosing field id is in `opaque` (e.g. 102, the partition
 * struct, whose ids belong to the partition spec) are copied unchanged.
 */
export function renameFieldsById(schema: AvroSchema, names: ReadonlyMap<number, string>, opaque: ReadonlySet<number> = new Set()): AvroSchema {
  if (Array.isArray(schema)) return (schema as readonly AvroSchema[]).map((s) => renameFieldsById(s, names, opaque));
  if (!isObjectSchema(schema)) return schema;
  switch (schema.type) {
    case 'record':
      return {
        ...schema,
        fields: schema.fields.map((f): AvroField => {
          const id = f['field-id'];
          const name = id === undefined ? f.name : (names.get(id) ?? f.name);
          const type = id !== undefined && opaque.has(id) ? f.type : renameFieldsById(f.type, names, opaque);
          return { ...f, name, type };
        }),
      };
    case 'array':
      return { ...schema, items: renameFieldsById(schema.items, names, opaque) };
    case 'map':
      return { ...schema, values: renameFieldsById(schema.values, names, opaque) };
    default:
      return schema;
  }
}

/** The field of record schema `schema` (optional unions unwrapped) named `name`, if any. */
export function fieldNamed(schema: AvroSchema, name: string): AvroField | undefined {
  const s = Array.isArray(schema) ? (schema as readonly AvroSchema[]).find((b) => b !== 'null') : schema;
  if (s === undefined || !isObjectSchema(s) || s.type !== 'record') return undefined;
  return s.fields.find((f) => f.name === name);
}
