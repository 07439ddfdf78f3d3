/**
 * Debezium decoding as plain data: the Kafka Connect schema JSON, the record floe receives,
 * the target table a topic feeds, decoder options, and what decoding returns. This file is
 * the table of contents of src/cdc/debezium.
 */
import type { Change, KafkaOrigin } from '../../core/change.ts';
import type { Schema } from '../../iceberg/spec/types.ts';

/** Kafka Connect schema as the JSON converter embeds it (`schemas.enable=true`). */
export interface ConnectSchema {
  readonly type: 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'boolean' | 'string' | 'bytes' | 'array' | 'map' | 'struct';
  readonly optional?: boolean;
  /** Semantic type, e.g. `io.debezium.time.MicroTimestamp`, `org.apache.kafka.connect.data.Decimal`. */
  readonly name?: string;
  readonly version?: number;
  /** String-valued parameters, e.g. Decimal's `scale`. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Field name, inside a struct's `fields`. */
  readonly field?: string;
  readonly fields?: readonly ConnectSchema[];
  readonly items?: ConnectSchema;
}

/**
 * What the schema would say about a column when records carry no schema: the semantic name
 * (and Decimal's `scale`) Debezium uses for it. `hintsForPgTable` derives them from the source
 * column and the connector settings. For arrays the hint describes the elements.
 */
export interface SemanticHint {
  readonly name?: string;
  readonly parameters?: Readonly<Record<string, string>>;
}

/** The Iceberg table one Debezium topic feeds. */
export interface DebeziumTarget {
  /** Source table `schema.table`, copied into Change.table and used in messages. */
  readonly table: string;
  readonly schema: Schema;
  /** Key columns (target field names) in key order; empty for keyless tables. */
  readonly keyColumns: readonly string[];
  /** Semantic types by column, used when a record has no embedded schema. */
  readonly hints?: Readonly<Record<string, SemanticHint>>;
  /**
   * `full` when the source sends whole before-images (REPLICA IDENTITY FULL). Default: `full`
   * for keyless tables, else `default`, where Debezium's `before` holds real values only in key
   * columns (others are null), so Change.before is left null.
   */
  readonly replicaIdentity?: 'default' | 'full';
  /**
   * Source columns left out of the target on purpose (the table's `columns.exclude`, or what
   * its `columns.include` leaves out): dropped from images. Any other column the target lacks
   * is a schema change, and stops the table.
   */
  readonly ignoredColumn?: (column: string) => boolean;
}

/** Connector settings and floe's value rules the decoder must know. */
export interface DebeziumDecodeOptions {
  /** Debezium `unavailable.value.placeholder`; default `__debezium_unavailable_value`. */
  readonly unavailableValue: string;
  /** Debezium `binary.handling.mode`: how bytea arrives when the schema type is a string. */
  readonly binaryHandlingMode: 'bytes' | 'base64' | 'base64-url-safe' | 'hex';
  /**
   * Debezium `decimal.handling.mode`, used only for values with neither schema nor hint:
   * `precise` reads text as base64 bytes at the target scale, `string` as decimal text.
   */
  readonly decimalHandlingMode: 'precise' | 'string' | 'double';
  /**
   * Debezium `time.precision.mode`, used only for integer times/timestamps with neither schema
   * nor hint: `connect` means ms; the adaptive modes mean µs (columns declared with precision
   * 0..3 send ms: give them a hint).
   */
  readonly timePrecisionMode: 'adaptive' | 'adaptive_time_microseconds' | 'connect' | 'isostring';
  /** date/timestamp ±infinity: clamp (default) to 9999-12-31 / 0001-01-01, null, or error. */
  readonly infinity: 'clamp' | 'null' | 'error';
  /** NaN / ±Infinity numerics (decimal.handling.mode=string sends them) into decimals: error or null. */
  readonly numericSpecialValues: 'error' | 'null';
}

/** Defaults matching Debezium's and floe's load defaults. */
export const DEFAULT_DECODE_OPTIONS: DebeziumDecodeOptions = {
  unavailableValue: '__debezium_unavailable_value',
  binaryHandlingMode: 'bytes',
  decimalHandlingMode: 'precise',
  timePrecisionMode: 'adaptive_time_microseconds',
  infinity: 'clamp',
  numericSpecialValues: 'error',
};

/** One Kafka record: key and value bytes exactly as consumed (null = Kafka null). */
export interface KafkaRecord extends KafkaOrigin {
  readonly key: Uint8Array | string | null;
  readonly value: Uint8Array | string | null;
  /** Record headers by name; floe reads Debezium's `__debezium.oldkey` / `__debezium.newkey` (key moves). */
  readonly headers?: Readonly<Record<string, Uint8Array | string>>;
}

/** Why a record produced no change. */
export type IgnoredReason =
  | 'tombstone'
  | 'message'
  /** The delete half of a primary-key update: the create that follows carries the old key. */
  | 'key-moved';

/** Decoding result: a change, or a record floe deliberately ignores. Bad records throw BadEventError. */
export type DecodeResult =
  | { readonly kind: 'change'; readonly change: Change }
  | { readonly kind: 'ignored'; readonly reason: IgnoredReason; readonly origin: KafkaOrigin };
