/**
 * What every command gets: global flags already parsed, the validated config (loaded on first
 * use, so `floe help` works without one), a logger that redacts the config's secrets, the
 * event bus, and a place to register resources released on exit.
 */
import { loadConfig, secretValues, type Config } from '../config/index.ts';
import { EventBus } from '../core/events.ts';
import { createLogger, type Logger, type LogLevel } from '../core/logger.ts';

export interface GlobalFlags {
  readonly configPath: string | undefined; // --config / -c
  readonly logLevel: LogLevel | undefined; // --log-level
}

export interface CliContext {
  readonly flags: GlobalFlags;
  readonly events: EventBus;
  /** Writes command output (not logs) for people: stdout. */
  readonly out: (text: string) => void;
  /** The config, loaded and validated once. */
  config(): Promise<Config>;
  /** The logger for this config (stderr as JSON or pretty, plus the JSON log file; secrets redacted). */
  logger(): Promise<Logger>;
  /** Registers a release to run when the command ends, in reverse order. */
  defer(release: () => Promise<void> | void): void;
  /** Runs the deferred releases. */
  close(): Promise<void>;
}

/** Splits argv into global flags and the rest (command and its own arguments). */
export function parseGlobalFlags(argv: readonly string[]): { flags: GlobalFlags; rest: string[] } {
  let configPath: string | undefined;
  let logLevel: LogLevel | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--config' || arg === '-c') configPath = argv[++i];
    else if (arg.startsWith('--config=')) configPath = arg.slice('--config='.length);
    else if (arg === '--log-level') logLevel = argv[++i] as LogLevel;
    else if (arg.startsWith('--log-level=')) logLevel = arg.slice('--log-level='.length) as LogLevel;
    else rest.push(arg);
  }
  return { flags: { configPath, logLevel }, rest };
}

/** Builds the context for one CLI invocation. */
export function createCliContext(flags: GlobalFlags): CliContext {
  let config: Promise<Config> | undefined;
  let logger: Promise<Logger> | undefined;
  const releases: (() => Promise<void> | void)[] = [];
  const context: CliContext = {
    flags,
    events: new EventBus(),
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    config: () => (config ??= loadConfig(flags.configPath === undefined ? {} : { path: flags.configPath })),
    logger: () =>
      (logger ??= context.config().then((c) =>
        createLogger({ level: flags.logLevel ?? c.logging.level, format: c.logging.format, file: c.logging.file, secrets: secretValues(c) }),
      )),
    defer: (release) => {
      releases.push(release);
    },
    close: async () => {
      while (releases.length > 0) await releases.pop()!();
    },
  };
  return context;
}
