/**
 * floe's one log format: JSON lines `{level, time, msg, ...bindings}` through pino, with scoped
 * children (`log.child({table})`). Secret values registered at startup are replaced by
 * `[redacted]` wherever they appear in a log line, whatever the field.
 */
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Exact strings (passwords, tokens) never to print. Empty strings are ignored. */
  readonly secrets?: Iterable<string>;
  /** Where lines go; defaults to stderr so stdout stays free for command output. */
  readonly destination?: DestinationStream;
}

const REDACTED = '[redacted]';

/** Replaces every occurrence of a secret inside strings of a log object, recursively. */
export function redactSecrets(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') {
    let out = value;
    for (const secret of secrets) out = out.split(secret).join(REDACTED);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, secrets));
  if (value instanceof Error) {
    return { type: value.name, message: redactSecrets(value.message, secrets), stack: redactSecrets(value.stack, secrets) };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactSecrets(v, secrets);
    return out;
  }
  return value;
}

/** Creates the process logger. Call once in the CLI; pass children everywhere else. */
export function createLogger(options: LoggerOptions = {}): Logger {
  // Longest first, so a secret that contains another is redacted whole.
  const secrets = [...(options.secrets ?? [])].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactSecrets(obj, secrets) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((a) => redactSecrets(a, secrets));
          method.apply(this, redacted as Parameters<typeof method>);
        },
      },
      serializers: { err: (e: unknown) => redactSecrets(e instanceof Error ? e : { value: String(e) }, secrets) },
    },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that drops everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
