/**
 * The validated, resolved configuration every command receives: the table of contents of
 * `floe.yaml`. All paths are absolute (relative ones in the file resolve against the config
 * file's directory); every `${env:…}`/`${file:…}` reference is already replaced by its value.
 * docs/configuration.md documents each setting; docs/floe.schema.json is the editor schema.
 */
import type { Transform } from '../iceberg/spec/types.ts';

export interface Config {
  /** Absolute path of the file this config came from (undefined when built from an object). */
  readonly configPath: string | undefined;
  /** Absolute directory under which every default path lives (default `<config dir>/.floe/data`). */
  readonly dataDir: string;
  readonly catalog: CatalogConfig;
  readonly state: StateConfig;
  readonly logging: LoggingConfig;
  readonly metrics: MetricsConfig;
  /** Source connections by name (the key is the name tables refer to). */
  readonly sources: Readonly<Record<string, SourceConfig>>;
  readonly tables: readonly TableConfig[];
  readonly load: LoadConfig;
  readonly sync: SyncConfig;
}

export type CatalogConfig =
  | {
      readonly type: 'sqlite';
      readonly uri: string; // absolute path of the SQLite file (default <dataDir>/catalog.db)
      readonly name: string; // catalog name recorded with every table (default "floe")
      readonly warehouse: string; // absolute path or URI (default <dataDir>/warehouse)
    }
  | { readonly type: 'postgres'; readonly uri: string; readonly name: string; readonly warehouse: string }
  | { readonly type: 'memory'; readonly name: string; readonly warehouse: string };

export type StateConfig =
  | { readonly type: 'sqlite'; readonly path: string } // default <dataDir>/state.db
  | { readonly type: 'postgres'; readonly url: string };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggingConfig {
  readonly level: LogLevel; // default info
  readonly format: 'json' | 'pretty'; // default json
  /** Absolute path of a log file that receives a JSON copy of every line; null: stderr only. */
  readonly file: string | null;
}

export interface MetricsConfig {
  /** TCP port of the Prometheus endpoint; undefined: metrics are kept in memory only. */
  readonly port: number | undefined;
  readonly host: string; // default 0.0.0.0
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** A PostgreSQL source: either `url`, or the discrete fields (never both). */
export interface PostgresSourceConfig {
  readonly type: 'postgres';
  readonly url?: string; // postgres://user:password@host:port/db?sslmode=...
  readonly host?: string;
  readonly port: number; // default 5432
  readonly database?: string;
  readonly user?: string;
  readonly password?: string; // a secret: redacted in logs and errors
  readonly sslmode: SslMode; // default prefer
  readonly poolSize: number; // max connections to this source, default 4
  readonly applicationName: string; // default floe
}

export type SourceConfig = PostgresSourceConfig;

/** A relation in a source: names are exact catalog names (no case folding). */
export interface SourceTableName {
  readonly schema: string;
  readonly table: string;
}

/** An Iceberg table: one or more namespace levels and a name. */
export interface TargetTableName {
  readonly namespace: readonly string[];
  readonly name: string;
}

/** One partition field: `day(created_at)` is `{ transform: 'day', column: 'created_at' }`. */
export interface PartitionFieldConfig {
  readonly transform: Transform;
  readonly column: string;
}

export interface TableConfig {
  /** Name of the source connection (key in `sources`); defaults to the only source. */
  readonly sourceName: string;
  readonly source: SourceTableName;
  readonly target: TargetTableName; // default: namespace = source schema, name = source table
  /** Key columns in key order; undefined: use the source's PK constraint (never guessed). */
  readonly primaryKey: readonly string[] | undefined;
  readonly columns: { readonly include?: readonly string[]; readonly exclude?: readonly string[] };
  readonly partitionBy: readonly PartitionFieldConfig[];
  readonly priority: number; // higher loads first; default 0
  /** sync from Kafka: this table's topic; undefined: `<topicPrefix>.<schema>.<table>`. */
  readonly topic: string | undefined;
}

/** How unconstrained NUMERIC (and numeric wider than 38 digits) lands in Iceberg. */
export type UnconstrainedNumeric =
  | { readonly type: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly type: 'string' };

export interface LoadConfig {
  readonly chunkStrategy: 'auto' | 'pk' | 'ctid'; // auto: PK ranges when possible, else ctid
  readonly chunkRows: number; // target rows per chunk, default 500000
  readonly parallelism: number; // chunks read at once, default 2
  readonly targetFileSizeMiB: number; // default 128
  readonly rowGroupRows: number; // Parquet row group size in rows, default 100000
  readonly codec: 'zstd' | 'snappy'; // default zstd
  readonly unconstrainedNumeric: UnconstrainedNumeric; // default decimal(38,10), checked
  readonly unknownTypes: 'error' | 'string'; // default error
  /** NUMERIC NaN/±Infinity into a decimal column: error (default) or null. */
  readonly numericSpecialValues: 'error' | 'null';
  /** date/timestamp ±infinity: clamp (default) to 9999-12-31 / 0001-01-01, null, or error. */
  readonly infinity: 'clamp' | 'null' | 'error';
}

export interface SyncConfig {
  /** Where changes come from; undefined: not configured (`floe sync` says so). */
  readonly source: SyncSourceConfig | undefined;
  readonly commitIntervalMs: number; // a batch commits at most this long after it started, default 5000
  readonly maxBatchChanges: number; // commit early at this many changes, default 50000
  readonly maxBatchMiB: number; // commit early at this much buffered raw event data, default 128
  readonly keyCacheEntries: number; // row positions per table cached in memory in front of the key index, default 2000000
  readonly expireSnapshots: boolean; // expire old snapshots in sync commits, default true
  readonly snapshotMaxAgeMs: number; // keep snapshots younger than this, default 3600000 (table property history.expire.max-snapshot-age-ms overrides)
  readonly minSnapshotsToKeep: number; // keep this many newest snapshots whatever their age, default 100 (history.expire.min-snapshots-to-keep overrides)
  readonly badEvents: 'fail' | 'skip' | 'dead-letter'; // default fail
  readonly deadLetterDir: string; // absolute, default <dataDir>/dead-letter
}

/** TLS for Kafka: system CAs (`true`) or PEM material. */
export interface KafkaSslConfig {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string; // a secret
  readonly rejectUnauthorized: boolean; // default true
  readonly servername?: string;
}

/** Debezium change events on Kafka. */
export interface KafkaSyncSourceConfig {
  readonly type: 'kafka';
  readonly brokers: readonly string[]; // host:port
  readonly topicPrefix?: string; // Debezium topic.prefix
  readonly topics?: readonly string[]; // explicit topics (default: the configured tables' topics)
  readonly topicPattern?: string; // or a regex matched against the whole topic name
  readonly groupId: string; // default floe; offsets committed there for lag monitoring only
  readonly clientId: string; // default floe
  readonly sasl?: { readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; readonly username: string; readonly password: string };
  readonly ssl?: boolean | KafkaSslConfig;
  /** The Debezium connector's value settings (its defaults): how to read records without embedded schemas. */
  readonly debezium: DebeziumModesConfig;
  /** Fetch sizing; the loader always sets it (KAFKA_FETCH_DEFAULTS in schema.ts), hand-built configs may omit it. */
  readonly fetch?: KafkaFetchConfig;
}

/** How floe fetches from Kafka; sizes in KiB/MiB as written, converted to bytes by openKafkaSource. */
export interface KafkaFetchConfig {
  readonly maxWaitMs: number; // broker long-poll, 1..10000, default 500
  readonly maxKiB: number; // per fetch, 1..262144, default 4096
  readonly partitionMaxKiB: number; // per partition per fetch, ≤ maxKiB, default 1024
  readonly bufferMiB: number; // prefetched records held at most, 1..65536, default 64
  readonly refreshMs: number; // topic/partition discovery, 100..3600000, default 5000
}

/** Debezium connector settings that change how values are encoded (names as in Debezium, camelCased). */
export interface DebeziumModesConfig {
  readonly decimalHandlingMode: 'precise' | 'string' | 'double'; // default precise
  readonly timePrecisionMode: 'adaptive' | 'adaptive_time_microseconds' | 'connect' | 'isostring'; // default adaptive
  readonly binaryHandlingMode: 'bytes' | 'base64' | 'base64-url-safe' | 'hex'; // default bytes
  readonly intervalHandlingMode: 'numeric' | 'string'; // default numeric
  readonly unavailableValue: string; // default __debezium_unavailable_value
}

/** PostgreSQL logical replication (pgoutput) straight from a configured source. */
export interface PostgresSyncSourceConfig {
  readonly type: 'postgres';
  readonly sourceName?: string; // key in `sources`; default: the only source
  readonly slot?: string; // default floe_<sourceName>
  readonly publication?: string; // default: the slot name
  readonly replicaIdentity: 'warn' | 'fail' | 'set-full'; // default warn
  readonly heartbeatMs: number; // default 10000
  readonly statusIntervalMs: number; // default 10000
  readonly maxBufferedChanges: number; // default 100000
  readonly maxRetainedWalMiB: number; // default 16384
  readonly onRetainedWalLimit: 'alert' | 'stop'; // default alert
}

export type SyncSourceConfig = KafkaSyncSourceConfig | PostgresSyncSourceConfig;
