/**
 * The real chain for the `floe sync` integration tests: a PostgreSQL schema per test, a
 * Debezium connector (pgoutput, own slot, publication and topic prefix) registered through
 * Kafka Connect's REST API, a floe.yaml in a temporary directory (SQLite catalog, local
 * warehouse), `floe sync` run as a child process, pyiceberg reading the result, and
 * PostgreSQL's rows in the same canonical form to compare with. Everything is removed after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Admin } from '@platformatic/kafka';
import { canonicalFloat, sortCanonical, type Canonical } from '../support/canonical.ts';
import { pyicebergInfo, pyicebergScan, type PyicebergInfo, type SqlCatalogSpec } from '../support/pyiceberg.ts';
import { testServices, type TestServices } from '../support/services.ts';
import { databaseSettings, startConnector, stopConnector } from '../support/debezium-capture.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A captured table no floe table reads: its events show how far the connector has streamed. */
const MARKER = 'floe_marker';

/** How PostgreSQL renders a column as the canonical text pyiceberg_reader.py prints (see canonical.ts). */
export type ColumnKind = 'int' | 'text' | 'numeric' | 'timestamp' | 'date' | 'bool' | 'bytea' | 'float8' | 'uuid';

const CANONICAL_SQL: Record<ColumnKind, (c: string) => string> = {
  int: (c) => `${c}::text`,
  text: (c) => c,
  numeric: (c) => `${c}::text`,
  timestamp: (c) => `(extract(epoch from ${c}) * 1000000)::numeric(40,0)::text`,
  date: (c) => `(${c} - date '1970-01-01')::text`,
  bool: (c) => c,
  bytea: (c) => `encode(${c}, 'hex')`,
  float8: (c) => `${c}::text`,
  uuid: (c) => `replace(${c}::text, '-', '')`,
};

/** One test's world: schema, connector, config dir; `close()` removes all of it. */
export class SyncWorld {
  readonly services: TestServices = testServices();
  readonly id = `floe_sk_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  readonly schema = this.id;
  db!: pg.Client;
  dir!: string;
  configPath!: string;
  readonly children = new Set<ChildProcess>();
  connectorStarted = false;
  markers = 0;

  /** Connects to PostgreSQL, creates the schema and the config directory. */
  async open(): Promise<void> {
    this.db = new pg.Client({ connectionString: this.services.pgUrl });
    await this.db.connect();
    await this.db.query(`CREATE SCHEMA "${this.schema}"`);
    await this.db.query(`CREATE TABLE "${this.schema}"."${MARKER}" (n int PRIMARY KEY)`);
    this.dir = await mkdtemp(join(tmpdir(), 'floe-sync-kafka-'));
    this.configPath = join(this.dir, 'floe.yaml');
  }

  get catalog(): SqlCatalogSpec {
    return { name: 'floe', uri: `sqlite:///${join(this.dir, 'data', 'catalog.db')}`, warehouse: `file://${join(this.dir, 'data', 'warehouse')}` };
  }

  topic(table: string): string {
    return `${this.id}.${this.schema}.${table}`;
  }

  /** Writes floe.yaml for `tables` (source tables in this schema); `sync` adds settings under sync. */
  async writeConfig(tables: readonly (string | Record<string, unknown>)[], sync: Record<string, unknown> = {}): Promise<void> {
    const { source: sourceExtra, ...syncRest } = sync as { source?: Record<string, unknown> };
    const config = {
      dataDir: join(this.dir, 'data'),
      logging: { level: 'info', file: null },
      sources: { pg: { type: 'postgres', url: this.services.pgUrl } },
      tables: tables.map((t) => (typeof t === 'string' ? { source: `${this.schema}.${t}` } : { ...t, source: `${this.schema}.${t.source as string}` })),
      sync: {
        source: { type: 'kafka', brokers: [...this.services.kafkaBrokers], topicPrefix: this.id, groupId: this.id, ...sourceExtra },
        ...syncRest,
      },
    };
    await writeFile(this.configPath, JSON.stringify(config, null, 2)); // JSON is YAML
  }

  /** Registers the Debezium connector for `tables` and waits until its slot streams. */
  async startConnector(tables: readonly string[], settings: Record<string, string> = {}): Promise<void> {
    await startConnector(this.services.connectUrl, this.id, {
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'plugin.name': 'pgoutput',
      ...databaseSettings(this.services.pgUrl),
      'topic.prefix': this.id,
      'slot.name': this.id,
      'publication.name': `${this.id}_pub`,
      'publication.autocreate.mode': 'filtered',
      'table.include.list': [...tables, MARKER].map((t) => `${this.schema}.${t}`).join(','),
      'tasks.max': '1',
      // Debezium skips truncates unless told otherwise; floe applies them.
      'skipped.operations': 'none',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'true',
      'value.converter.schemas.enable': 'true',
      ...settings,
    });
    this.connectorStarted = true;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const slot = await this.db.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [this.id]);
      if (slot.rows[0]?.active === true) return;
      if (Date.now() > deadline) throw new Error(`replication slot ${this.id} not active after 120 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Waits until the connector has written at least `count` records to `table`'s topic (high watermark). */
  async waitForRecords(table: string, count: number, timeoutMs = 60_000): Promise<void> {
    const admin = new Admin({ clientId: 'floe-sync-test', bootstrapBrokers: [...this.services.kafkaBrokers] });
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const topics = await admin.listTopics();
        if (topics.includes(this.topic(table))) {
          const offsets = await admin.listOffsets({ topics: [{ name: this.topic(table), partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
          const end = offsets[0]?.partitions[0]?.offset ?? 0n;
          if (end >= BigInt(count)) return;
        }
        if (Date.now() > deadline) throw new Error(`topic ${this.topic(table)}: fewer than ${count} records after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await admin.close();
    }
  }

  /**
   * Waits until the connector has streamed everything committed so far: inserts a row into the
   * marker table (captured, but read by no floe table) and waits for its event in Kafka. One
   * task streams the WAL in order, so earlier changes have been handed to the producer too;
   * `floe sync --once` then waits out its idle period for stragglers.
   */
  async waitForConnectorCaughtUp(timeoutMs = 60_000): Promise<void> {
    this.markers += 1;
    await this.db.query(`INSERT INTO "${this.schema}"."${MARKER}" VALUES ($1)`, [this.markers]);
    await this.waitForRecords(MARKER, this.markers, timeoutMs);
  }

  /** Starts `floe <args>` with this world's config; output collected on the returned handle. */
  spawnFloe(args: readonly string[]): ChildProcess & { output: () => string } {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', this.configPath, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return Object.assign(child, { output: () => out });
  }

  /** Runs `floe <args>` to completion; returns exit code and output. */
  async runFloe(args: readonly string[], timeoutMs = 180_000): Promise<{ code: number | null; output: string }> {
    const child = this.spawnFloe(args);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    return { code, output: child.output() };
  }

  /** `floe sync --once`; throws with its output unless it exits 0. */
  async syncOnce(idleMs = 2000): Promise<string> {
    const r = await this.runFloe(['sync', '--once', '--idle-ms', String(idleMs)]);
    if (r.code !== 0) throw new Error(`floe sync --once exited ${r.code}:\n${r.output.slice(-4000)}`);
    return r.output;
  }

  /** Rows of the source table in canonical form, sorted. */
  async pgRows(table: string, columns: Readonly<Record<string, ColumnKind>>): Promise<Canonical[]> {
    const exprs = Object.entries(columns).map(([c, kind]) => `${CANONICAL_SQL[kind](`"${c}"`)} AS "${c}"`);
    const { rows } = await this.db.query(`SELECT ${exprs.join(', ')} FROM "${this.schema}"."${table}"`);
    const out = rows.map((r: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(columns).map(([c, kind]) => {
          const v = r[c] as string | boolean | null;
          return [c, v === null ? null : kind === 'float8' ? canonicalFloat(Number(v)) : v];
        }),
      ),
    );
    return sortCanonical(out as Canonical[]);
  }

  /** The Iceberg table's rows as pyiceberg reads them. */
  async icebergRows(table: string): Promise<Canonical[]> {
    return pyicebergScan(this.catalog, `${this.schema}.${table}`);
  }

  async icebergInfo(table: string): Promise<PyicebergInfo> {
    return pyicebergInfo(this.catalog, `${this.schema}.${table}`);
  }

  /** Kills children, removes the connector, slot, publication, schema, topics and files. */
  async close(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    try {
      if (this.connectorStarted) {
        await stopConnector(this.services.connectUrl, this.id);
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          const slot = await this.db.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [this.id]);
          if (slot.rows[0]?.active !== true) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        await this.db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [this.id]);
        await this.db.query(`DROP PUBLICATION IF EXISTS "${this.id}_pub"`);
      }
      await this.db.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
    } finally {
      await this.db.end().catch(() => undefined);
      const admin = new Admin({ clientId: 'floe-sync-test', bootstrapBrokers: [...this.services.kafkaBrokers] });
      try {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(this.id));
        if (topics.length > 0) await admin.deleteTopics({ topics });
      } catch {
        // topics may not exist; leftovers carry a unique prefix and harm nothing
      } finally {
        await admin.close();
      }
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}
