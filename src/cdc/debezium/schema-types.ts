/**
 * Kafka Connect schemas in records: telling `{schema, payload}` from a plain payload, and
 * finding the schema of a struct's fields by name.
 */
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import { isObject, parseRecordJson, utf8Text } from './json-text.ts';
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

const fieldMaps = new WeakMap<ConnectSchema, ReadonlyMap<string, ConnectSchema>>();

/** Field schemas of a struct schema by field name (cached per schema object); undefined without fields. */
export function fieldSchemas(struct: ConnectSchema | undefined): ReadonlyMap<string, ConnectSchema> | undefined {
  if (!struct?.fields) return undefined;
  let map = fieldMaps.get(struct);
  if (!map) fieldMaps.set(struct, (map = new Map(struct.fields.map((f) => [f.field ?? '', f]))));
  return map;
}

/** The schema of member `name` of a struct schema (e.g. the envelope's `after`). */
export function memberSchema(struct: ConnectSchema | undefined, name: string): ConnectSchema | undefined {
  return struct?.fields?.find((f) => f.field === name);
}

const SCHEMA_PREFIX = '{"schema":';
const PAYLOAD_KEY = ',"payload":';
const schemaCache = new Map<string, ConnectSchema | undefined>();
const SCHEMA_CACHE_MAX = 256;

/**
 * Parses a record key or value: JSON text → schema and payload. The JSON converter writes
 * `{"schema":…,"payload":…}` with the schema first; a topic repeats the same schema text in
 * every record, so it is parsed once and cached (by text), and only the payload is parsed per
 * record. The first `,"payload":` after the schema is the envelope's: inside the schema
 * "payload" can only be a field name *value*, and a JSON string cannot hold an unescaped quote.
 */
export function parseBody(data: Uint8Array | string, what: () => string): SchemaAndPayload {
  const text = utf8Text(data, what);
  if (text.startsWith(SCHEMA_PREFIX) && text.endsWith('}')) {
    const cut = text.indexOf(PAYLOAD_KEY);
    if (cut > 0) {
      const schemaText = text.slice(SCHEMA_PREFIX.length, cut);
      let schema = schemaCache.get(schemaText);
      if (schema === undefined && !schemaCache.has(schemaText)) {
        const parsed = parseRecordJson(schemaText, what);
        schema = isObject(parsed) ? (parsed as unknown as ConnectSchema) : undefined;
        if (schemaCache.size >= SCHEMA_CACHE_MAX) schemaCache.clear();
        schemaCache.set(schemaText, schema);
      }
      return { schema, payload: parseRecordJson(text.slice(cut + PAYLOAD_KEY.length, -1), what) };
    }
  }
  return splitSchema(parseRecordJson(text, what));
}
