/**
 * PostgreSQL text output → floe values, per codec id of type-mapping.ts, so a change read from
 * pgoutput (text mode) equals what `floe load` decodes from binary COPY for the same column.
 * The replication session pins the output settings these parsers rely on (see
 * REPLICATION_SESSION_OPTIONS): DateStyle ISO, TimeZone UTC, IntervalStyle iso_8601,
 * bytea_output hex, lc_monetary C, extra_float_digits 1 (shortest exact).
 * Conversions are data (`TEXT_CODECS`), one factory per codec id, like pg-codecs.ts.
 */
import { UnsupportedTypeError } from '../../core/errors.ts';
import { civilToDays } from '../../iceberg/spec/values.ts';
import type { IcebergValue } from '../../iceberg/spec/types.ts';
import {
  DATE_MAX_DAYS, DATE_MIN_DAYS, TIMESTAMP_MAX_MICROS, TIMESTAMP_MIN_MICROS, type CodecId, type CodecSpec, type DecodeContext,
} from '../../sources/postgres/pg-codecs.ts';
import { parsePgArray } from './pg-array-text.ts';

/** Session settings the text parsers assume; sent as startup `options` of the replication connection. */
export const REPLICATION_SESSION_OPTIONS =
  '-c DateStyle=ISO,MDY -c TimeZone=UTC -c IntervalStyle=iso_8601 -c bytea_output=hex -c lc_monetary=C -c extra_float_digits=1';

/** Converts one non-null text value. */
export type TextDecoder = (text: string) => IcebergValue;

function bad(ctx: DecodeContext, what: string, text: string): UnsupportedTypeError {
  return new UnsupportedTypeError(`${ctx.table}.${ctx.column}: cannot read ${what} from PostgreSQL text ${JSON.stringify(text)}`);
}

function infinite(ctx: DecodeContext, positive: boolean, clamped: IcebergValue): IcebergValue {
  if (ctx.infinity === 'clamp') return clamped;
  if (ctx.infinity === 'null') return null;
  throw new UnsupportedTypeError(
    `${ctx.table}.${ctx.column}: value ${positive ? 'infinity' : '-infinity'} has no Iceberg equivalent (set load.infinity to clamp or null)`,
  );
}

const DATE_RE = /^(\d{4,})-(\d\d)-(\d\d)/;
const TIME_RE = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?/;

/** `YYYY-MM-DD[ BC]` → days since 1970 (BC year y is astronomical year 1 − y). */
function dateDays(text: string, bc: boolean): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  return civilToDays(bc ? 1 - year : year, Number(m[2]), Number(m[3]));
}

/** `HH:MM:SS[.ffffff]` at the start of `text` → µs since midnight (24:00:00 is valid). */
function timeMicros(text: string): bigint | undefined {
  const m = TIME_RE.exec(text);
  if (!m) return undefined;
  const frac = m[4] === undefined ? 0 : Number(m[4].padEnd(6, '0'));
  return BigInt((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1_000_000 + frac);
}

function date(ctx: DecodeContext): TextDecoder {
  return (text) => {
    if (text === 'infinity') return infinite(ctx, true, DATE_MAX_DAYS);
    if (text === '-infinity') return infinite(ctx, false, DATE_MIN_DAYS);
    const days = dateDays(text, text.endsWith(' BC'));
    if (days === undefined) throw bad(ctx, 'a date', text);
    return days;
  };
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff][+00][ BC]` → µs since 1970 (TimeZone=UTC, so the offset is +00). */
function timestamp(ctx: DecodeContext, zoned: boolean): TextDecoder {
  return (text) => {
    if (text === 'infinity') return infinite(ctx, true, TIMESTAMP_MAX_MICROS);
    if (text === '-infinity') return infinite(ctx, false, TIMESTAMP_MIN_MICROS);
    const bc = text.endsWith(' BC');
    const space = text.indexOf(' ');
    const days = dateDays(text, bc);
    const time = space < 0 ? undefined : timeMicros(text.slice(space + 1));
    if (days === undefined || time === undefined) throw bad(ctx, zoned ? 'a timestamptz' : 'a timestamp', text);
    if (zoned && !/\+00( BC)?$/.test(text)) throw bad(ctx, 'a UTC timestamptz (the session TimeZone must be UTC)', text);
    return BigInt(days) * 86_400_000_000n + time;
  };
}

const POW10 = Array.from({ length: 80 }, (_, i) => 10n ** BigInt(i));

/** Numeric text → unscaled bigint at `scale`; undefined when it does not fit decimal(precision, scale) exactly. */
export function numericTextUnscaled(text: string, precision: number, scale: number): bigint | undefined {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) return undefined;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > scale) return undefined;
  const abs = BigInt((m[2] || '0') + frac.padEnd(scale, '0'));
  if (abs >= (POW10[precision] ?? 10n ** BigInt(precision))) return undefined;
  return m[1] === '-' ? -abs : abs;
}

function numeric(spec: CodecSpec, ctx: DecodeContext): TextDecoder {
  const precision = spec.precision ?? 38;
  const scale = spec.scale ?? 0;
  return (text) => {
    const v = numericTextUnscaled(text, precision, scale);
    if (v !== undefined) return v;
    const special = text === 'NaN' || text === 'Infinity' || text === '-Infinity';
    if (special && ctx.numericSpecialValues === 'null') return null;
    const why = special
      ? `has no decimal equivalent (set load.numericSpecialValues: null, or load.unconstrainedNumeric: string)`
      : `does not fit decimal(${precision},${scale}) without rounding (set load.unconstrainedNumeric to 'string' or a wider decimal)`;
    throw new UnsupportedTypeError(`${ctx.table}.${ctx.column}: numeric value ${text} ${why}`);
  };
}

function float(ctx: DecodeContext, single: boolean): TextDecoder {
  return (text) => {
    const n = text === 'NaN' ? NaN : text === 'Infinity' ? Infinity : text === '-Infinity' ? -Infinity : Number(text);
    if (Number.isNaN(n) && text !== 'NaN') throw bad(ctx, 'a float', text);
    return single ? Math.fround(n) : n;
  };
}

function bytea(ctx: DecodeContext): TextDecoder {
  return (text) => {
    if (!text.startsWith('\\x')) throw bad(ctx, 'hex bytea (bytea_output must be hex)', text.slice(0, 16));
    return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
  };
}

/** `"char"` prints bytes ≥ 128 as `\ooo`; the binary codec reads the byte as latin1. */
function char(): TextDecoder {
  return (text) => (/^\\[0-3][0-7]{2}$/.test(text) ? String.fromCharCode(parseInt(text.slice(1), 8)) : text);
}

/** money with lc_monetary=C: `-$1,234.56` → `-1234.56`, the binary codec's form. */
function money(ctx: DecodeContext): TextDecoder {
  return (text) => {
    const m = /^(-?)\$?([\d,]+)\.(\d\d)$/.exec(text.replace(/^-?\$/, (s) => (s.startsWith('-') ? '-' : '')));
    if (!m) throw bad(ctx, 'money (lc_monetary must be C)', text);
    const whole = m[2]!.replaceAll(',', '');
    return `${m[1]}${BigInt(whole)}.${m[3]}`;
  };
}

function int(ctx: DecodeContext, big: boolean): TextDecoder {
  return (text) => {
    if (!/^-?\d+$/.test(text)) throw bad(ctx, 'an integer', text);
    return big ? BigInt(text) : Number(text);
  };
}

function array(spec: CodecSpec, ctx: DecodeContext, delimiter: string): TextDecoder {
  if (!spec.element) throw new Error(`${ctx.table}.${ctx.column}: array codec without element codec`);
  const element = buildTextDecoder(spec.element, ctx);
  return (text) => {
    const parsed = parsePgArray(text, delimiter);
    if (parsed.dimensions > 1) {
      throw new UnsupportedTypeError(`${ctx.table}.${ctx.column}: a ${parsed.dimensions}-dimensional array value; floe maps arrays to 1-dimensional lists`);
    }
    return parsed.items.map((item) => (item === null ? null : element(item)));
  };
}

const identity: TextDecoder = (text) => text;

/** Codec id → factory of the column's text decoder; the same ids as pg-codecs.ts's CODECS. */
export const TEXT_CODECS: Readonly<Record<CodecId, (spec: CodecSpec, ctx: DecodeContext, delimiter: string) => TextDecoder>> = {
  bool: () => (text) => text === 't',
  int2: (_s, ctx) => int(ctx, false),
  int4: (_s, ctx) => int(ctx, false),
  int8: (_s, ctx) => int(ctx, true),
  oid: (_s, ctx) => int(ctx, true),
  float4: (_s, ctx) => float(ctx, true),
  float8: (_s, ctx) => float(ctx, false),
  numeric,
  'numeric-text': () => identity,
  text: () => identity,
  char,
  jsonb: () => identity,
  uuid: () => (text) => text.toLowerCase(),
  bytea: (_s, ctx) => bytea(ctx),
  date: (_s, ctx) => date(ctx),
  time: (_s, ctx) => (text) => timeMicros(text) ?? (() => { throw bad(ctx, 'a time', text); })(),
  timestamp: (_s, ctx) => timestamp(ctx, false),
  timestamptz: (_s, ctx) => timestamp(ctx, true),
  timetz: () => identity,
  interval: () => identity,
  inet: () => identity,
  macaddr: () => identity,
  money: (_s, ctx) => money(ctx),
  bit: () => identity,
  array,
};

/**
 * The text decoder of one column (`spec` from type-mapping.ts's mapTable). `delimiter` separates
 * array elements (pg_type.typdelim of the element: `;` for box, else `,`). Throws for an unknown codec id.
 */
export function buildTextDecoder(spec: CodecSpec, ctx: DecodeContext, delimiter = ','): TextDecoder {
  const factory = TEXT_CODECS[spec.codec];
  if (!factory) throw new UnsupportedTypeError(`${ctx.table}.${ctx.column}: no text codec "${spec.codec}"`);
  return factory(spec, ctx, delimiter);
}
