/**
 * Avro schemas as plain JSON data, with the Iceberg attributes (`field-id`, `element-id`,
 * `logicalType: "map"`) the spec's Appendix A requires. Schemas stay plain JSON all the way to
 * the file header: avsc drops unknown attributes once a schema becomes an `avro.Type`.
 */

export type AvroPrimitive = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

/** A primitive with a logical type annotation (date, time-micros, timestamp-micros, uuid). */
export interface AvroAnnotated {
  readonly type: 'int' | 'long' | 'string' | 'bytes';
  readonly logicalType: string;
  readonly 'adjust-to-utc'?: boolean;
  readonly precision?: number;
  readonly scale?: number;
}

export interface AvroFixed {
  readonly type: 'fixed';
  readonly name: string;
  readonly size: number; // bytes
  readonly logicalType?: string; // decimal or uuid
  readonly precision?: number;
  readonly scale?: number;
}

export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  readonly default?: null;
  readonly 'field-id'?: number;
  readonly doc?: string;
}

export interface AvroRecord {
  readonly type: 'record';
  readonly name: string;
  readonly fields: readonly AvroField[];
}

export interface AvroArray {
  readonly type: 'array';
  readonly items: AvroSchema;
  readonly 'element-id'?: number;
  readonly logicalType?: 'map'; // an Iceberg map with non-string keys: items are key/value records
}

export interface AvroMap {
  readonly type: 'map';
  readonly values: AvroSchema;
  readonly 'key-id'?: number;
  readonly 'value-id'?: number;
}

/** Any Avro schema; a bare string other than a primitive names an already defined type. */
export type AvroSchema =
  | AvroPrimitive
  | string
  | readonly AvroSchema[]
  | AvroAnnotated
  | AvroFixed
  | AvroRecord
  | AvroArray
  | AvroMap;

/** A required record field carrying an Iceberg field id. */
export function requiredField(name: string, id: number, type: AvroSchema): AvroField {
  return { name, type, 'field-id': id };
}

/** An optional record field: a `["null", type]` union defaulting to null, as the spec requires. */
export function optionalField(name: string, id: number, type: AvroSchema): AvroField {
  return { name, type: ['null', type], default: null, 'field-id': id };
}

/** A record type; `name` must be unique within the enclosing schema. */
export function record(name: string, fields: readonly AvroField[]): AvroRecord {
  return { type: 'record', name, fields };
}

/** An Iceberg list: an Avro array whose element id is `element-id`. */
export function list(elementId: number, items: AvroSchema): AvroArray {
  return { type: 'array', items, 'element-id': elementId };
}

/** An Iceberg map with int keys (field id -> value), stored as an array of key/value records. */
export function intKeyMap(keyId: number, valueId: number, value: AvroSchema): AvroArray {
  return {
    type: 'array',
    logicalType: 'map',
    items: record(`k${keyId}_v${valueId}`, [requiredField('key', keyId, 'int'), requiredField('value', valueId, value)]),
  };
}

/** True for a JSON object schema of the given Avro type. */
export function isObjectSchema(schema: AvroSchema): schema is Exclude<AvroSchema, string | readonly AvroSchema[]> {
  return typeof schema === 'object' && !Array.isArray(schema);
}

/** The non-null branch of an optional `["null", T]` union, or the schema itself. */
export function unwrapOptional(schema: AvroSchema): AvroSchema {
  if (!Array.isArray(schema)) return schema;
  const branches = (schema as readonly AvroSchema[]).filter((s) => s !== 'null');
  return branches.length === 1 ? (branches[0] as AvroSchema) : schema;
}
