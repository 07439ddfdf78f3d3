/**
 * The zod schema of floe.yaml: every section, its defaults and its checks. Defaults that depend
 * on `dataDir` (catalog, state, log and dead-letter paths) are left undefined here and filled in
 * by load-config.ts. Cross-field checks (a table's source exists, its key is not excluded)
 * live in the final `superRefine` so every problem is reported with its exact path.
 */
import { z } from 'zod';
import { parsePartitionField, parseSourceTable, parseTargetTable, parseUnconstrainedNumeric, type Parsed } from './names.ts';

/** An integer that may also arrive as a string from `${env:…}` (e.g. `port: ${env:PGPORT}`). */
function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z.number().int().min(min).max(max),
  );
}

/** A string parsed by one of names.ts's parsers; failures become issues at this path. */
function parsed<T>(parse: (text: string) => Parsed<T>) {
  return z.string().transform((text, ctx) => {
    const result = parse(text);
    if (result.ok) return result.value;
    ctx.issues.push({ code: 'custom', message: result.expected, input: text });
    return z.NEVER;
  });
}

const nonEmpty = z.string().min(1);

const catalogSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('sqlite'),
      uri: nonEmpty.optional().describe('SQLite file path; default <dataDir>/catalog.db'),
      name: nonEmpty.default('floe'),
      warehouse: nonEmpty.optional().describe('Path or URI of the warehouse; default <dataDir>/warehouse'),
    }),
    z.strictObject({
      type: z.literal('postgres'),
      uri: nonEmpty.describe('postgres://user:password@host:port/db of the catalog database'),
      name: nonEmpty.default('floe'),
      warehouse: nonEmpty.optional(),
    }),
    z.strictObject({ type: z.literal('memory'), name: nonEmpty.default('floe'), warehouse: nonEmpty.optional() }),
  ])
  .prefault({ type: 'sqlite' })
  .describe('The Iceberg catalog: sqlite (default), postgres or memory (tests).');

const stateSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('sqlite'), path: nonEmpty.optional().describe('default <dataDir>/state.db') }),
    z.strictObject({ type: z.literal('postgres'), url: nonEmpty }),
  ])
  .prefault({ type: 'sqlite' })
  .describe('The status store (runs, chunks, errors): sqlite (default) or postgres.');

const loggingSchema = z
  .strictObject({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    format: z.enum(['json', 'pretty']).default('json'),
    file: z.union([nonEmpty, z.null()]).optional().describe('JSON log file; default <dataDir>/logs/floe.log; null: none'),
  })
  .prefault({});

const metricsSchema = z
  .strictObject({
    port: int(1, 65535).optional().describe('Prometheus endpoint port; absent: no endpoint'),
    host: nonEmpty.default('0.0.0.0'),
  })
  .prefault({});

const postgresSourceSchema = z.strictObject({
  type: z.literal('postgres'),
  url: nonEmpty.optional().describe('postgres://user:password@host:port/database?sslmode=…; or use host/port/…'),
  host: nonEmpty.optional(),
  port: int(1, 65535).default(5432),
  database: nonEmpty.optional(),
  user: nonEmpty.optional(),
  password: z.string().optional().describe('Secret; prefer ${env:…} or ${file:…}'),
  sslmode: z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']).default('prefer'),
  poolSize: int(1, 1000).default(4).describe('Max connections floe opens to this source'),
  applicationName: nonEmpty.default('floe'),
});

const sourceSchema = z.discriminatedUnion('type', [postgresSourceSchema]);

const tableSchema = z.strictObject({
  sourceName: nonEmpty.optional().describe('Key in `sources`; default: the only source'),
  source: parsed(parseSourceTable).describe('schema.table in the source (exact names; "quote" parts with dots)'),
  target: parsed(parseTargetTable).optional().describe('namespace.table in Iceberg; default: same as source'),
  primaryKey: z.array(nonEmpty).min(1).optional().describe("Key columns in order; default: the source's PK constraint"),
  columns: z
    .strictObject({ include: z.array(nonEmpty).min(1).optional(), exclude: z.array(nonEmpty).min(1).optional() })
    .prefault({}),
  partitionBy: z.array(parsed(parsePartitionField)).default([]).describe('e.g. ["day(created_at)", "bucket(16, id)"]'),
  priority: int(-1_000_000, 1_000_000).default(0).describe('Higher loads first'),
  topic: nonEmpty.optional().describe('sync from Kafka: the topic of this table; default <topicPrefix>.<schema>.<table>'),
});

const loadSchema = z
  .strictObject({
    chunkStrategy: z.enum(['auto', 'pk', 'ctid']).default('auto'),
    chunkRows: int(1000).default(500_000),
    parallelism: int(1, 64).default(2),
    targetFileSizeMiB: int(1, 65536).default(128),
    rowGroupRows: int(1000).default(100_000),
    codec: z.enum(['zstd', 'snappy']).default('zstd'),
    unconstrainedNumeric: parsed(parseUnconstrainedNumeric).prefault('decimal(38,10)'),
    unknownTypes: z.enum(['error', 'string']).default('error'),
    numericSpecialValues: z.enum(['error', 'null']).default('error'),
    infinity: z.enum(['clamp', 'null', 'error']).default('clamp'),
  })
  .prefault({});

/**
 * Defaults of `sync.source.fetch`, the Kafka fetch tuning: the one place these numbers live (the
 * fetcher falls back to them too). Why 4 MiB / 1 MiB: see FETCH_BYTES in cdc/kafka/partition-fetcher.ts.
 */
export const KAFKA_FETCH_DEFAULTS = {
  maxWaitMs: 500, //        broker long-poll when a fetch finds nothing new
  maxKiB: 4096, //          bytes one fetch returns at most (all partitions of one leader)
  partitionMaxKiB: 1024, // bytes one fetch returns per partition at most, ≤ maxKiB
  bufferMiB: 64, //         prefetched records held at most before fetching pauses
  refreshMs: 5000, //       topic and partition discovery interval
} as const;

const kafkaFetchSchema = z
  .strictObject({
    maxWaitMs: int(1, 10_000).default(KAFKA_FETCH_DEFAULTS.maxWaitMs).describe('Broker long-poll when there is nothing new (fetch.max.wait.ms)'),
    maxKiB: int(1, 262_144).default(KAFKA_FETCH_DEFAULTS.maxKiB).describe('Bytes one fetch returns at most, KiB (fetch.max.bytes); larger suits a distant broker'),
    partitionMaxKiB: int(1, 262_144).default(KAFKA_FETCH_DEFAULTS.partitionMaxKiB).describe('Bytes per partition per fetch at most, KiB (max.partition.fetch.bytes); ≤ maxKiB'),
    bufferMiB: int(1, 65_536).default(KAFKA_FETCH_DEFAULTS.bufferMiB).describe('Prefetched records held in memory at most, MiB'),
    refreshMs: int(100, 3_600_000).default(KAFKA_FETCH_DEFAULTS.refreshMs).describe('Interval of topic and partition discovery'),
  })
  .superRefine((f, ctx) => {
    if (f.partitionMaxKiB > f.maxKiB) ctx.addIssue({ code: 'custom', path: ['partitionMaxKiB'], message: `expected ≤ maxKiB (${f.maxKiB}); default ${KAFKA_FETCH_DEFAULTS.partitionMaxKiB}` });
  })
  .prefault({})
  .describe('Kafka fetch sizing: defaults suit a nearby broker; a distant one wants larger fetches, a local one smaller');

const kafkaSyncSourceSchema = z
  .strictObject({
    type: z.literal('kafka'),
    brokers: z
      .union([z.array(nonEmpty).min(1), nonEmpty.transform((s) => s.split(',').map((b) => b.trim()).filter((b) => b !== ''))])
      .describe('Bootstrap brokers host:port, a list or one comma-separated string'),
    topicPrefix: nonEmpty.optional().describe("Debezium's topic.prefix; tables default to <topicPrefix>.<schema>.<table>"),
    topics: z.array(nonEmpty).min(1).optional().describe('Topics to read; default: the topics of the configured tables'),
    topicPattern: nonEmpty.optional().describe('A regular expression (whole topic name) instead of `topics`'),
    groupId: nonEmpty.default('floe').describe('Consumer group offsets are committed to, for lag monitoring only'),
    clientId: nonEmpty.default('floe'),
    sasl: z
      .strictObject({
        mechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
        username: nonEmpty,
        password: z.string().describe('Secret; prefer ${env:…} or ${file:…}'),
      })
      .optional(),
    ssl: z
      .union([
        z.boolean(),
        z.strictObject({
          ca: nonEmpty.optional().describe('PEM text of the CA bundle, e.g. ${file:/etc/kafka/ca.pem}'),
          cert: nonEmpty.optional().describe('PEM client certificate (mutual TLS)'),
          key: nonEmpty.optional().describe('PEM client key; a secret'),
          rejectUnauthorized: z.boolean().default(true),
          servername: nonEmpty.optional(),
        }),
      ])
      .optional()
      .describe('TLS: true for system CAs, or the PEM material'),
    debezium: z
      .strictObject({
        decimalHandlingMode: z.enum(['precise', 'string', 'double']).default('precise'),
        timePrecisionMode: z.enum(['adaptive', 'adaptive_time_microseconds', 'connect', 'isostring']).default('adaptive'),
        binaryHandlingMode: z.enum(['bytes', 'base64', 'base64-url-safe', 'hex']).default('bytes'),
        intervalHandlingMode: z.enum(['numeric', 'string']).default('numeric'),
        unavailableValue: nonEmpty.default('__debezium_unavailable_value'),
      })
      .prefault({})
      .describe("The connector's value settings (Debezium defaults); needed to read records sent without schemas"),
    fetch: kafkaFetchSchema,
  })
  .superRefine((s, ctx) => {
    if (s.topics && s.topicPattern !== undefined) ctx.addIssue({ code: 'custom', path: ['topicPattern'], message: 'expected topics or topicPattern, not both' });
    if (s.topicPattern !== undefined) {
      try {
        new RegExp(s.topicPattern);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['topicPattern'], message: `expected a regular expression (${(err as Error).message})` });
      }
    }
  });

const slotName = z.string().regex(/^[a-z0-9_]{1,63}$/, 'expected 1-63 characters of a-z, 0-9 and _');

const postgresSyncSourceSchema = z.strictObject({
  type: z.literal('postgres'),
  sourceName: nonEmpty.optional().describe('Key in `sources` to stream from; default: the only source'),
  slot: slotName.optional().describe('Logical replication slot (pgoutput); default floe_<sourceName>'),
  publication: slotName.optional().describe('Publication floe creates/alters FOR TABLE the configured tables; default: the slot name'),
  replicaIdentity: z.enum(['warn', 'fail', 'set-full']).default('warn').describe('A table whose REPLICA IDENTITY lacks its key: warn, fail, or ALTER it to FULL'),
  heartbeatMs: int(100).default(10_000).describe('Interval of pg_logical_emit_message heartbeats that let an idle slot confirm'),
  statusIntervalMs: int(100).default(10_000).describe('Interval of standby status updates and slot checks'),
  maxBufferedChanges: int(100).default(100_000).describe('Changes held in memory; a larger transaction is applied in pieces and replayed whole after a crash'),
  maxRetainedWalMiB: int(1).default(16_384).describe('Alert when the slot holds back more WAL than this'),
  onRetainedWalLimit: z.enum(['alert', 'stop']).default('alert').describe('alert: log an error and keep going; stop: stop sync'),
});

const syncSourceSchema = z.discriminatedUnion('type', [kafkaSyncSourceSchema, postgresSyncSourceSchema]);

const syncSchema = z
  .strictObject({
    source: syncSourceSchema.optional().describe('Where changes come from: kafka (Debezium topics) or postgres (logical replication)'),
    // 5 s rather than minutes: freshness is what users run sync for, and one commit per table
    // per interval writes few enough files (about 17 k snapshots a day) for routine compaction.
    commitIntervalMs: int(100).default(5_000),
    maxBatchChanges: int(1).default(50_000).describe('Commit early once a batch holds this many changes'),
    maxBatchMiB: int(1, 65536).default(128).describe('Commit early once the buffered raw events reach this size'),
    keyCacheEntries: int(0).default(2_000_000).describe('Row positions per table kept in memory in front of the key index (~42 bytes each)'),
    // Each sync commit rewrites the metadata file, which lists every snapshot (~800 bytes each):
    // without expiry, commit cost and metadata written grow with history (17 k snapshots a day at 5 s).
    expireSnapshots: z.boolean().default(true).describe('Expire old snapshots in sync commits, and delete the files only they referenced'),
    snapshotMaxAgeMs: int(1_000).default(3_600_000).describe('Snapshots younger than this are kept (table property history.expire.max-snapshot-age-ms overrides)'),
    minSnapshotsToKeep: int(1).default(100).describe('Newest snapshots kept whatever their age (table property history.expire.min-snapshots-to-keep overrides)'),
    badEvents: z.enum(['fail', 'skip', 'dead-letter']).default('fail'),
    deadLetterDir: nonEmpty.optional().describe('default <dataDir>/dead-letter'),
  })
  .prefault({});

/** The whole document. Validation collects every problem before failing. */
export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Editor hint; ignored'),
    dataDir: nonEmpty.default('.floe/data').describe('Root of every default path; relative to the config file'),
    catalog: catalogSchema,
    state: stateSchema,
    logging: loggingSchema,
    metrics: metricsSchema,
    sources: z.record(nonEmpty, sourceSchema).default({}),
    tables: z.array(tableSchema).default([]),
    load: loadSchema,
    sync: syncSchema,
  })
  .superRefine((config, ctx) => {
    const names = Object.keys(config.sources);
    for (const [name, source] of Object.entries(config.sources)) {
      const path = ['sources', name];
      if (source.url !== undefined) {
        for (const key of ['host', 'database', 'user', 'password'] as const) {
          if (source[key] !== undefined) ctx.addIssue({ code: 'custom', path: [...path, key], message: 'expected either url or host/database/user/password, not both' });
        }
      } else if (source.host === undefined || source.database === undefined) {
        ctx.addIssue({ code: 'custom', path: [...path, source.host === undefined ? 'host' : 'database'], message: 'expected url, or host and database' });
      }
    }
    const targets = new Map<string, number>();
    config.tables.forEach((table, i) => {
      const path = ['tables', i];
      const target = JSON.stringify(table.target ? [...table.target.namespace, table.target.name] : [table.source.schema, table.source.table]);
      const first = targets.get(target);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [...path, 'target'], message: `expected a target not already used by tables[${first}]` });
      else targets.set(target, i);
      if (table.sourceName === undefined ? names.length !== 1 : !names.includes(table.sourceName)) {
        const message = names.length === 0 ? 'expected a source defined under `sources`' : `expected ${names.map((n) => JSON.stringify(n)).join(' | ')}`;
        ctx.addIssue({ code: 'custom', path: [...path, 'sourceName'], message });
      }
      const { include, exclude } = table.columns;
      if (include && exclude) ctx.addIssue({ code: 'custom', path: [...path, 'columns', 'exclude'], message: 'expected include or exclude, not both' });
      table.primaryKey?.forEach((col, k) => {
        if (table.primaryKey!.indexOf(col) !== k) ctx.addIssue({ code: 'custom', path: [...path, 'primaryKey', k], message: 'expected each key column once' });
        if (exclude?.includes(col)) ctx.addIssue({ code: 'custom', path: [...path, 'primaryKey', k], message: 'expected a column that is not in columns.exclude' });
        if (include && !include.includes(col)) ctx.addIssue({ code: 'custom', path: [...path, 'primaryKey', k], message: 'expected a column listed in columns.include' });
      });
    });
  });

/** The schema's input (what a user writes). */
export type ConfigInput = z.input<typeof configSchema>;
/** The schema's output, before dataDir-derived defaults are applied. */
export type ParsedConfig = z.output<typeof configSchema>;
