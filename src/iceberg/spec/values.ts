/**
 * Conversions between floe's in-memory Iceberg values (see types.ts) and their text forms:
 * exact decimals, ISO-8601 dates, times and timestamps (proleptic Gregorian, UTC), and UUIDs.
 * Calendar math is integer-only, so any year JavaScript can count works, including before 1970.
 */
import { BadEventError } from '../../core/errors.ts';

export const MICROS_PER_SECOND = 1_000_000n;
export const MICROS_PER_DAY = 86_400_000_000n;

/** A calendar date; `month` 1..12, `day` 1..31. */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Days since 1970-01-01 -> calendar date (proleptic Gregorian; negative days before 1970). */
export function daysToCivil(days: number): CivilDate {
  // Shift to an era starting 0000-03-01 so leap days fall at the end of each year.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Calendar date -> days since 1970-01-01; does not validate (see `isoDateToDays`). */
export function civilToDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * mp + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (n: number | bigint, width: number): string => String(n).padStart(width, '0');

/** Year as ISO-8601 / Java prints it: 4 digits, `+` above 9999, `-` before year 0. */
export function formatYear(year: number): string {
  if (year > 9999) return `+${year}`;
  return year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
}

/** Days since 1970-01-01 -> `yyyy-MM-dd` (e.g. -1 -> `1969-12-31`). */
export function daysToIsoDate(days: number): string {
  const { year, month, day } = daysToCivil(days);
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

const DATE_RE = /^([+-]?\d{4,})-(\d{2})-(\d{2})/;

function parseDatePrefix(s: string, what: string): { days: number; rest: string } {
  const m = DATE_RE.exec(s);
  if (!m) throw new BadEventError(`${what} '${s}' is not ISO-8601 (expected yyyy-MM-dd...)`);
  const [whole, y, mo, d] = m as unknown as [string, string, string, string];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new BadEventError(`${what} '${s}' has no such calendar day`);
  }
  return { days: civilToDays(year, month, day), rest: s.slice(whole.length) };
}

/** `yyyy-MM-dd` -> days since 1970-01-01. Throws BadEventError on bad syntax or impossible days. */
export function isoDateToDays(s: string): number {
  const { days, rest } = parseDatePrefix(s, 'date');
  if (rest !== '') throw new BadEventError(`date '${s}' has trailing text '${rest}'`);
  return days;
}

/** Microseconds since midnight -> `HH:mm:ss.ffffff` (always 6 fraction digits). */
export function microsToIsoTime(micros: bigint): string {
  if (micros < 0n || micros >= MICROS_PER_DAY) throw new BadEventError(`time ${micros} µs is outside one day`);
  const secs = micros / MICROS_PER_SECOND;
  const frac = micros % MICROS_PER_SECOND;
  return `${pad(secs / 3600n, 2)}:${pad((secs / 60n) % 60n, 2)}:${pad(secs % 60n, 2)}.${pad(frac, 6)}`;
}

const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?/;

function parseTimePrefix(s: string, whole: string): { micros: bigint; rest: string } {
  const m = TIME_RE.exec(s);
  if (!m) throw new BadEventError(`time in '${whole}' is not ISO-8601 (expected HH:mm[:ss[.ffffff]])`);
  const [all, h, mi, sec = '0', frac = ''] = m as unknown as [string, string, string, string?, string?];
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) {
    throw new BadEventError(`time in '${whole}' is out of range`);
  }
  if (/[1-9]/.test(frac.slice(6))) {
    throw new BadEventError(`time in '${whole}' has sub-microsecond digits; Iceberg keeps microseconds`);
  }
  const micros =
    (BigInt(h) * 3600n + BigInt(mi) * 60n + BigInt(sec)) * MICROS_PER_SECOND + BigInt(frac.slice(0, 6).padEnd(6, '0'));
  return { micros, rest: s.slice(all.length) };
}

/** `HH:mm[:ss[.fraction]]` -> microseconds since midnight; non-zero digits past µs throw. */
export function isoTimeToMicros(s: string): bigint {
  const { micros, rest } = parseTimePrefix(s, s);
  if (rest !== '') throw new BadEventError(`time '${s}' has trailing text '${rest}'`);
  return micros;
}

/**
 * Microseconds since 1970-01-01T00:00 -> `yyyy-MM-ddTHH:mm:ss.ffffff`, with `+00:00` appended
 * when `withZone` (the spec's JSON form for timestamptz). Floors correctly before 1970.
 */
export function microsToIso(micros: bigint, withZone = false): string {
  let days = micros / MICROS_PER_DAY;
  let inDay = micros % MICROS_PER_DAY;
  if (inDay < 0n) {
    inDay += MICROS_PER_DAY;
    days -= 1n;
  }
  return `${daysToIsoDate(Number(days))}T${microsToIsoTime(inDay)}${withZone ? '+00:00' : ''}`;
}

/**
 * ISO-8601 timestamp -> microseconds since 1970-01-01T00:00 UTC. Accepts `T` or a space,
 * optional seconds and fraction (digits past µs must be zero), and an optional `Z` or
 * `±HH:MM` offset, which is applied (so the result is UTC). Without an offset the wall time is
 * taken as is (timestamp without zone).
 */
export function isoToMicros(s: string): bigint {
  const { days, rest } = parseDatePrefix(s, 'timestamp');
  if (rest[0] !== 'T' && rest[0] !== 't' && rest[0] !== ' ') {
    throw new BadEventError(`timestamp '${s}' lacks a time part (expected yyyy-MM-ddTHH:mm:ss)`);
  }
  const time = parseTimePrefix(rest.slice(1), s);
  let micros = BigInt(days) * MICROS_PER_DAY + time.micros;
  const zone = time.rest;
  if (zone === 'Z' || zone === 'z' || zone === '') return micros;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) throw new BadEventError(`timestamp '${s}' has a bad zone offset '${zone}'`);
  const offset = (BigInt(m[2]!) * 60n + BigInt(m[3]!)) * 60n * MICROS_PER_SECOND;
  micros += m[1] === '+' ? -offset : offset;
  return micros;
}

/**
 * Unscaled decimal -> plain decimal text with exactly `scale` fraction digits
 * (12345n, 2 -> `123.45`; -5n, 2 -> `-0.05`). A negative scale prints `E+n` as the spec's JSON.
 */
export function decimalToString(unscaled: bigint, scale: number): string {
  if (scale < 0) return `${unscaled}E+${-scale}`;
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${body}` : body;
}

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Decimal text -> unscaled bigint at `scale`, exactly. Accepts a sign, a fraction and an
 * exponent (`-1.5`, `2E+3`). Throws BadEventError when the value needs more fraction digits
 * than `scale` (no rounding) or more than `precision` digits (default 38).
 */
export function decimalFromString(s: string, scale: number, precision = 38): bigint {
  const m = DECIMAL_RE.exec(s.trim());
  const [, sign, int = '', frac = '', exp = '0'] = m ?? [];
  if (!m || int + frac === '') throw new BadEventError(`decimal '${s}' is not a number`);
  // value = digits * 10^(exp - frac.length); we need value * 10^scale as an integer.
  const shift = Number(exp) - frac.length + scale;
  const digits = (int + frac).replace(/^0+(?=\d)/, '');
  let unscaled: bigint;
  if (shift >= 0) {
    unscaled = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const cut = digits.length + shift;
    const dropped = cut > 0 ? digits.slice(cut) : digits;
    if (/[1-9]/.test(dropped)) {
      throw new BadEventError(`decimal '${s}' has more than ${scale} fraction digits (scale ${scale})`);
    }
    unscaled = cut > 0 ? BigInt(digits.slice(0, cut)) : 0n;
  }
  const magnitude = unscaled.toString();
  if (unscaled !== 0n && magnitude.length > precision) {
    throw new BadEventError(`decimal '${s}' needs ${magnitude.length} digits, more than decimal(${precision},${scale})`);
  }
  return sign === '-' ? -unscaled : unscaled;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Canonical 8-4-4-4-12 UUID text (any case) -> 16 big-endian bytes. Throws BadEventError. */
export function uuidToBytes(uuid: string): Uint8Array {
  if (!UUID_RE.test(uuid)) throw new BadEventError(`uuid '${uuid}' is not in 8-4-4-4-12 hex form`);
  const hex = uuid.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** 16 big-endian bytes -> lowercase canonical UUID text. Throws BadEventError on other lengths. */
export function bytesToUuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new BadEventError(`uuid needs 16 bytes, got ${bytes.length}`);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
