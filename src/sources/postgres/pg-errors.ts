/**
 * Which PostgreSQL failures are worth retrying: the server went away or restarted, the
 * connection dropped, too many connections, a serialization failure or deadlock. Everything
 * else (syntax, permissions, bad data) fails at once.
 */

/** SQLSTATE codes (or classes, 2 chars) that a retry can cure. */
const TRANSIENT_SQLSTATES = new Set(['08', '57P01', '57P02', '57P03', '40001', '40P01', '53300', '53000', '55P03']);
const TRANSIENT_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
const TRANSIENT_MESSAGES = [/Connection terminated/i, /connection timeout/i, /timeout expired/i, /Client has encountered a connection error/i];

/** True when `error` (a pg or socket error, possibly wrapped in `cause`s) is transient. */
export function isTransientPgError(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && e !== undefined && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || (code.length === 5 && TRANSIENT_SQLSTATES.has(code.slice(0, 2)))) return true;
    }
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.some((re) => re.test(message))) return true;
  }
  return false;
}

/** The SQLSTATE or socket code of an error, for logs; undefined when it has none. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
