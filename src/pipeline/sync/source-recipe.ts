/**
 * What a change source is made from, as plain data that can cross to a worker thread: the
 * validated config and, for Kafka, the tables it routes to (their config, labels and Iceberg
 * metadata, from which each table's Debezium decoder is built). `openSource` builds the real
 * source from it, in whichever thread runs it.
 */
import type { Config, TableConfig } from '../../config/types.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import type { TableMetadata } from '../../iceberg/spec/types.ts';
import type { ChangeSource } from './change-source.ts';

/** A table as a source needs it: no applier, no sink. */
export interface SourceTable {
  readonly config: TableConfig;
  /** Target `namespace.table`. */
  readonly label: string;
  /** Source `schema.table`. */
  readonly source: string;
  readonly metadata: TableMetadata;
}

/** The source of `config.sync.source`, for these tables. */
export interface SourceRecipe {
  readonly config: Config;
  readonly tables: readonly SourceTable[];
}

/** A change source that may stop single tables (an unknown column) while the others go on. */
export interface StoppableChangeSource extends ChangeSource {
  stoppedTables(): ReadonlyMap<string, Error>;
}

/** Builds the source `recipe` describes (Kafka + Debezium, or PostgreSQL logical replication). */
export async function openSource(recipe: SourceRecipe, events: EventBus, logger: Logger): Promise<StoppableChangeSource> {
  if (recipe.config.sync.source?.type === 'postgres') {
    const { openPgLogicalSource } = await import('../../cdc/postgres/open-pg-logical-source.ts');
    return openPgLogicalSource(recipe.config, events, logger);
  }
  const { openKafkaSource } = await import('../../cdc/kafka/open-kafka-source.ts');
  return openKafkaSource(recipe.config, recipe.tables, events, logger);
}

/** The recipe of `tables` (e.g. openSyncTables' result) under `config`. */
export function sourceRecipe(config: Config, tables: readonly SourceTable[]): SourceRecipe {
  return { config, tables: tables.map((t) => ({ config: t.config, label: t.label, source: t.source, metadata: t.metadata })) };
}
