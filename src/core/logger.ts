/**
 * floe's one log format: JSON lines `{level, time, msg, ...bindings}` through pino, with scoped
 * children (`log.child({table})`). Secret values registered at startup are replaced by
 * `[redacted]` wherever they appear in a log line, whatever the field. `format: 'pretty'` turns
 * the stderr copy into one readable line per entry; a log `file` always gets the JSON lines.
 */
import { pino, type Logger as PinoLogger, type DestinationStream, type StreamEntry } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Exact strings (passwords, tokens) never to print. Empty strings are ignored. */
  readonly secrets?: Iterable<string>;
  /** Where lines go; defaults to stderr so stdout stays free for command output. */
  readonly destination?: DestinationStream;
  /** How lines look on `destination`: JSON (default) or one readable line (`pretty`). */
  readonly format?: 'json' | 'pretty';
  /** A file that also receives every line as JSON (appended; its directory is created). */
  readonly file?: string | null;
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
      // The logMethod hook has already turned an Error into {type, message, stack}; keep objects as they are.
      serializers: { err: (e: unknown) => redactSecrets(e !== null && typeof e === 'object' ? e : { value: String(e) }, secrets) },
    },
    destinations(options, secrets),
  );
}

/**
 * The stream pino writes to: the (maybe pretty) destination, plus the JSON file when set. Each
 * sink also redacts the finished line, raw and JSON-escaped: pino applies no formatter to child
 * bindings (`log.child({url})`), so the object-level redaction alone would miss them.
 */
function destinations(options: LoggerOptions, secrets: readonly string[]): DestinationStream {
  const base = redactingStream(options.destination ?? pino.destination(2), secrets);
  const main = options.format === 'pretty' ? prettyStream(base) : base;
  if (options.file === undefined || options.file === null) return main;
  // sync: a line is on disk when the call returns, so a crash or process.exit loses none.
  const file = redactingStream(pino.destination({ dest: options.file, mkdir: true, append: true, sync: true }), secrets);
  const level = options.level === undefined || options.level === 'silent' ? 'info' : options.level;
  const streams: StreamEntry[] = [
    { stream: main, level },
    { stream: file, level },
  ];
  return pino.multistream(streams);
}

/** `out` behind a filter that replaces each secret (as written and as escaped inside JSON) in every line. */
function redactingStream(out: DestinationStream, secrets: readonly string[]): DestinationStream {
  if (secrets.length === 0) return out;
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  return { write: (line: string) => void out.write(forms.reduce((text, form) => text.split(form).join(REDACTED), line)) };
}

/** A destination that writes each JSON line it receives to `out` in the pretty form. */
function prettyStream(out: DestinationStream): DestinationStream {
  return { write: (line: string) => void out.write(formatPretty(line)) };
}

const PRETTY_SKIP = new Set(['level', 'time', 'msg']);

/** A value in `key=value`: bare when it has no space, quote or `=`, else JSON-quoted. */
function prettyValue(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const err = value as { type?: unknown; message?: unknown };
    if (typeof err.message === 'string') return JSON.stringify(`${typeof err.type === 'string' ? `${err.type}: ` : ''}${err.message}`);
    return JSON.stringify(value);
  }
  const text = String(value);
  return text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/**
 * One JSON log line → `HH:MM:SS.mmm LEVEL msg key=value …` plus a newline (time in UTC, as in
 * the JSON). A line that is not a JSON object is returned as it came.
 */
export function formatPretty(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine.endsWith('\n') ? jsonLine : `${jsonLine}\n`;
  }
  if (entry === null || typeof entry !== 'object') return jsonLine.endsWith('\n') ? jsonLine : `${jsonLine}\n`;
  const time = typeof entry.time === 'string' ? (entry.time.split('T')[1] ?? entry.time).replace(/Z$/, '') : '';
  const level = String(entry.level ?? '').toUpperCase().padEnd(5);
  const fields = Object.entries(entry)
    .filter(([k, v]) => !PRETTY_SKIP.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${prettyValue(v)}`);
  const msg = typeof entry.msg === 'string' ? entry.msg.replace(/\n/g, '\\n') : '';
  return `${[time, level, msg, ...fields].filter((p) => p !== '').join(' ')}\n`;
}

/** A logger that drops everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
