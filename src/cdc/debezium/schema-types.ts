/**
 * Kafka Connect schemas in records: telling `{schema, payload}` from a plain payload, and
 * finding the schema of a struct's fields by name.
 */
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import { isObject } from './json-text.ts';
import type { ConnectSchema } from './types.ts';

/** A record body split into payload and (when embedded) its schema. */
export interface SchemaAndPayload {
  readonly schema: ConnectSchema | undefined;
  readonly payload: JsonValue;
}

/**
 * Splits `{schema, payload}` (JSON converter with `schemas.enable=true`); any other value is a
 * plain payload. A Debezium envelope or key never has exactly these two members, so this is safe.
 */
export function splitSchema(body: JsonValue): SchemaAndPayload {
  if (isObject(body) && 'payload' in body && 'schema' in body && Object.keys(body).length === 2) {
    const schema = body.schema;
    return { schema: isObject(schema) ? (schema as unknown as ConnectSchema) : undefined, payload: body.payload ?? null };
  }
  return { schema: undefined, payload: body };
}

/** Field schemas of a struct schema by field name; undefined when there is no schema. */
export function fieldSchemas(struct: ConnectSchema | undefined): ReadonlyMap<string, ConnectSchema> | undefined {
  if (!struct?.fields) return undefined;
  return new Map(struct.fields.map((f) => [f.field ?? '', f]));
}

/** The schema of member `name` of a struct schema (e.g. the envelope's `after`). */
export function memberSchema(struct: ConnectSchema | undefined, name: string): ConnectSchema | undefined {
  return struct?.fields?.find((f) => f.field === name);
}
