/**
 * Value conversion as data: `SEMANTIC` maps each Debezium / Kafka Connect semantic type name to
 * its converter; values without a known semantic type go by the target Iceberg type
 * (`BY_TARGET`). Without an embedded schema the column's SemanticHint stands in for it, so
 * both paths share one table. Converters throw BadEventError with a short reason; row.ts adds
 * table, column and Kafka position.
 */
import { BadEventError } from '../../core/errors.ts';
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import type { IcebergType, IcebergValue } from '../../iceberg/spec/types.ts';
import { previewValue } from './json-text.ts';
import {
  connectDecimal, decimalInto, textDecimal, toFloating, toInt, toLong, variableScaleDecimal,
} from './numeric-converters.ts';
import { epochDays, epochTimestamp, isoTemporal, temporalInto, timeOfDay, type Temporal } from './temporal-converters.ts';
import { binaryBytes, geometryText, intervalText, microDurationText, pointText, uuidText } from './text-converters.ts';
import type { DebeziumDecodeOptions, SemanticHint } from './types.ts';

/** What a converter knows about the value besides itself: schema (or hint) and options. */
export interface ValueSchema extends SemanticHint {
  readonly type?: string; // Connect type (int64, bytes, ...) when the record carries a schema
  readonly items?: ValueSchema;
}

/** Converts one non-null JSON value into `target`. */
export type Converter = (raw: JsonValue, target: IcebergType, schema: ValueSchema, options: DebeziumDecodeOptions) => IcebergValue;

const temporal =
  (read: (raw: JsonValue) => Temporal): Converter =>
  (raw, target, _schema, options) =>
    temporalInto(read(raw), target, options);

/** Text-valued semantic types: the converter's text goes into a string column (or uuid, for Uuid). */
const text =
  (read: (raw: JsonValue) => string): Converter =>
  (raw, target) => {
    const s = read(raw);
    if (target.type === 'string') return s;
    if (target.type === 'uuid') return uuidText(s);
    throw new BadEventError(`text ${previewValue(s)} cannot go into ${target.type}`);
  };

const asString = (raw: JsonValue): string => {
  if (typeof raw !== 'string') throw new BadEventError(`expected text, got ${previewValue(raw)}`);
  return raw;
};

/** Debezium semantic type name → converter. */
export const SEMANTIC: Readonly<Record<string, Converter>> = {
  'org.apache.kafka.connect.data.Decimal': (raw, target, schema) => decimalInto(connectDecimal(raw, schema.parameters?.scale), target),
  'io.debezium.data.VariableScaleDecimal': (raw, target) => decimalInto(variableScaleDecimal(raw), target),
  'io.debezium.time.Date': temporal(epochDays),
  'org.apache.kafka.connect.data.Date': temporal(epochDays),
  'io.debezium.time.Time': temporal((raw) => timeOfDay(raw, 'ms')),
  'org.apache.kafka.connect.data.Time': temporal((raw) => timeOfDay(raw, 'ms')),
  'io.debezium.time.MicroTime': temporal((raw) => timeOfDay(raw, 'us')),
  'io.debezium.time.NanoTime': temporal((raw) => timeOfDay(raw, 'ns')),
  'io.debezium.time.Timestamp': temporal((raw) => epochTimestamp(raw, 'ms')),
  'org.apache.kafka.connect.data.Timestamp': temporal((raw) => epochTimestamp(raw, 'ms')),
  'io.debezium.time.MicroTimestamp': temporal((raw) => epochTimestamp(raw, 'us')),
  'io.debezium.time.NanoTimestamp': temporal((raw) => epochTimestamp(raw, 'ns')),
  'io.debezium.time.ZonedTimestamp': temporal((raw) => isoTemporal(raw, 'timestamp')),
  'io.debezium.time.IsoTimestamp': temporal((raw) => isoTemporal(raw, 'timestamp')),
  'io.debezium.time.IsoDate': temporal((raw) => isoTemporal(raw, 'date')),
  'io.debezium.time.IsoTime': temporal((raw) => isoTemporal(raw, 'time')),
  'io.debezium.time.ZonedTime': text(asString), // UTC time with offset, e.g. 07:04:56.123456Z
  'io.debezium.time.Year': (raw, target) => (target.type === 'string' ? String(toInt(raw)) : toInt(raw)),
  'io.debezium.time.Interval': text(intervalText),
  'io.debezium.time.MicroDuration': text(microDurationText),
  'io.debezium.data.Uuid': text(uuidText),
  'io.debezium.data.Json': text(asString),
  'io.debezium.data.Xml': text(asString),
  'io.debezium.data.Enum': text(asString),
  'io.debezium.data.EnumSet': text(asString),
  'io.debezium.data.Ltree': text(asString),
  'io.debezium.data.geometry.Point': text(pointText),
  'io.debezium.data.geometry.Geometry': text(geometryText),
  'io.debezium.data.geometry.Geography': text(geometryText),
  // bit(n > 1): little-endian bytes; floe load writes '0101' text. Not mapped yet: refuse, never guess.
  'io.debezium.data.Bits': (raw) => {
    throw new BadEventError(`io.debezium.data.Bits (PostgreSQL bit(n) / varbit) is not supported yet (got ${previewValue(raw)})`);
  },
};

const decimalByKind: Converter = (raw, target, schema, options) => {
  if (target.type !== 'decimal') throw new BadEventError(`decimal conversion into ${target.type}`);
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return decimalInto(variableScaleDecimal(raw), target);
  const base64 = schema.type === 'bytes' || (schema.type === undefined && options.decimalHandlingMode === 'precise');
  if (typeof raw === 'string' && base64) return decimalInto(connectDecimal(raw, String(target.scale)), target);
  return textDecimal(raw, target.scale, target.precision, options);
};

const unitOf = (options: DebeziumDecodeOptions): 'ms' | 'us' => (options.timePrecisionMode === 'connect' ? 'ms' : 'us');

const stringByKind: Converter = (raw, _t, schema) => {
  // Bytes in JSON are base64: storing that text would silently change the value.
  if (schema.type === 'bytes') throw new BadEventError(`bytes cannot go into a string column (got ${previewValue(raw)})`);
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'bigint') return String(raw);
  if (typeof raw === 'boolean') return raw ? '1' : '0'; // bit(1) arrives as BOOLEAN
  throw new BadEventError(`expected text, got ${previewValue(raw)}`);
};

/** Conversion by target type, for values whose schema (or hint) names no semantic type. */
export const BY_TARGET: Readonly<Record<IcebergType['type'], Converter>> = {
  boolean: (raw) => {
    if (typeof raw !== 'boolean') throw new BadEventError(`expected a boolean, got ${previewValue(raw)}`);
    return raw;
  },
  int: (raw) => toInt(raw),
  long: (raw) => toLong(raw),
  float: (raw, target) => toFloating(raw, target),
  double: (raw, target) => toFloating(raw, target),
  decimal: decimalByKind,
  // Without a schema or hint, integers are days, and ms or µs per time.precision.mode.
  date: (raw, target, _s, options) => temporalInto(typeof raw === 'string' ? isoTemporal(raw, 'date') : epochDays(raw), target, options),
  time: (raw, target, _s, options) =>
    temporalInto(typeof raw === 'string' ? isoTemporal(raw, 'time') : timeOfDay(raw, unitOf(options)), target, options),
  timestamp: (raw, target, _s, options) =>
    temporalInto(typeof raw === 'string' ? isoTemporal(raw, 'timestamp') : epochTimestamp(raw, unitOf(options)), target, options),
  timestamptz: (raw, target, _s, options) =>
    temporalInto(typeof raw === 'string' ? isoTemporal(raw, 'timestamp') : epochTimestamp(raw, unitOf(options)), target, options),
  string: stringByKind,
  uuid: (raw) => uuidText(raw),
  binary: (raw, _t, schema, options) => binaryBytes(raw, schema.type, options),
  fixed: (raw, target, schema, options) => {
    const b = binaryBytes(raw, schema.type, options);
    const length = target.type === 'fixed' ? target.length : -1;
    if (b.length !== length) throw new BadEventError(`${b.length} bytes do not fit fixed[${length}]`);
    return b;
  },
  list: () => {
    throw new BadEventError('list handled by convertValue');
  },
  struct: (raw) => {
    throw new BadEventError(`struct columns are not supported (got ${previewValue(raw)})`);
  },
  map: (raw) => {
    throw new BadEventError(`map columns are not supported (got ${previewValue(raw)})`);
  },
};

/** The schema of a value that has neither an embedded schema nor a hint. */
export const NO_SCHEMA: ValueSchema = {};

/**
 * The converter of non-null values into `target` with `schema` (NO_SCHEMA when none): by its
 * semantic type if known, else by target type; undefined for lists (convertValue maps them).
 * Resolved once per column by row.ts.
 */
export function converterFor(target: IcebergType, schema: ValueSchema): Converter | undefined {
  if (target.type === 'list') return undefined;
  const semantic = schema.name === undefined ? undefined : SEMANTIC[schema.name];
  return semantic ?? BY_TARGET[target.type];
}

/** One JSON value (null allowed) into `target`, by its semantic type if known, else by target type. */
export function convertValue(raw: JsonValue, target: IcebergType, schema: ValueSchema | undefined, options: DebeziumDecodeOptions): IcebergValue {
  if (raw === null) return null;
  const s = schema ?? NO_SCHEMA;
  if (target.type === 'list') {
    if (!Array.isArray(raw)) throw new BadEventError(`expected an array, got ${previewValue(raw)}`);
    // A hint describes the elements; an embedded schema has them under `items`.
    const element = s.type === 'array' ? s.items : s;
    return raw.map((v) => convertValue(v, target.element, element, options));
  }
  return converterFor(target, s)!(raw, target, s, options);
}
