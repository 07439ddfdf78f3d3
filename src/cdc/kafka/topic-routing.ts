/**
 * Which Kafka topics floe reads and which configured table each one feeds. A table's topic is
 * its `topic` setting, else Debezium's default `<topicPrefix>.<schema>.<table>`. The topics read
 * are `topics`, else those matching `topicPattern`, else the tables' own topics. Pure.
 */
import { ConfigError } from '../../core/errors.ts';
import type { KafkaSyncSourceConfig, TableConfig } from '../../config/types.ts';

/** The topic a table's changes arrive on; ConfigError when neither `topic` nor `topicPrefix` is set. */
export function tableTopic(source: KafkaSyncSourceConfig, table: TableConfig): string {
  if (table.topic !== undefined) return table.topic;
  if (source.topicPrefix === undefined) {
    throw new ConfigError(`table ${table.source.schema}.${table.source.table}: no Kafka topic: set sync.source.topicPrefix or the table's topic`);
  }
  return `${source.topicPrefix}.${table.source.schema}.${table.source.table}`;
}

/** Topic → index of the configured table it feeds; ConfigError when two tables claim one topic. */
export function topicTables(source: KafkaSyncSourceConfig, tables: readonly TableConfig[]): Map<string, number> {
  const out = new Map<string, number>();
  tables.forEach((t, i) => {
    const topic = tableTopic(source, t);
    const other = out.get(topic);
    if (other !== undefined) {
      throw new ConfigError(`tables[${other}] and tables[${i}] both read Kafka topic ${topic}: give one of them its own topic`);
    }
    out.set(topic, i);
  });
  return out;
}

/** True when `topic` is one floe should read, given the topics that exist (for patterns). */
export function topicMatcher(source: KafkaSyncSourceConfig, tableTopics: ReadonlySet<string>): (topic: string) => boolean {
  if (source.topics !== undefined) {
    const set = new Set(source.topics);
    return (t) => set.has(t);
  }
  if (source.topicPattern !== undefined) {
    const re = new RegExp(`^(?:${source.topicPattern})$`);
    return (t) => re.test(t);
  }
  return (t) => tableTopics.has(t);
}

/**
 * The topics to read now: every existing topic the matcher accepts, plus explicitly named ones
 * (configured list or the tables' topics) even before they exist — Debezium creates a table's
 * topic on its first event, and the fetcher picks it up when it appears.
 */
export function topicsToRead(source: KafkaSyncSourceConfig, tableTopics: ReadonlySet<string>, existing: readonly string[]): string[] {
  const accept = topicMatcher(source, tableTopics);
  const named = source.topicPattern === undefined ? (source.topics ?? [...tableTopics]) : [...tableTopics].filter(accept);
  return [...new Set([...existing.filter(accept), ...named])].sort();
}
