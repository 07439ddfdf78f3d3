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
import { asBuffer, imageSchemas, NEW_SCHEMA, payloadSchema, payloadStart, splitBody, splitSchema, type SchemaAndPayload } from './schema-types.ts';
import { scanFlatImage } from './image-scan.ts';
import { describeOrigin } from './row.ts';
import { lastTailOp, scanEnvelopeTail } from './source-scan.ts';
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
  if (typeof value !== 'string') {
    // Bytes (Kafka): split and scanned in place, no payload text unless the general path runs.
    const bytes = asBuffer(value);
    let at = payloadStart(bytes);
    if (at === NEW_SCHEMA) at = payloadStart(bytes, valueWhat(table, origin));
    const schema = at >= 0 ? payloadSchema : undefined;
    const from = at >= 0 ? at : 0;
    const to = at >= 0 ? bytes.length - 1 : bytes.length;
    const scanned = scanPayload(bytes, from, to, schema);
    if (scanned !== undefined) return scanned;
    const what = valueWhat(table, origin);
    const payload = parseJsonText(utf8Text(bytes.subarray(from, to), what), what);
    return readEnvelope(at >= 0 ? { schema, payload } : splitSchema(payload), table, origin);
  }
  const what = valueWhat(table, origin);
  const body = splitBody(value, what);
  const text = body.payload as string;
  // Text records (tests, fixtures) take the scanned path too, so both paths stay covered; text
  // with a lone surrogate (which UTF-8 bytes cannot carry) only the general path.
  if (isWellFormed(text)) {
    const bytes = Buffer.from(text);
    const scanned = scanPayload(bytes, 0, bytes.length, body.schema);
    if (scanned !== undefined) return scanned;
  }
  const payload = parseJsonText(text, what);
  return readEnvelope(body.whole ? splitSchema(payload) : { schema: body.schema, payload }, table, origin);
}

function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
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

const SOURCE_MEMBER = Buffer.from(',"source":{');

/** scanPayload on a payload's bytes (`text`, the same decoded, is not needed: kept for callers). */
export function scanEnvelope(payload: Uint8Array, _text: string, schema: ConnectSchema | undefined): Envelope | undefined {
  return scanPayload(asBuffer(payload), 0, payload.length, schema);
}

/**
 * The scanned path: the payload `b[from, to)` cut at the first `,"source":{`. What precedes it,
 * closed with `}`, must parse as a non-empty object: then the cut is a member of the envelope
 * itself (JSON.parse validated every quote and brace before it). What follows must scan
 * (source-scan.ts, ASCII only). The members are those JSON.parse would give (a later member
 * replaces an earlier one of the same name; the scan gives up on `before`, `after` or `source`
 * after the source block). Only the bytes before the cut are decoded, as UTF-8 (no BOM
 * stripped: the general path strips one only at the payload's start, where JSON.parse here
 * refuses it). Undefined: use the general path.
 */
function scanPayload(b: Buffer, from: number, to: number, schema: ConnectSchema | undefined): Envelope | undefined {
  const cut = b.indexOf(SOURCE_MEMBER, from);
  if (cut <= from || cut + SOURCE_MEMBER.length > to) return undefined;
  const last = b[cut - 1]!;
  if (last === 0x7b || last <= 0x20) return undefined; // `{` (no member before) or whitespace: general path
  const source = scanEnvelopeTail(b, cut, to);
  if (source === undefined) return undefined;
  const tailOp = lastTailOp;
  const head = parseHead(b as Latin1Buffer, from, cut);
  if (!isObject(head) || envelopeMembersUnsafe(head)) return undefined;
  const op = tailOp ?? head.op;
  if (typeof op !== 'string' || !OPS.has(op)) return undefined;
  const schemas = imageSchemas(schema);
  return {
    op: op as DebeziumOp,
    before: head.before ?? null,
    after: head.after ?? null,
    source: op === 'm' ? NO_SOURCE : source,
    beforeSchema: schemas.before,
    afterSchema: schemas.after,
  };
}

const BEFORE_NULL = Buffer.from('{"before":null,"after":');
const BEFORE = Buffer.from('{"before":');
const AFTER_NULL = Buffer.from(',"after":null');

/**
 * The members before the source block (`b[from, cut)`) as an object; undefined when they are
 * not JSON (or not UTF-8). Debezium's own heads, `{"before":null,"after":…` and
 * `{"before":…,"after":null`, are read from the one image alone: a flat image by image-scan.ts,
 * else by JSON.parse of its text (no joined string); when that image reads, the head is exactly
 * these two members.
 */
function parseHead(b: Latin1Buffer, from: number, cut: number): JsonValue | undefined {
  try {
    if (bytesAt(b, from, BEFORE_NULL)) {
      const scanned = scanFlatImage(b, from + BEFORE_NULL.length, cut);
      if (scanned !== undefined) return { before: null, after: scanned };
      const image = utf8Range(b, from + BEFORE_NULL.length, cut);
      if (image !== undefined) return { before: null, after: JSON.parse(image) as JsonValue };
    } else if (bytesAt(b, from, BEFORE) && cut - AFTER_NULL.length > from + BEFORE.length && bytesAt(b, cut - AFTER_NULL.length, AFTER_NULL)) {
      const scanned = scanFlatImage(b, from + BEFORE.length, cut - AFTER_NULL.length);
      if (scanned !== undefined) return { before: scanned, after: null };
      const image = utf8Range(b, from + BEFORE.length, cut - AFTER_NULL.length);
      if (image !== undefined) return { before: JSON.parse(image) as JsonValue, after: null };
    }
  } catch {
    // Another layout (e.g. more members): parse the head whole.
  }
  const head = utf8Range(b, from, cut);
  if (head === undefined) return undefined;
  try {
    return JSON.parse(`${head}}`) as JsonValue;
  } catch {
    return undefined;
  }
}

/** True when `expected` sits in `b` at `at` (a loop: for a few bytes cheaper than a native compare). */
function bytesAt(b: Uint8Array, at: number, expected: Uint8Array): boolean {
  if (at + expected.length > b.length) return false;
  for (let i = 0; i < expected.length; i++) if (b[at + i] !== expected[i]) return false;
  return true;
}

/** Node's Buffer slicer without the argument checks of `toString` (fastest for short strings). */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `b[from, to)` as text: ASCII by latin1 (exact), else strict UTF-8; undefined when not UTF-8. */
function utf8Range(b: Latin1Buffer, from: number, to: number): string | undefined {
  for (let i = from; i < to; i++) {
    if (b[i]! >= 0x80) {
      try {
        return utf8.decode(b.subarray(from, to));
      } catch {
        return undefined;
      }
    }
  }
  return b.latin1Slice(from, to);
}
