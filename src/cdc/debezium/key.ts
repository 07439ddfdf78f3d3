/**
 * The Kafka record key of a Debezium table topic: a struct of the key columns (the primary
 * key, or `message.key.columns`), JSON with or without an embedded schema. Truncate and
 * keyless-table records have a null key.
 */
import type { KafkaOrigin } from '../../core/change.ts';
import { BadEventError } from '../../core/errors.ts';
import type { Row } from '../../iceberg/spec/types.ts';
import { describeOrigin, type TargetFields } from './row.ts';
import { parseBody } from './schema-types.ts';

/**
 * Decodes the key bytes into the target's key columns; null when the record has no key.
 * Throws BadEventError when the key is not JSON, holds unknown columns or misses a key column.
 */
export function decodeKey(data: Uint8Array | string | null, fields: TargetFields, origin: KafkaOrigin): Row | null {
  if (data === null || data.length === 0) return null;
  const { schema, payload } = parseBody(data, () => `${fields.target.table} key at ${describeOrigin(origin)}`);
  if (payload === null) return null;
  const { row } = fields.convert(payload, schema, 'key', origin, true);
  return pickKey(row, fields, 'key', origin);
}

/**
 * The target's key columns taken from `row` (a key, before or after image), in key order.
 * Throws BadEventError naming the missing column; null values are missing too.
 */
export function pickKey(row: Row, fields: TargetFields, part: string, origin: KafkaOrigin): Row {
  const key: Record<string, Row[string]> = {};
  for (const column of fields.target.keyColumns) {
    const v = row[column];
    if (v === undefined || v === null) {
      throw new BadEventError(`${fields.target.table} ${part} at ${describeOrigin(origin)}: key column ${JSON.stringify(column)} is missing`);
    }
    key[column] = v;
  }
  return key;
}

/**
 * The target's key columns taken from an image when it holds all of them (non-null), else
 * null. Debezium derives the record key from the same row, so this key equals the record key.
 */
export function imageKey(row: Row, fields: TargetFields): Row | null {
  const key: Record<string, Row[string]> = {};
  for (const column of fields.target.keyColumns) {
    const v = row[column];
    if (v === undefined || v === null) return null;
    key[column] = v;
  }
  return key;
}
