/** PostgreSQL log sequence numbers: floe stores them as pg_lsn text (`0/16B3748`). */

/** `0/16B3748` (or a plain decimal, as older summaries hold) → bigint; throws naming the text. */
export function parseLsn(text: string): bigint {
  const t = text.trim();
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(t);
  if (m) return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
  if (/^\d+$/.test(t)) return BigInt(t);
  throw new Error(`postgres LSN ${JSON.stringify(text)} is not of the form 0/16B3748`);
}

/** bigint → `0/16B3748`, PostgreSQL's pg_lsn text form. */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
