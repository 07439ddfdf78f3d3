/**
 * Resolves `sync.source: {type: postgres}` against the rest of the config: which source, slot
 * and publication names, connection options, and the configured tables of that source.
 */
import type { Config, PostgresSourceConfig, PostgresSyncSourceConfig, TableConfig } from '../../config/types.ts';
import { ConfigError } from '../../core/errors.ts';
import { pgConnectOptions, type PgConnectOptions } from '../../sources/postgres/connection.ts';

/** Everything the PostgreSQL change source needs from the config. */
export interface PgLogicalSettings {
  readonly sourceName: string;
  readonly connect: PgConnectOptions;
  readonly slot: string;
  readonly publication: string;
  readonly tables: readonly TableConfig[];
  readonly sync: PostgresSyncSourceConfig;
}

/** Default slot name of a source: `floe_` + the name lowercased with other characters as `_`. */
export function defaultSlotName(sourceName: string): string {
  return `floe_${sourceName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

/** Resolves settings; ConfigError names the path when the source is missing or not PostgreSQL. */
export function pgLogicalSettings(config: Config, appSuffix = ' sync'): PgLogicalSettings {
  const sync = config.sync.source;
  if (sync?.type !== 'postgres') throw new ConfigError('sync.source: expected type postgres for logical replication');
  const names = Object.keys(config.sources);
  const sourceName = sync.sourceName ?? (names.length === 1 ? names[0]! : undefined);
  if (sourceName === undefined) throw new ConfigError(`sync.source.sourceName: expected one of ${names.map((n) => JSON.stringify(n)).join(' | ') || '(no sources defined)'}`);
  const source = config.sources[sourceName] as PostgresSourceConfig | undefined;
  if (!source) throw new ConfigError(`sync.source.sourceName: no source ${JSON.stringify(sourceName)} under \`sources\``);
  const slot = sync.slot ?? defaultSlotName(sourceName);
  return {
    sourceName,
    connect: pgConnectOptions(sourceName, source, appSuffix),
    slot,
    publication: sync.publication ?? slot,
    tables: config.tables.filter((t) => t.sourceName === sourceName),
    sync,
  };
}
