/**
 * Builds the Kafka change source from the config and the opened sync tables: each table's
 * topic, a Debezium decoder for its Iceberg schema and key (with semantic hints from the
 * PostgreSQL source when it is configured, for records sent without schemas), and the
 * bad-event policy, and the fetch sizing of `sync.source.fetch`. An unknown column stops its
 * table instead of taking the bad-event path.
 */
import type { Config, KafkaFetchConfig, KafkaSyncSourceConfig, TableConfig } from '../../config/types.ts';
import { BadEventError, ConfigError } from '../../core/errors.ts';
import type { EventBus, FloeEvents } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import { currentSchema } from '../../iceberg/table/metadata-access.ts';
import { connectPg, pgConnectOptions } from '../../sources/postgres/connection.ts';
import { introspectTable } from '../../sources/postgres/introspector.ts';
import type { SourceTable } from '../../pipeline/sync/source-recipe.ts';
import { createDebeziumDecoder, hintsForPgTable, type DecodeResult, type SemanticHint } from '../debezium/index.ts';
import { KafkaChangeSource, type KafkaChangeSourceOptions, type RecordDecoder } from './kafka-change-source.ts';
import { topicTables } from './topic-routing.ts';

/** True for the decoder's "column not in the target table" error: the table stops until its schema evolves. */
export function isUnknownColumn(error: unknown): boolean {
  return error instanceof BadEventError && /is not in the target table/.test(error.message);
}

/** The Debezium op a decode result stands for, for the `sync:event` counter. */
export function eventOp(result: DecodeResult): FloeEvents['sync:event']['op'] {
  if (result.kind === 'ignored') return result.reason === 'tombstone' ? 'tombstone' : 'm';
  const c = result.change;
  if (c.op === 'truncate') return 't';
  if (c.op === 'delete') return 'd';
  if ((c as { snapshot?: boolean }).snapshot === true) return 'r';
  // The decoder does not expose c vs u; an upsert with a before-image or an old key is an update.
  return c.before !== null ? 'u' : 'c';
}

/** The source columns a table leaves out on purpose (`columns.exclude`, or what `columns.include` does not name). */
export function ignoredColumns(columns: TableConfig['columns']): (column: string) => boolean {
  const exclude = new Set(columns.exclude ?? []);
  const include = columns.include === undefined ? undefined : new Set(columns.include);
  return (column) => exclude.has(column) || (include !== undefined && !include.has(column));
}

/**
 * The fetcher's tuning: `sync.source.fetch` in bytes and ms, overridden key by key by `tuning`
 * (tests, benchmarks). Without a fetch block (a hand-built config) only `tuning` applies and the
 * fetcher uses its defaults, which are the config's.
 */
export function fetcherTuning(fetch: KafkaFetchConfig | undefined, tuning: KafkaChangeSourceOptions['fetcher'] = {}): NonNullable<KafkaChangeSourceOptions['fetcher']> {
  const configured = fetch === undefined ? {} : {
    maxWaitMs: fetch.maxWaitMs,
    maxBytes: fetch.maxKiB * 1024,
    partitionMaxBytes: fetch.partitionMaxKiB * 1024,
    bufferBytes: fetch.bufferMiB * 1024 * 1024,
    refreshMs: fetch.refreshMs,
  };
  const overrides = Object.entries(tuning).filter(([, v]) => v !== undefined);
  return { ...configured, ...Object.fromEntries(overrides) };
}

/** Semantic hints per table from the PostgreSQL sources (empty when a table's source is not configured). */
async function hintsByTable(config: Config, source: KafkaSyncSourceConfig, tables: readonly SourceTable[], logger: Logger): Promise<Map<string, Record<string, SemanticHint>>> {
  const out = new Map<string, Record<string, SemanticHint>>();
  const bySource = new Map<string, SourceTable[]>();
  for (const t of tables) if (config.sources[t.config.sourceName] !== undefined) bySource.set(t.config.sourceName, [...(bySource.get(t.config.sourceName) ?? []), t]);
  for (const [name, list] of bySource) {
    let client;
    try {
      client = await connectPg(name, pgConnectOptions(name, config.sources[name]!, ' sync'));
    } catch (error) {
      logger.warn({ source: name, error: (error as Error).message }, 'cannot read column types from the source: records without embedded schemas may be misread');
      continue;
    }
    try {
      for (const t of list) out.set(t.label, hintsForPgTable(await introspectTable(client, t.config.source.schema, t.config.source.table), source.debezium));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return out;
}

/** The Kafka change source for `tables` under `config.sync`; `tuning` overrides `sync.source.fetch` key by key. */
export async function openKafkaSource(config: Config, tables: readonly SourceTable[], events: EventBus, logger: Logger, tuning: KafkaChangeSourceOptions['fetcher'] = {}): Promise<KafkaChangeSource> {
  const source = config.sync.source;
  if (source?.type !== 'kafka') throw new ConfigError('sync.source: expected a kafka source (type: kafka, brokers, topicPrefix or per-table topic)');
  const topics = topicTables(source, tables.map((t) => t.config));
  const topicOf = new Map([...topics].map(([topic, i]) => [tables[i]!.label, topic]));
  const hints = await hintsByTable(config, source, tables, logger);
  const modes = source.debezium;
  return new KafkaChangeSource({
    config: source,
    badEvents: config.sync.badEvents,
    deadLetterDir: config.sync.deadLetterDir,
    events,
    logger,
    fetcher: fetcherTuning(source.fetch, tuning),
    tables: tables.map((t) => {
      const schema = currentSchema(t.metadata);
      const keyColumns = schema.identifierFieldIds.map((id) => schema.fields.find((f) => f.id === id)!.name);
      const h = hints.get(t.label);
      const decoder = createDebeziumDecoder(
        { table: t.source, schema, keyColumns, ignoredColumn: ignoredColumns(t.config.columns), ...(h === undefined ? {} : { hints: h }) },
        {
          unavailableValue: modes.unavailableValue,
          binaryHandlingMode: modes.binaryHandlingMode,
          decimalHandlingMode: modes.decimalHandlingMode,
          timePrecisionMode: modes.timePrecisionMode,
          infinity: config.load.infinity,
          numericSpecialValues: config.load.numericSpecialValues,
        },
      );
      const decode: RecordDecoder = (r) => {
        const result = decoder(r);
        events.emit('sync:event', { table: t.label, op: eventOp(result) });
        return result.kind === 'change' ? result.change : null;
      };
      return { target: t.label, topic: topicOf.get(t.label)!, decode, stopsTable: isUnknownColumn };
    }),
  });
}
