/**
 * Prometheus metrics for one process: a fresh prom-client Registry whose counters, histograms
 * and gauges follow the typed events on the EventBus (producers never touch metrics). Durations
 * are exported in seconds (events carry ms); every per-table metric has a `table` label.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventBus } from '../core/events.ts';

/** Options of createMetrics. */
export interface MetricsOptions {
  /** Also export process metrics (RSS, CPU, event loop lag, GC); default true. */
  readonly defaultMetrics?: boolean;
}

/** The registry and the handles tests and commands may read; `close()` unsubscribes from the bus. */
export interface FloeMetrics {
  readonly registry: Registry;
  readonly loadRows: Counter<'table'>;
  readonly loadBytes: Counter<'table'>;
  readonly syncLag: Gauge<'topic' | 'partition'>;
  close(): void;
}

const SECONDS_SHORT = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SECONDS_CHUNK = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const SECONDS_TABLE = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];
const SECONDS_FRESHNESS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const BATCH_SIZES = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

/** Builds the registry and subscribes it to `events`. Call once per process (or per test). */
export function createMetrics(events: EventBus, options: MetricsOptions = {}): FloeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const reg = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new Counter<L>({ name, help, labelNames, registers: reg });
  const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
    new Histogram<L>({ name, help, labelNames, buckets, registers: reg });

  const loadRows = counter('floe_load_rows_total', 'Rows written by bulk loads', ['table']);
  const loadBytes = counter('floe_load_bytes_total', 'Bytes of data files written by bulk loads', ['table']);
  const chunkFailures = counter('floe_load_chunk_failures_total', 'Chunk attempts that failed (retried or not)', ['table', 'retried']);
  const tableFailures = counter('floe_load_table_failures_total', 'Tables whose load failed', ['table']);
  const chunkSeconds = histogram('floe_load_chunk_duration_seconds', 'Time to read, write and commit one chunk', ['table'], SECONDS_CHUNK);
  const tableSeconds = histogram('floe_load_table_duration_seconds', 'Time to load one table (skipped tables excluded)', ['table'], SECONDS_TABLE);
  const commitSeconds = histogram('floe_commit_duration_seconds', 'Iceberg commit time, retries included', ['table', 'operation'], SECONDS_SHORT);
  const commitRetries = counter('floe_commit_retries_total', 'Iceberg commit attempts that lost a race or failed transiently and were retried', ['table']);
  const syncEvents = counter('floe_sync_events_total', 'Change events received, by operation', ['table', 'op']);
  const syncBatch = histogram('floe_sync_batch_size', 'Changes (upserts + deletes) per CDC commit', ['table'], BATCH_SIZES);
  const syncCommitSeconds = histogram('floe_sync_commit_duration_seconds', 'Time to apply one CDC batch in one Iceberg commit', ['table'], SECONDS_SHORT);
  const freshness = histogram('floe_sync_freshness_seconds', 'Source commit of the newest change in a batch → Iceberg commit', ['table'], SECONDS_FRESHNESS);
  const syncLag = new Gauge<'topic' | 'partition'>({ name: 'floe_sync_lag', help: 'Messages behind the end of the Kafka partition', labelNames: ['topic', 'partition'], registers: reg });
  const badEvents = counter('floe_sync_bad_events_total', 'Change events that could not be applied, by policy', ['table', 'policy']);

  const off = [
    events.on('load:chunk-done', (e) => {
      loadRows.inc({ table: e.table }, e.rows);
      loadBytes.inc({ table: e.table }, e.bytes);
      chunkSeconds.observe({ table: e.table }, e.ms / 1000);
    }),
    events.on('load:chunk-failed', (e) => chunkFailures.inc({ table: e.table, retried: String(e.willRetry) })),
    events.on('load:table-failed', (e) => tableFailures.inc({ table: e.table })),
    events.on('load:table-done', (e) => {
      if (!e.skipped) tableSeconds.observe({ table: e.table }, e.ms / 1000);
    }),
    events.on('commit:done', (e) => commitSeconds.observe({ table: e.table, operation: e.operation }, e.ms / 1000)),
    events.on('commit:retry', (e) => commitRetries.inc({ table: e.table })),
    events.on('sync:event', (e) => syncEvents.inc({ table: e.table, op: e.op }, e.count ?? 1)),
    events.on('sync:batch-committed', (e) => {
      syncBatch.observe({ table: e.table }, e.upserts + e.deletes);
      syncCommitSeconds.observe({ table: e.table }, e.ms / 1000);
      if (e.freshnessMs !== null) freshness.observe({ table: e.table }, e.freshnessMs / 1000);
    }),
    events.on('sync:lag', (e) => syncLag.set({ topic: e.topic, partition: String(e.partition) }, e.lag)),
    events.on('sync:bad-event', (e) => badEvents.inc({ table: e.table ?? '', policy: e.policy })),
  ];
  return { registry, loadRows, loadBytes, syncLag, close: () => off.forEach((f) => f()) };
}
