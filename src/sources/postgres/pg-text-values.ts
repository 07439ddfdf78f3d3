/**
 * Binary PostgreSQL values that floe stores as strings, rendered deterministically (independent
 * of session settings such as IntervalStyle or lc_monetary):
 *   interval          ISO 8601 as PostgreSQL's IntervalStyle iso_8601 prints it: P1Y2M3DT4H5M6.5S
 *   inet, cidr        PostgreSQL's text form: 10.0.0.1, 10.0.0.0/8, ::ffff:1.2.3.4, 2001:db8::/32
 *   macaddr(8)        lowercase, colon separated: 08:00:2b:01:02:03
 *   money             the amount in currency units with 2 decimals, no symbol: -1234.56
 *   bit, varbit       one character per bit: 0101
 *   timetz            HH:MM:SS[.ffffff]±HH[:MM[:SS]] as PostgreSQL prints it
 */

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Microseconds as `[-]S[.ffffff]` seconds with trailing zeros trimmed. */
function seconds(us: number): string {
  const neg = us < 0;
  const abs = Math.abs(us);
  const whole = Math.floor(abs / 1e6);
  const frac = abs % 1e6;
  const text = frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
  return neg ? `-${text}` : text;
}

/** interval binary (int64 µs, int32 days, int32 months) → ISO 8601 duration, `PT0S` when zero. */
export function intervalText(view: DataView, off: number): string {
  const us = Number(view.getBigInt64(off));
  const days = view.getInt32(off + 8);
  const months = view.getInt32(off + 12);
  const years = Math.trunc(months / 12);
  const mons = months % 12;
  let out = 'P';
  if (years !== 0) out += `${years}Y`;
  if (mons !== 0) out += `${mons}M`;
  if (days !== 0) out += `${days}D`;
  if (us !== 0) {
    const hours = Math.trunc(us / 3_600_000_000);
    const mins = Math.trunc((us % 3_600_000_000) / 60_000_000);
    const rest = us % 60_000_000;
    out += 'T';
    if (hours !== 0) out += `${hours}H`;
    if (mins !== 0) out += `${mins}M`;
    if (rest !== 0) out += `${seconds(rest)}S`;
  }
  return out === 'P' ? 'PT0S' : out;
}

function ipv6(bytes: Uint8Array, off: number): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[off + i]! << 8) | bytes[off + i + 1]!);
  // longest run (≥ 2) of zero words becomes "::", as in BIND's inet_ntop that PostgreSQL uses
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (bestLen < 2) best = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best !== -1 && i >= best && i < best + bestLen) {
      if (i === best) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      return `${out}${bytes[off + 12]}.${bytes[off + 13]}.${bytes[off + 14]}.${bytes[off + 15]}`;
    }
    out += words[i]!.toString(16);
  }
  if (best !== -1 && best + bestLen === 8) out += ':';
  return out;
}

/** inet/cidr binary (family, bits, is_cidr, nbytes, address) → text; `/bits` shown for cidr or a partial mask. */
export function inetText(bytes: Uint8Array, off: number): string {
  const family = bytes[off]!;
  const bits = bytes[off + 1]!;
  const isCidr = bytes[off + 2] === 1;
  const addr = off + 4;
  const max = family === 2 ? 32 : 128;
  const text = family === 2 ? `${bytes[addr]}.${bytes[addr + 1]}.${bytes[addr + 2]}.${bytes[addr + 3]}` : ipv6(bytes, addr);
  return isCidr || bits !== max ? `${text}/${bits}` : text;
}

/** macaddr (6 bytes) or macaddr8 (8 bytes) → `08:00:2b:01:02:03`. */
export function macaddrText(bytes: Uint8Array, off: number, len: number): string {
  let out = HEX2[bytes[off]!]!;
  for (let i = 1; i < len; i++) out += `:${HEX2[bytes[off + i]!]}`;
  return out;
}

/** money (int64 cents) → `-1234.56` (assumes the usual 2 fractional digits of lc_monetary). */
export function moneyText(view: DataView, off: number): string {
  const cents = view.getBigInt64(off);
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** bit/varbit (int32 bit length, then bits packed MSB first) → `0101`. */
export function bitText(view: DataView, off: number): string {
  const n = view.getInt32(off);
  let out = '';
  for (let i = 0; i < n; i++) out += (view.getUint8(off + 4 + (i >> 3)) >> (7 - (i & 7))) & 1 ? '1' : '0';
  return out;
}

/** timetz (int64 µs since midnight, int32 zone seconds west of UTC) → `12:34:56.5+02`. */
export function timetzText(view: DataView, off: number): string {
  const us = Number(view.getBigInt64(off));
  const zone = view.getInt32(off + 8);
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(us / 3_600_000_000);
  const m = Math.floor((us % 3_600_000_000) / 60_000_000);
  const [sec, frac] = seconds(us % 60_000_000).split('.');
  const east = -zone;
  const a = Math.abs(east);
  let tz = `${east < 0 ? '-' : '+'}${two(Math.floor(a / 3600))}`;
  if (a % 3600 !== 0) tz += `:${two(Math.floor((a % 3600) / 60))}`;
  if (a % 60 !== 0) tz += `:${two(a % 60)}`;
  return `${two(h)}:${two(m)}:${two(Number(sec))}${frac === undefined ? '' : `.${frac}`}${tz}`;
}
