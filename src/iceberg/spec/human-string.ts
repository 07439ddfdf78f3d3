/**
 * Human-readable partition values, as Java's `Transform.toHumanString` prints them into
 * partition paths: dates `yyyy-MM-dd`, months `yyyy-MM`, hours `yyyy-MM-dd-HH`, timestamps
 * ISO-8601 with trailing fraction zeros dropped, binary as base64, null as `null`.
 */
import type { IcebergValue, PrimitiveType } from './types.ts';
import { daysToIsoDate, formatYear, MICROS_PER_DAY, MICROS_PER_SECOND } from './values.ts';

const pad2 = (n: number | bigint): string => String(n).padStart(2, '0');

/** Fraction of a second as Java's ISO formatter prints it: `.1`, `.000001`, or nothing. */
function fraction(micros: bigint): string {
  return micros === 0n ? '' : `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
}

/** Microseconds since midnight as Java's `LocalTime.toString()`: `HH:mm`, `HH:mm:ss`, `HH:mm:ss.SSS[SSS]`. */
export function humanTime(micros: bigint): string {
  const secs = micros / MICROS_PER_SECOND;
  const frac = micros % MICROS_PER_SECOND;
  const hm = `${pad2(secs / 3600n)}:${pad2((secs / 60n) % 60n)}`;
  if (frac === 0n && secs % 60n === 0n) return hm;
  const ms = frac % 1000n === 0n ? `.${String(frac / 1000n).padStart(3, '0')}` : `.${String(frac).padStart(6, '0')}`;
  return `${hm}:${pad2(secs % 60n)}${frac === 0n ? '' : ms}`;
}

/** Microseconds since the epoch as Java's ISO_LOCAL_DATE_TIME: `2017-11-16T22:31:08.1`. */
export function humanTimestamp(micros: bigint, withZone: boolean): string {
  let days = micros / MICROS_PER_DAY;
  let inDay = micros % MICROS_PER_DAY;
  if (inDay < 0n) {
    inDay += MICROS_PER_DAY;
    days -= 1n;
  }
  const secs = inDay / MICROS_PER_SECOND;
  const time = `${pad2(secs / 3600n)}:${pad2((secs / 60n) % 60n)}:${pad2(secs % 60n)}${fraction(inDay % MICROS_PER_SECOND)}`;
  return `${daysToIsoDate(Number(days))}T${time}${withZone ? '+00:00' : ''}`;
}

/** Months since 1970-01 -> `yyyy-MM` (floor division before 1970). */
export function humanMonth(months: number): string {
  return `${formatYear(1970 + Math.floor(months / 12))}-${pad2(((months % 12) + 12) % 12 + 1)}`;
}

/** Hours since 1970-01-01T00 -> `yyyy-MM-dd-HH`. */
export function humanHour(hours: number): string {
  const days = Math.floor(hours / 24);
  return `${daysToIsoDate(days)}-${pad2(hours - days * 24)}`;
}

/** Years since 1970 -> `yyyy`. */
export function humanYear(years: number): string {
  return formatYear(1970 + years);
}

/** A decimal as Java's `BigDecimal.toString()`: plain, or scientific when the exponent is below -6. */
export function humanDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const adjusted = digits.length - 1 - scale;
  let body: string;
  if (scale >= 0 && adjusted >= -6) {
    const padded = digits.padStart(scale + 1, '0');
    body = scale === 0 ? padded : `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  } else {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  }
  return negative ? `-${body}` : body;
}

/** A double (or, with `single`, a float) as Java's `Double.toString`/`Float.toString`. */
export function humanFloat(x: number, single: boolean): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  let v = x;
  if (single) {
    // Shortest decimal that reads back as the same float.
    for (let p = 1; p <= 9; p++) {
      const candidate = Number(x.toPrecision(p));
      if (Math.fround(candidate) === x) {
        v = candidate;
        break;
      }
    }
  }
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa = '', exponent = ''] = v.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/** A value of `type` as Java's identity transform prints it (also used for truncate results). */
export function humanValue(type: PrimitiveType, value: IcebergValue): string {
  if (value === null) return 'null';
  switch (type.type) {
    case 'date':
      return daysToIsoDate(value as number);
    case 'time':
      return humanTime(value as bigint);
    case 'timestamp':
      return humanTimestamp(value as bigint, false);
    case 'timestamptz':
      return humanTimestamp(value as bigint, true);
    case 'decimal':
      return humanDecimal(value as bigint, type.scale);
    case 'float':
    case 'double':
      return humanFloat(value as number, type.type === 'float');
    case 'binary':
    case 'fixed':
      return Buffer.from(value as Uint8Array).toString('base64');
    default:
      return String(value);
  }
}

/** Days since 1970-01-01 (the `day` transform's result) -> `yyyy-MM-dd`. */
export const humanDay = daysToIsoDate;

/**
 * Escapes a path segment as Java's `URLEncoder.encode(s, UTF_8)`: letters, digits and `.-*_`
 * stay, space becomes `+`, everything else `%XX` of its UTF-8 bytes (lone surrogates as `?`).
 */
export function urlEncode(s: string): string {
  const wellFormed = s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '?');
  return encodeURIComponent(wellFormed)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
