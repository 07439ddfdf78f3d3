/**
 * Debezium and Kafka Connect temporal values into Iceberg date (days), time (µs since
 * midnight) and timestamp(tz) (µs since 1970 UTC), exactly. Debezium's encodings of PostgreSQL
 * ±infinity (measured with 3.6.1, pgoutput) follow the `infinity` rule of docs/type-mapping.md:
 *   date       +infinity → -2147472692 days, -infinity → -2147472691 (int overflow in Debezium)
 *   timestamp  +infinity → 9223372036825200000, -infinity → -9223372036832400000 in µs modes,
 *              and those numbers / 1000 in ms modes (PgJDBC's DATE_POSITIVE/NEGATIVE_INFINITY)
 *   timestamptz  the strings "infinity" / "-infinity"
 */
import { BadEventError } from '../../core/errors.ts';
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import type { IcebergType, IcebergValue } from '../../iceberg/spec/types.ts';
import { isoDateToDays, isoTimeToMicros, isoToMicros, MICROS_PER_DAY } from '../../iceberg/spec/values.ts';
import { DATE_MAX_DAYS, DATE_MIN_DAYS, TIMESTAMP_MAX_MICROS, TIMESTAMP_MIN_MICROS } from '../../sources/postgres/pg-codecs.ts';
import { previewValue } from './json-text.ts';
import { jsonInteger } from './numeric-converters.ts';
import type { DebeziumDecodeOptions } from './types.ts';

/** A resolved temporal value: days for dates, µs for times and timestamps, or ±infinity. */
export type Temporal =
  | { readonly kind: 'date'; readonly days: number }
  | { readonly kind: 'time'; readonly micros: bigint }
  | { readonly kind: 'timestamp'; readonly micros: bigint }
  | { readonly kind: 'infinity'; readonly positive: boolean };

const DATE_POS_INFINITY = -2147472692n;
const DATE_NEG_INFINITY = -2147472691n;
const TS_POS_INFINITY = 9223372036825200000n;
const TS_NEG_INFINITY = -9223372036832400000n;

/** Units of integer temporals, as multipliers to µs (ns divides). */
export type TimeUnit = 'ms' | 'us' | 'ns';

function toMicros(v: bigint, unit: TimeUnit): bigint {
  if (unit === 'ms') return v * 1000n;
  if (unit === 'us') return v;
  if (v % 1000n !== 0n) throw new BadEventError(`${v} ns has sub-microsecond digits; Iceberg keeps microseconds`);
  return v / 1000n;
}

/** Days since 1970 (io.debezium.time.Date, connect Date), with Debezium's infinity encodings. */
export function epochDays(raw: JsonValue): Temporal {
  const v = jsonInteger(raw);
  if (v === DATE_POS_INFINITY || v === DATE_NEG_INFINITY) return { kind: 'infinity', positive: v === DATE_POS_INFINITY };
  return { kind: 'date', days: Number(v) };
}

/** Time of day in `unit` since midnight (Time ms, MicroTime µs, NanoTime ns). */
export function timeOfDay(raw: JsonValue, unit: TimeUnit): Temporal {
  return { kind: 'time', micros: toMicros(jsonInteger(raw), unit) };
}

/** Timestamp in `unit` since 1970 (Timestamp ms, MicroTimestamp µs, NanoTimestamp ns, connect Timestamp ms). */
export function epochTimestamp(raw: JsonValue, unit: TimeUnit): Temporal {
  const v = jsonInteger(raw);
  if (v === TS_POS_INFINITY || v === TS_POS_INFINITY / 1000n) return { kind: 'infinity', positive: true };
  if (v === TS_NEG_INFINITY || v === TS_NEG_INFINITY / 1000n) return { kind: 'infinity', positive: false };
  return { kind: 'timestamp', micros: toMicros(v, unit) };
}

/** ISO-8601 text (ZonedTimestamp, IsoTimestamp, IsoDate, IsoTime), including "infinity" / "-infinity". */
export function isoTemporal(raw: JsonValue, kind: 'date' | 'time' | 'timestamp'): Temporal {
  if (typeof raw !== 'string') throw new BadEventError(`expected ISO-8601 text, got ${previewValue(raw)}`);
  if (raw === 'infinity' || raw === '+infinity' || raw === '-infinity') return { kind: 'infinity', positive: raw !== '-infinity' };
  if (kind === 'date') return { kind, days: isoDateToDays(raw.replace(/Z$/, '')) };
  if (kind === 'time') return { kind, micros: isoTimeToMicros(raw.replace(/Z$/, '')) };
  return { kind, micros: isoToMicros(raw) };
}

function infinite(positive: boolean, target: IcebergType, options: DebeziumDecodeOptions): IcebergValue {
  if (options.infinity === 'null') return null;
  if (options.infinity === 'error') {
    throw new BadEventError(`${positive ? 'infinity' : '-infinity'} has no Iceberg equivalent (set infinity: clamp or null)`);
  }
  if (target.type === 'date') return positive ? DATE_MAX_DAYS : DATE_MIN_DAYS;
  return positive ? TIMESTAMP_MAX_MICROS : TIMESTAMP_MIN_MICROS;
}

/** A resolved temporal into its Iceberg target type; a kind that does not match the target throws. */
export function temporalInto(t: Temporal, target: IcebergType, options: DebeziumDecodeOptions): IcebergValue {
  const want = target.type === 'timestamptz' ? 'timestamp' : target.type;
  if (t.kind === 'infinity') {
    if (want !== 'date' && want !== 'timestamp') throw new BadEventError(`infinity cannot go into ${target.type}`);
    return infinite(t.positive, target, options);
  }
  if (t.kind !== want) throw new BadEventError(`a ${t.kind} cannot go into ${target.type}`);
  if (t.kind === 'time' && (t.micros < 0n || t.micros >= MICROS_PER_DAY)) {
    throw new BadEventError(`time ${t.micros} µs is outside 00:00..23:59:59.999999 (Iceberg time)`);
  }
  return t.kind === 'date' ? t.days : t.micros;
}
