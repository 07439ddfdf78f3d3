/**
 * Connecting to a PostgreSQL source from its config, as plain `pg` client options (they also
 * cross into worker threads). Every floe session sets DateStyle ISO and TimeZone UTC, so key
 * values rendered as text in one session parse identically in another. Errors name the source
 * and host, never the connection string or the password.
 */
import pg from 'pg';
import type { PostgresSourceConfig } from '../../config/types.ts';
import { ConfigError, RetryableError } from '../../core/errors.ts';
import { isTransientPgError } from './pg-errors.ts';

/** Plain, structured-clonable options for `new pg.Client(...)` (holds the password: never log it). */
export interface PgConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly ssl: false | { readonly rejectUnauthorized: boolean };
  readonly application_name: string;
  readonly options: string;
  readonly connectionTimeoutMillis: number;
  readonly keepAlive: boolean;
}

const SESSION_OPTIONS = '-c DateStyle=ISO,MDY -c TimeZone=UTC -c IntervalStyle=postgres -c extra_float_digits=3';

/** node-pg cannot fall back from TLS to plain: `prefer`/`allow` connect without TLS (documented). */
function sslFor(mode: string): PgConnectOptions['ssl'] {
  if (mode === 'require') return { rejectUnauthorized: false };
  if (mode === 'verify-ca' || mode === 'verify-full') return { rejectUnauthorized: true };
  return false;
}

/** Client options for source `name`: from `url` or the discrete fields; `appSuffix` tags the role in pg_stat_activity. */
export function pgConnectOptions(name: string, source: PostgresSourceConfig, appSuffix = ''): PgConnectOptions {
  let host = source.host;
  let port = source.port;
  let database = source.database;
  let user = source.user;
  let password = source.password;
  let sslmode: string = source.sslmode;
  if (source.url !== undefined) {
    let url: URL;
    try {
      url = new URL(source.url);
    } catch {
      throw new ConfigError(`sources.${name}.url: not a valid postgres:// URL`); // the URL itself may hold a password
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new ConfigError(`sources.${name}.url: expected postgres:// or postgresql://, got ${url.protocol}//`);
    host = url.searchParams.get('host') ?? (decodeURIComponent(url.hostname) || 'localhost');
    port = url.port === '' ? 5432 : Number(url.port);
    database = decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
    user = url.username === '' ? undefined : decodeURIComponent(url.username);
    password = url.password === '' ? undefined : decodeURIComponent(url.password);
    sslmode = url.searchParams.get('sslmode') ?? source.sslmode;
  }
  return {
    host: host ?? 'localhost',
    port,
    database: database ?? user ?? 'postgres',
    user,
    password,
    ssl: sslFor(sslmode),
    application_name: `${source.applicationName}${appSuffix}`,
    options: SESSION_OPTIONS,
    connectionTimeoutMillis: 30_000,
    keepAlive: true,
  };
}

/** `host:port/database` for messages (no user, no password). */
export function describeTarget(o: Pick<PgConnectOptions, 'host' | 'port' | 'database'>): string {
  return `${o.host}:${o.port}/${o.database}`;
}

/**
 * A connected client. A failure names the source and host; transient ones (refused, reset,
 * too many connections, starting up) become RetryableError, others keep pg's message only.
 */
export async function connectPg(name: string, options: PgConnectOptions): Promise<pg.Client> {
  const client = new pg.Client({ ...options, ssl: options.ssl === false ? false : { ...options.ssl } });
  client.on('error', () => undefined); // a dropped idle connection surfaces on the next query instead
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    const message = `postgres source ${name} (${describeTarget(options)}): connect failed: ${(error as Error).message}`;
    const Err = isTransientPgError(error) ? RetryableError : ConfigError;
    throw new Err(message, { cause: error });
  }
}
