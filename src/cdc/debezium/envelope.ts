/**
 * The Debezium change-event envelope (record value): `op`, `before`, `after`, `source`,
 * `ts_ms`, with or without an embedded Connect schema. Only the shape is checked here;
 * values are converted by row.ts.
 */
import type { KafkaOrigin } from '../../core/change.ts';
import { BadEventError } from '../../core/errors.ts';
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import { isObject, previewValue } from './json-text.ts';
import { memberSchema, type SchemaAndPayload } from './schema-types.ts';
import { describeOrigin } from './row.ts';
import type { ConnectSchema } from './types.ts';

/** Debezium operations: create, update, delete, read (snapshot), truncate, message. */
export type DebeziumOp = 'c' | 'u' | 'd' | 'r' | 't' | 'm';

const OPS: ReadonlySet<string> = new Set(['c', 'u', 'd', 'r', 't', 'm']);

/** An envelope with its parts and, when embedded, the schemas of `before` and `after`. */
export interface Envelope {
  readonly op: DebeziumOp;
  readonly before: JsonValue;
  readonly after: JsonValue;
  readonly source: JsonValue | undefined;
  readonly beforeSchema: ConnectSchema | undefined;
  readonly afterSchema: ConnectSchema | undefined;
}

/** Reads an envelope from a record value (schema split off); throws BadEventError naming table and position. */
export function readEnvelope({ schema, payload }: SchemaAndPayload, table: string, origin: KafkaOrigin): Envelope {
  if (!isObject(payload)) throw new BadEventError(`${table} value at ${describeOrigin(origin)}: not a Debezium envelope: ${previewValue(payload)}`);
  const op = payload.op;
  if (typeof op !== 'string' || !OPS.has(op)) {
    throw new BadEventError(`${table} value at ${describeOrigin(origin)}: unknown or missing op ${previewValue(op ?? null)} in ${previewValue(payload)}`);
  }
  return {
    op: op as DebeziumOp,
    before: payload.before ?? null,
    after: payload.after ?? null,
    source: payload.source,
    beforeSchema: memberSchema(schema, 'before'),
    afterSchema: memberSchema(schema, 'after'),
  };
}
