/**
 * The Debezium change-event envelope (record value): `op`, `before`, `after`, `source`,
 * `ts_ms`, with or without an embedded Connect schema. Only the shape is checked here;
 * values are converted by row.ts. Two ways to read one, with the same result: the scanned
 * path (bytes) parses only what precedes the source block as JSON and reads the rest with
 * source-scan.ts; anything it does not read exactly goes to the general path (JSON.parse of the
 * whole payload).
 */
import type { KafkaOrigin } from '../../core/change.ts';
import { BadEventError } from '../../core/errors.ts';
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import { envelopeMembersUnsafe, isObject, parseJsonText, previewValue, utf8Text } from './json-text.ts';
import { readSource, type SourceInfo } from './position.ts';
import { imageSchemas, splitBody, splitSchema, type SchemaAndPayload } from './schema-types.ts';
import { describeOrigin } from './row.ts';
import { scanEnvelopeTail } from './source-scan.ts';
import type { ConnectSchema } from './types.ts';

/** Debezium operations: create, update, delete, read (snapshot), truncate, message. */
export type DebeziumOp = 'c' | 'u' | 'd' | 'r' | 't' | 'm';

const OPS: ReadonlySet<string> = new Set(['c', 'u', 'd', 'r', 't', 'm']);

/** An envelope with its parts, its source block read, and (when embedded) the schemas of `before` and `after`. */
export interface Envelope {
  readonly op: DebeziumOp;
  readonly before: JsonValue;
  readonly after: JsonValue;
  /** What `source` says (empty for `m`, which is ignored whatever its source block holds). */
  readonly source: SourceInfo;
  readonly beforeSchema: ConnectSchema | undefined;
  readonly afterSchema: ConnectSchema | undefined;
}

const NO_SOURCE: SourceInfo = { position: {}, snapshot: false };

/** Reads the envelope of a record value (bytes or text); throws BadEventError naming table and position. */
export function readValue(value: Uint8Array | string, table: string, origin: KafkaOrigin): Envelope {
  const what = valueWhat(table, origin);
  const body = splitBody(value, what);
  const text = utf8Text(body.payload, what);
  // Text records (tests, fixtures) take the scanned path too, so both paths stay covered.
  const scanned = scanEnvelope(typeof body.payload === 'string' ? Buffer.from(text) : body.payload, text, body.schema);
  if (scanned !== undefined) return scanned;
  const payload = parseJsonText(text, what);
  return readEnvelope(body.whole ? splitSchema(payload) : { schema: body.schema, payload }, table, origin);
}

/**
 * Names the value in messages (built only on failure). Returned from here rather than bound to
 * a local name: esbuild's keepNames (tsx) defines a name on every named closure, per record.
 */
function valueWhat(table: string, origin: KafkaOrigin): () => string {
  return () => `${table} value at ${describeOrigin(origin)}`;
}

/** Reads an envelope from a parsed record value (schema split off); throws BadEventError naming table and position. */
export function readEnvelope({ schema, payload }: SchemaAndPayload, table: string, origin: KafkaOrigin): Envelope {
  if (!isObject(payload)) throw new BadEventError(`${table} value at ${describeOrigin(origin)}: not a Debezium envelope: ${previewValue(payload)}`);
  const op = payload.op;
  if (typeof op !== 'string' || !OPS.has(op)) {
    throw new BadEventError(`${table} value at ${describeOrigin(origin)}: unknown or missing op ${previewValue(op ?? null)} in ${previewValue(payload)}`);
  }
  const schemas = imageSchemas(schema);
  return {
    op: op as DebeziumOp,
    before: payload.before ?? null,
    after: payload.after ?? null,
    source: op === 'm' ? NO_SOURCE : readSource(payload.source),
    beforeSchema: schemas.before,
    afterSchema: schemas.after,
  };
}

const SOURCE_MEMBER = ',"source":{';

/**
 * The scanned path: `payload` (bytes) and `text` (the same, decoded) cut at the first
 * `,"source":{`. What precedes it, closed with `}`, must parse as a non-empty object: then the
 * cut is a member of the envelope itself (JSON.parse validated every quote and brace before
 * it). What follows must scan (source-scan.ts). The members are those JSON.parse would give
 * (a later member replaces an earlier one of the same name; the scan gives up on `before`,
 * `after` or `source` after the source block). Undefined: use the general path.
 */
export function scanEnvelope(payload: Uint8Array, text: string, schema: ConnectSchema | undefined): Envelope | undefined {
  const cut = text.indexOf(SOURCE_MEMBER);
  if (cut <= 0) return undefined;
  const last = text.charCodeAt(cut - 1);
  if (last === 0x7b || last <= 0x20) return undefined; // `{` (no member before) or whitespace: general path
  // Only ASCII is scanned, so the text after the cut has as many bytes as characters.
  const tail = scanEnvelopeTail(payload, payload.length - (text.length - cut));
  if (tail === undefined) return undefined;
  const head = parseHead(text, cut);
  if (!isObject(head) || envelopeMembersUnsafe(head)) return undefined;
  const op = tail.op ?? head.op;
  if (typeof op !== 'string' || !OPS.has(op)) return undefined;
  const schemas = imageSchemas(schema);
  return {
    op: op as DebeziumOp,
    before: head.before ?? null,
    after: head.after ?? null,
    source: op === 'm' ? NO_SOURCE : tail.source,
    beforeSchema: schemas.before,
    afterSchema: schemas.after,
  };
}

const BEFORE_NULL = '{"before":null,"after":';
const BEFORE = '{"before":';
const AFTER_NULL = ',"after":null';

/**
 * The members before the source block (`text` up to `cut`) as an object; undefined when they
 * are not JSON. Debezium's own heads, `{"before":null,"after":…` and `{"before":…,"after":null`,
 * are read by parsing the one image alone (less text for JSON.parse, no joined string); when
 * that image parses, the head is exactly these two members.
 */
function parseHead(text: string, cut: number): JsonValue | undefined {
  try {
    if (text.startsWith(BEFORE_NULL)) return { before: null, after: JSON.parse(text.slice(BEFORE_NULL.length, cut)) as JsonValue };
    if (text.startsWith(BEFORE) && text.endsWith(AFTER_NULL, cut)) return { before: JSON.parse(text.slice(BEFORE.length, cut - AFTER_NULL.length)) as JsonValue, after: null };
  } catch {
    // Another layout (e.g. more members): parse the head whole.
  }
  try {
    return JSON.parse(`${text.slice(0, cut)}}`) as JsonValue;
  } catch {
    return undefined;
  }
}
