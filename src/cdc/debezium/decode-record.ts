/**
 * One Kafka record of a Debezium table topic → one floe Change (or an "ignored" result):
 *   c, r, u → upsert      d → delete      t → truncate      m, tombstone → ignored
 * Debezium derives the record key from the row image, so the key comes from `before` (d, u),
 * else `after` (c, r, u), and the record key is parsed only when the image lacks a key column
 * (it is then validated as before). An `u` whose before-key
 * differs from its after-key (REPLICA IDENTITY FULL, other connectors) is an upsert whose
 * `key` is the OLD key. PostgreSQL's primary-key updates arrive as d (header
 * `__debezium.newkey`) + tombstone + c (header `__debezium.oldkey`); the c may hold
 * unchanged-TOAST placeholders whose values live in the OLD row, so it decodes as an upsert
 * under the OLD key and the d is ignored ('key-moved'). Placeholders become `unchanged`
 * columns, never values.
 */
import type { Change, ChangeOp, KafkaOrigin } from '../../core/change.ts';
import { BadEventError } from '../../core/errors.ts';
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import type { Row } from '../../iceberg/spec/types.ts';
import { readValue, type Envelope } from './envelope.ts';
import { isObject } from './json-text.ts';
import { decodeKey, imageKey, pickKey } from './key.ts';
import type { SourceInfo } from './position.ts';
import { describeOrigin, TargetFields, type ConvertedRow } from './row.ts';
import { DEFAULT_DECODE_OPTIONS, type DebeziumDecodeOptions, type DebeziumTarget, type DecodeResult, type KafkaRecord } from './types.ts';

/** Decodes records of one target table; build once per table and call per record. */
export type DebeziumDecoder = (record: KafkaRecord) => DecodeResult;

/**
 * A decoder for `target` with `options` (defaults: DEFAULT_DECODE_OPTIONS). The decoder throws
 * BadEventError (naming table, column, topic/partition@offset and the value) for records it
 * cannot turn into a change.
 */
export function createDebeziumDecoder(target: DebeziumTarget, options: Partial<DebeziumDecodeOptions> = {}): DebeziumDecoder {
  const fields = new TargetFields(target, { ...DEFAULT_DECODE_OPTIONS, ...options });
  const fullBefore = (target.replicaIdentity ?? (target.keyColumns.length === 0 ? 'full' : 'default')) === 'full';
  return (record) => decodeOne(record, fields, fullBefore);
}

function decodeOne(record: KafkaRecord, fields: TargetFields, fullBefore: boolean): DecodeResult {
  const origin: KafkaOrigin = { topic: record.topic, partition: record.partition, offset: record.offset };
  if (record.value === null || record.value.length === 0) return { kind: 'ignored', reason: 'tombstone', origin };
  const table = fields.target.table;
  const env = readValue(record.value, table, origin);
  if (env.op === 'm') return { kind: 'ignored', reason: 'message', origin };
  const source = env.source;
  if (env.op === 't') return changeResult(table, 'truncate', null, null, null, NO_COLUMNS, source, origin);
  const keyed = fields.target.keyColumns.length > 0;
  if (keyed && env.op === 'd' && header(record, NEW_KEY) !== undefined) return { kind: 'ignored', reason: 'key-moved', origin };
  const before = readBefore(env, fields, fullBefore, origin);
  const beforeKey = keyed && before ? pickKey(before.row, fields, 'before', origin) : null;
  if (env.op === 'd') {
    // The record key of a delete is its before key: read it only when before has none.
    const key = keyed ? (beforeKey ?? decodeKey(record.key, fields, origin)) : null;
    if (keyed && !key) throw new BadEventError(`${table} delete at ${describeOrigin(origin)}: no key in record key or before`);
    if (!keyed && !before) throw new BadEventError(`${table} delete at ${describeOrigin(origin)}: keyless table needs a whole before image (REPLICA IDENTITY FULL)`);
    return changeResult(table, 'delete', key, null, fullBefore ? (before?.row ?? null) : null, NO_COLUMNS, source, origin);
  }
  if (env.after === null) throw new BadEventError(`${table} op '${env.op}' at ${describeOrigin(origin)}: after is null`);
  const after = fields.convert(env.after, env.afterSchema, 'after', origin);
  let key: Row | null = null;
  if (keyed) {
    // An update's record key is the NEW key; the row it replaces is under the before key. A
    // key move (header) names the OLD key. Otherwise the record key is the after image's key.
    const movedFrom = env.op === 'c' ? header(record, OLD_KEY) : undefined;
    if (env.op === 'u' && beforeKey) key = beforeKey;
    else if (movedFrom !== undefined) key = decodeKey(movedFrom, fields, origin) ?? pickKey(after.row, fields, 'after', origin);
    else key = imageKey(after.row, fields) ?? decodeKey(record.key, fields, origin) ?? pickKey(after.row, fields, 'after', origin);
  }
  return changeResult(table, 'upsert', key, after.row, fullBefore ? (before?.row ?? null) : null, after.unchanged, source, origin);
}

const NO_COLUMNS: readonly string[] = Object.freeze([]);

/**
 * The result for one change, built as one object literal per case (no spreads): changes then
 * share two hidden classes, which keeps their property loads monomorphic downstream.
 */
function changeResult(table: string, op: ChangeOp, key: Row | null, after: Row | null, before: Row | null, unchanged: readonly string[], source: SourceInfo, origin: KafkaOrigin): DecodeResult {
  const { position, commitTimeMs, snapshot } = source;
  const change: Change =
    commitTimeMs === undefined
      ? { table, op, key, after, before, unchanged, position, snapshot, origin }
      : { table, op, key, after, before, unchanged, position, commitTimeMs, snapshot, origin };
  return { kind: 'change', change };
}

const OLD_KEY = '__debezium.oldkey';
const NEW_KEY = '__debezium.newkey';

function header(record: KafkaRecord, name: string): Uint8Array | string | undefined {
  return record.headers?.[name];
}

/**
 * The before image: whole when the source sends whole images, else only its key columns
 * (REPLICA IDENTITY DEFAULT sends null for every other column). Null when absent.
 */
function readBefore(env: Envelope, fields: TargetFields, fullBefore: boolean, origin: KafkaOrigin): ConvertedRow | null {
  if (env.before === null) return null;
  if (fullBefore) return fields.convert(env.before, env.beforeSchema, 'before', origin);
  if (!isObject(env.before)) throw new BadEventError(`${fields.target.table} before at ${describeOrigin(origin)}: not an object`);
  const keyOnly: Record<string, JsonValue> = {};
  for (const column of fields.target.keyColumns) if (column in env.before) keyOnly[column] = env.before[column]!;
  return fields.convert(keyOnly, env.beforeSchema, 'before', origin, true);
}
