/**
 * Kafka Connect schemas in records: telling `{schema, payload}` from a plain payload, and
 * finding the schema of a struct's fields by name.
 */
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import { isObject, parseRecordJson } from './json-text.ts';
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

/** The schema of member `name` of a struct schema (e.g. the envelope's `after`): the first of that name. */
export function memberSchema(struct: ConnectSchema | undefined, name: string): ConnectSchema | undefined {
  return struct?.fields?.find((f) => f.field === name);
}

/** The schemas of an envelope's `before` and `after`. */
export interface ImageSchemas {
  readonly before: ConnectSchema | undefined;
  readonly after: ConnectSchema | undefined;
}

const NO_IMAGE_SCHEMAS: ImageSchemas = { before: undefined, after: undefined };
const imageSchemaCache = new WeakMap<ConnectSchema, ImageSchemas>();

/** memberSchema of `before` and `after`, looked up once per envelope schema object. */
export function imageSchemas(envelope: ConnectSchema | undefined): ImageSchemas {
  if (envelope === undefined) return NO_IMAGE_SCHEMAS;
  let found = imageSchemaCache.get(envelope);
  if (!found) imageSchemaCache.set(envelope, (found = { before: memberSchema(envelope, 'before'), after: memberSchema(envelope, 'after') }));
  return found;
}

const SCHEMA_PREFIX = '{"schema":';
const PAYLOAD_KEY = ',"payload":';
const PREFIX_BYTES = Buffer.from(SCHEMA_PREFIX);
const PAYLOAD_BYTES = Buffer.from(PAYLOAD_KEY);
const CLOSE_BRACE = 0x7d;
const SCHEMA_CACHE_MAX = 256;

/** A schema block seen before: its exact bytes (as the JSON converter wrote them) and its parse. */
interface KnownSchema {
  readonly bytes: Buffer;
  readonly schema: ConnectSchema | undefined;
}
/** Known schema blocks by byte length: a record's block is matched by length, then memcmp. */
const knownByLength = new Map<number, KnownSchema[]>();
let knownCount = 0;

function knownSchema(block: Buffer, what: () => string): KnownSchema {
  const same = knownByLength.get(block.length);
  if (same !== undefined) for (const k of same) if (k.bytes.equals(block)) return k;
  const parsed = parseRecordJson(block, what);
  const known = { bytes: Buffer.from(block), schema: isObject(parsed) ? (parsed as unknown as ConnectSchema) : undefined };
  if (knownCount >= SCHEMA_CACHE_MAX) {
    knownByLength.clear();
    knownCount = 0;
    lastSeen = undefined;
  }
  knownByLength.set(block.length, [...(same ?? []), known]);
  knownCount += 1;
  return known;
}

/** The known block the last record matched: tried first, as a topic's records share one. */
let lastSeen: KnownSchema | undefined;

/**
 * Where the payload starts when `record` starts with a known schema block followed by
 * `,"payload":` (-1 when none; `lastSeen` is the block). Tried by length, so the common record
 * needs no scan for the payload key. A known block holds no `,"payload":` and ends in `}`, so
 * this is the cut a scan would find, and at most one block matches.
 */
function seenBlock(record: Buffer): number {
  if (lastSeen !== undefined) {
    const at = payloadAfter(record, lastSeen);
    if (at >= 0) return at;
  }
  for (const list of knownByLength.values()) {
    for (const known of list) {
      const at = known === lastSeen ? -1 : payloadAfter(record, known);
      if (at >= 0) {
        lastSeen = known;
        return at;
      }
    }
  }
  return -1;
}

/** Where the payload starts when `record` holds `known` (then `,"payload":`) after `{"schema":`; else -1. */
function payloadAfter(record: Buffer, known: KnownSchema): number {
  const end = PREFIX_BYTES.length + known.bytes.length;
  if (end + PAYLOAD_BYTES.length >= record.length || !bytesAt(record, end, PAYLOAD_BYTES)) return -1;
  return record.compare(known.bytes, 0, known.bytes.length, PREFIX_BYTES.length, end) === 0 ? end + PAYLOAD_BYTES.length : -1;
}

/**
 * True when `expected` sits in `record` at `at` (the caller checked that it fits). A loop, not
 * Buffer.compare: for a few bytes the native call costs more (~0.2 µs) than the comparison.
 */
function bytesAt(record: Buffer, at: number, expected: Buffer): boolean {
  for (let i = 0; i < expected.length; i++) if (record[at + i] !== expected[i]) return false;
  return true;
}

/** A record's bytes as a Buffer (the same memory). */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The schema of the body `payloadStart` split last (its block parsed once, see knownSchema). */
export let payloadSchema: ConnectSchema | undefined;

/** payloadStart without `what`: the schema block is new and must be parsed (call again with one). */
export const NEW_SCHEMA = -2;

/**
 * Where the payload of `bytes` starts when they hold `{"schema":…,"payload":…}` (schema first,
 * as splitBody describes); the payload then ends before the last byte (`}`), and its schema is
 * `payloadSchema`. -1 for any other layout: the whole body is the value. Without `what` (names
 * the body in messages; a closure the common record need not make) NEW_SCHEMA when the schema
 * block was not seen before.
 */
export function payloadStart(bytes: Buffer, what?: () => string): number {
  const n = bytes.length;
  if (n <= PREFIX_BYTES.length + PAYLOAD_BYTES.length || bytes[n - 1] !== CLOSE_BRACE || !bytesAt(bytes, 0, PREFIX_BYTES)) return -1;
  const payloadAt = seenBlock(bytes);
  if (payloadAt >= 0) {
    payloadSchema = lastSeen!.schema;
    return payloadAt;
  }
  const cut = bytes.indexOf(PAYLOAD_BYTES, PREFIX_BYTES.length);
  if (cut <= 0) return -1;
  if (what === undefined) return NEW_SCHEMA;
  payloadSchema = knownSchema(bytes.subarray(PREFIX_BYTES.length, cut), what).schema;
  return cut + PAYLOAD_BYTES.length;
}

/** A record body split at its payload, before the payload is parsed. */
export interface BodyParts {
  readonly schema: ConnectSchema | undefined;
  /** The payload's JSON (bytes or text), or the whole body when `whole`. */
  readonly payload: Uint8Array | string;
  /** True when the schema-first layout was not found: the body, parsed, goes through splitSchema. */
  readonly whole: boolean;
}

/**
 * Splits a record key or value at its payload. The JSON converter writes
 * `{"schema":…,"payload":…}` with the schema first, and a topic repeats the same schema bytes
 * in every record (~80 % of a Debezium value). So on bytes: find the first `,"payload":`,
 * compare the block before it with the schema blocks seen before (length, then memcmp: no
 * parse, no UTF-8 decode, no string hashing), and leave only the payload to parse. The first
 * `,"payload":` after the schema is the envelope's: inside the schema "payload" can only be a
 * field name *value*, and a JSON string cannot hold an unescaped quote.
 */
export function splitBody(data: Uint8Array | string, what: () => string): BodyParts {
  if (typeof data !== 'string') {
    const bytes = asBuffer(data);
    const at = payloadStart(bytes, what);
    if (at >= 0) return { schema: payloadSchema, payload: bytes.subarray(at, bytes.length - 1), whole: false };
    return { schema: undefined, payload: bytes, whole: true };
  }
  const text = data;
  if (text.startsWith(SCHEMA_PREFIX) && text.endsWith('}')) {
    const cut = text.indexOf(PAYLOAD_KEY);
    if (cut > 0) {
      const { schema } = knownSchema(Buffer.from(text.slice(SCHEMA_PREFIX.length, cut)), what);
      return { schema, payload: text.slice(cut + PAYLOAD_KEY.length, -1), whole: false };
    }
  }
  return { schema: undefined, payload: text, whole: true };
}

/** Parses a record key or value (split by splitBody): JSON → schema and payload. */
export function parseBody(data: Uint8Array | string, what: () => string): SchemaAndPayload {
  const { schema, payload, whole } = splitBody(data, what);
  const parsed = parseRecordJson(payload, what);
  return whole ? splitSchema(parsed) : { schema, payload: parsed };
}
