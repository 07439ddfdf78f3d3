/**
 * Reads floe.yaml, resolves `${…}` references, validates, and fills the defaults that hang off
 * `dataDir`. Order of precedence for the file: the `path` option (the CLI's `--config`), then
 * `FLOE_CONFIG`, then `floe.yaml` in the working directory. The result is deeply frozen.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../core/errors.ts';
import { formatIssues } from './issues.ts';
import { defaultResolvers, resolveReferences, type ResolverRegistry } from './references.ts';
import { configSchema, type ParsedConfig } from './schema.ts';
import { rememberResolvedSecrets } from './secrets.ts';
import type { CatalogConfig, Config, StateConfig } from './types.ts';

/** Where and how to load the config. */
export interface LoadConfigOptions {
  /** Config file; default `FLOE_CONFIG` or `floe.yaml` (relative to `cwd`). */
  readonly path?: string;
  /** Working directory for a relative `path`; default process.cwd(). */
  readonly cwd?: string;
  /** Environment for `${env:…}` and `FLOE_CONFIG`; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reference resolvers; default env + file. */
  readonly resolvers?: ResolverRegistry;
}

/** The default config file name. */
export const DEFAULT_CONFIG_FILE = 'floe.yaml';

/** Loads and validates the config file. Throws ConfigError listing every problem (one per line). */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<Config> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, options.path ?? env.FLOE_CONFIG ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  return parseConfigText(text, { ...options, env, configPath: path });
}

/** Parses YAML text as a config; `configPath` names the file in errors and anchors relative paths. */
export async function parseConfigText(
  text: string,
  options: LoadConfigOptions & { readonly configPath?: string } = {},
): Promise<Config> {
  const name = options.configPath ?? 'config';
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `${name}:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'}: ${e.message.split('\n')[0]}`);
    throw new ConfigError(`invalid YAML in ${name}:\n  ${lines.join('\n  ')}`);
  }
  return buildConfig(doc.toJS() ?? {}, options);
}

/**
 * Validates a plain document (already parsed YAML or an object built in code). Relative paths
 * resolve against the config file's directory, or `cwd` when there is no file.
 */
export async function buildConfig(document: unknown, options: LoadConfigOptions & { readonly configPath?: string } = {}): Promise<Config> {
  const name = options.configPath ?? 'config';
  const resolvers = options.resolvers ?? defaultResolvers(options.env ?? process.env);
  const resolved = await resolveReferences(document, resolvers);
  const result = configSchema.safeParse(resolved.value);
  // A failed reference already explains its path; the schema's complaint about the gap is noise.
  const issues = result.success ? [] : formatIssues(result.error.issues, resolved.value);
  const problems = [...resolved.problems, ...issues.filter((line) => !resolved.failedPaths.has(line.slice(0, line.indexOf(': '))))];
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(`${name}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
  const baseDir = options.configPath ? dirname(options.configPath) : (options.cwd ?? process.cwd());
  const config = deepFreeze(finalize(result.data, baseDir, options.configPath));
  rememberResolvedSecrets(config, resolved.secrets);
  return config;
}

/** An absolute path for a path relative to `base`; URIs (`s3://…`, `file:///…`) are kept. */
function absolute(base: string, p: string): string {
  return /^[a-z][\w+.-]*:\/\//i.test(p) || isAbsolute(p) ? p : resolve(base, p);
}

function finalize(parsed: ParsedConfig, baseDir: string, configPath: string | undefined): Config {
  const dataDir = absolute(baseDir, parsed.dataDir);
  const path = (p: string | undefined, fallback: string) => (p === undefined ? join(dataDir, fallback) : absolute(baseDir, p));
  const c = parsed.catalog;
  const warehouse = path(c.warehouse, 'warehouse');
  const catalog: CatalogConfig =
    c.type === 'sqlite'
      ? { type: 'sqlite', uri: path(c.uri, 'catalog.db'), name: c.name, warehouse }
      : c.type === 'postgres'
        ? { type: 'postgres', uri: c.uri, name: c.name, warehouse }
        : { type: 'memory', name: c.name, warehouse };
  const state: StateConfig = parsed.state.type === 'sqlite' ? { type: 'sqlite', path: path(parsed.state.path, 'state.db') } : parsed.state;
  const onlySource = Object.keys(parsed.sources)[0]!;
  return {
    configPath,
    dataDir,
    catalog,
    state,
    logging: {
      level: parsed.logging.level,
      format: parsed.logging.format,
      file: parsed.logging.file === null ? null : path(parsed.logging.file, join('logs', 'floe.log')),
    },
    metrics: { port: parsed.metrics.port, host: parsed.metrics.host },
    sources: parsed.sources,
    tables: parsed.tables.map((t) => ({
      sourceName: t.sourceName ?? onlySource,
      source: t.source,
      target: t.target ?? { namespace: [t.source.schema], name: t.source.table },
      primaryKey: t.primaryKey,
      columns: t.columns,
      partitionBy: t.partitionBy,
      priority: t.priority,
      topic: t.topic,
    })),
    load: parsed.load,
    sync: { ...parsed.sync, source: parsed.sync.source, deadLetterDir: path(parsed.sync.deadLetterDir, 'dead-letter') },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
