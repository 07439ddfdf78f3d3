import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus } from '../core/events.ts';
import { createMetrics } from './metrics.ts';
import { startMetricsServer } from './metrics-server.ts';

/** The value of one sample line `name{labels} value` in exposition text; undefined when absent. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('metrics', () => {
  it('counts load rows, bytes, failures and observes durations in seconds, per table', async () => {
    const events = new EventBus();
    const m = createMetrics(events, { defaultMetrics: false });
    const chunk = { table: 'sales.orders', runId: 'r1', chunk: '0', rows: 1000, bytes: 2048, ms: 1500 };
    events.emit('load:chunk-done', chunk);
    events.emit('load:chunk-done', { ...chunk, chunk: '1', rows: 500, bytes: 1000, ms: 200 });
    events.emit('load:chunk-done', { ...chunk, table: 'sales.items', rows: 7 });
    events.emit('load:chunk-failed', { table: 'sales.orders', runId: 'r1', chunk: '2', attempt: 1, error: 'reset', willRetry: true });
    events.emit('load:table-failed', { table: 'sales.items', runId: 'r1', error: 'boom' });
    events.emit('load:table-done', { table: 'sales.orders', runId: 'r1', rows: 1500, ms: 90_000, snapshotId: 1n, skipped: false });
    events.emit('load:table-done', { table: 'sales.skip', runId: 'r1', rows: 0, ms: 1, snapshotId: null, skipped: true });
    const text = await m.registry.metrics();
    assert.equal(sample(text, 'floe_load_rows_total{table="sales.orders"}'), 1500);
    assert.equal(sample(text, 'floe_load_rows_total{table="sales.items"}'), 7);
    assert.equal(sample(text, 'floe_load_bytes_total{table="sales.orders"}'), 3048);
    assert.equal(sample(text, 'floe_load_chunk_failures_total{table="sales.orders",retried="true"}'), 1);
    assert.equal(sample(text, 'floe_load_table_failures_total{table="sales.items"}'), 1);
    assert.equal(sample(text, 'floe_load_chunk_duration_seconds_sum{table="sales.orders"}'), 1.7);
    assert.equal(sample(text, 'floe_load_chunk_duration_seconds_bucket{le="1",table="sales.orders"}'), 1);
    assert.equal(sample(text, 'floe_load_table_duration_seconds_count{table="sales.orders"}'), 1);
    assert.equal(sample(text, 'floe_load_table_duration_seconds_sum{table="sales.orders"}'), 90);
    assert.equal(sample(text, 'floe_load_table_duration_seconds_count{table="sales.skip"}'), undefined, 'skipped tables are not timed');
    m.close();
  });

  it('follows commits and CDC events, and stops after close()', async () => {
    const events = new EventBus();
    const m = createMetrics(events, { defaultMetrics: false });
    events.emit('commit:retry', { table: 't', attempt: 1, reason: 'conflict', delayMs: 50 });
    events.emit('commit:done', { table: 't', snapshotId: 9n, operation: 'overwrite', ms: 40, attempts: 2 });
    for (const op of ['c', 'u', 'u', 'd'] as const) events.emit('sync:event', { table: 't', op });
    events.emit('sync:batch-committed', { table: 't', upserts: 300, deletes: 20, ms: 250, snapshotId: 10n, freshnessMs: 3000 });
    events.emit('sync:batch-committed', { table: 't', upserts: 1, deletes: 0, ms: 10, snapshotId: 11n, freshnessMs: null });
    events.emit('sync:lag', { topic: 'pg.public.t', partition: 3, lag: 1234 });
    events.emit('sync:lag', { topic: 'pg.public.t', partition: 3, lag: 17 });
    events.emit('sync:bad-event', { table: null, reason: 'not JSON', policy: 'dead-letter' });
    const text = await m.registry.metrics();
    assert.equal(sample(text, 'floe_commit_retries_total{table="t"}'), 1);
    assert.equal(sample(text, 'floe_commit_duration_seconds_sum{table="t",operation="overwrite"}'), 0.04);
    assert.equal(sample(text, 'floe_sync_events_total{table="t",op="u"}'), 2);
    assert.equal(sample(text, 'floe_sync_batch_size_sum{table="t"}'), 321);
    assert.equal(sample(text, 'floe_sync_batch_size_bucket{le="100",table="t"}'), 1);
    assert.equal(sample(text, 'floe_sync_commit_duration_seconds_count{table="t"}'), 2);
    assert.equal(sample(text, 'floe_sync_freshness_seconds_count{table="t"}'), 1, 'a batch without a source time is not observed');
    assert.equal(sample(text, 'floe_sync_freshness_seconds_sum{table="t"}'), 3);
    assert.equal(sample(text, 'floe_sync_lag{topic="pg.public.t",partition="3"}'), 17);
    assert.equal(sample(text, 'floe_sync_bad_events_total{table="",policy="dead-letter"}'), 1);
    m.close();
    events.emit('sync:lag', { topic: 'pg.public.t', partition: 3, lag: 99 });
    assert.equal(sample(await m.registry.metrics(), 'floe_sync_lag{topic="pg.public.t",partition="3"}'), 17);
  });

  it('keeps registries of two instances apart and can export process metrics', async () => {
    const a = createMetrics(new EventBus());
    const b = createMetrics(new EventBus(), { defaultMetrics: false });
    assert.match(await a.registry.metrics(), /process_resident_memory_bytes/);
    assert.doesNotMatch(await b.registry.metrics(), /process_resident_memory_bytes/);
  });

  it('serves /metrics over HTTP and 404 elsewhere', async () => {
    const events = new EventBus();
    const m = createMetrics(events, { defaultMetrics: false });
    events.emit('load:chunk-done', { table: 'a.b', runId: 'r', chunk: '0', rows: 5, bytes: 1, ms: 1 });
    const server = await startMetricsServer(m.registry, { host: '127.0.0.1', port: 0 });
    try {
      const ok = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      assert.equal(ok.status, 200);
      assert.match(ok.headers.get('content-type') ?? '', /text\/plain/);
      assert.equal(sample(await ok.text(), 'floe_load_rows_total{table="a.b"}'), 5);
      const missing = await fetch(`http://127.0.0.1:${server.port}/other`);
      assert.equal(missing.status, 404);
      await missing.text();
    } finally {
      await server.close();
    }
  });
});

describe('setupMetrics', () => {
  it('starts the endpoint only when a port is configured', async () => {
    const { setupMetrics } = await import('./setup-metrics.ts');
    const none = await setupMetrics(new EventBus(), { port: undefined, host: '127.0.0.1' });
    assert.equal(none.server, undefined);
    await none.close();
    const events = new EventBus();
    const probe = await startMetricsServer(createMetrics(new EventBus(), { defaultMetrics: false }).registry, { host: '127.0.0.1', port: 0 });
    const port = probe.port;
    await probe.close();
    const on = await setupMetrics(events, { port, host: '127.0.0.1' });
    try {
      events.emit('load:chunk-done', { table: 'x.y', runId: 'r', chunk: '0', rows: 3, bytes: 1, ms: 1 });
      assert.equal(sample(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), 'floe_load_rows_total{table="x.y"}'), 3);
    } finally {
      await on.close();
    }
  });
});
