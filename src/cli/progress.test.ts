import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { EventBus } from '../core/events.ts';
import { createLogger } from '../core/logger.ts';
import { applyLoadEvent, emptyProgress, etaSeconds, formatDuration, renderProgress, renderSummary, startProgress, type ProgressState } from './progress.ts';

const T0 = 1_700_000_000_000;

function sample(): ProgressState {
  let s = emptyProgress();
  s = applyLoadEvent(s, 'load:table-started', { table: 'sales.orders', runId: 'r', chunks: 4, estimatedRows: 4_000_000 }, T0);
  s = applyLoadEvent(s, 'load:table-started', { table: 'sales.items', runId: 'r', chunks: 1, estimatedRows: 10 }, T0);
  s = applyLoadEvent(s, 'load:chunk-done', { table: 'sales.orders', runId: 'r', chunk: '0', rows: 1_000_000, bytes: 1, ms: 1 }, T0 + 2000);
  s = applyLoadEvent(s, 'load:chunk-failed', { table: 'sales.orders', runId: 'r', chunk: '1', attempt: 1, error: 'reset', willRetry: true }, T0 + 2100);
  s = applyLoadEvent(s, 'load:chunk-done', { table: 'sales.items', runId: 'r', chunk: '0', rows: 10, bytes: 1, ms: 1 }, T0 + 500);
  s = applyLoadEvent(s, 'load:table-done', { table: 'sales.items', runId: 'r', rows: 10, ms: 1000, snapshotId: 5n, skipped: false }, T0 + 1000);
  s = applyLoadEvent(s, 'load:table-failed', { table: 'x.broken', runId: 'r', error: 'permission denied for table broken' }, T0 + 3000);
  return s;
}

describe('progress state and rendering', () => {
  it('reduces load events per table, without changing the input state', () => {
    const before = emptyProgress();
    const after = applyLoadEvent(before, 'load:chunk-done', { table: 'a', runId: 'r', chunk: '0', rows: 5, bytes: 1, ms: 1 }, T0);
    assert.deepEqual(before.tables, []);
    assert.equal(after.tables[0]!.rows, 5);
    const s = sample();
    assert.deepEqual(s.tables.map((t) => [t.table, t.state, t.rows, t.chunksDone, t.chunksTotal, t.chunkFailures]), [
      ['sales.orders', 'loading', 1_000_000, 1, 4, 1],
      ['sales.items', 'loaded', 10, 1, 1, 0],
      ['x.broken', 'failed', 0, 0, 0, 0],
    ]);
  });

  it('computes rows/s since start and ETA from the estimate; unknown ETA is null', () => {
    const [orders, items] = sample().tables;
    // 1 M rows in 4 s → 250 k rows/s; 3 M left → 12 s.
    assert.equal(etaSeconds(orders!, T0 + 4000), 12);
    assert.equal(etaSeconds(items!, T0 + 4000), null, 'finished');
    assert.equal(etaSeconds({ ...orders!, estimatedRows: 0 }, T0 + 4000), null, 'no estimate');
    assert.equal(etaSeconds({ ...orders!, estimatedRows: 10 }, T0 + 4000), null, 'estimate exceeded');
  });

  it('renders aligned columns with a header and a total', () => {
    const text = renderProgress(sample(), T0 + 4000);
    assert.equal(
      text,
      [
        'table                           rows   rows/s  chunks   ETA  state',
        'sales.orders  1,000,000 / ~4,000,000  250,000     1/4  0:12  loading (1 retried)',
        'sales.items                       10       10     1/1     -  loaded in 0:01',
        'x.broken                           0        0     0/0     -  FAILED after 0:00: permission denied for table broken',
        'total                      1,000,010  250,003',
      ].join('\n'),
    );
  });

  it('summarizes outcomes, rows, time and the failed tables', () => {
    assert.equal(renderSummary(sample(), T0 + 4000), 'load: 1 loaded, 0 skipped, 1 failed, 1 unfinished; 1,000,010 rows in 0:04, 250,003 rows/s — failed: x.broken');
    assert.equal(renderSummary(emptyProgress(), T0), 'load: 0 loaded, 0 skipped, 0 failed; 0 rows in 0:00');
  });

  it('formats durations as m:ss and h:mm:ss', () => {
    assert.deepEqual([0, 59.9, 61, 3600, 36_125].map(formatDuration), ['0:00', '0:59', '1:01', '1:00:00', '10:02:05']);
  });
});

function sink(isTTY: boolean): { text: () => string; stream: Writable & { isTTY: boolean } } {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(c, _e, done) {
        chunks.push(String(c));
        done();
      },
    }),
    { isTTY },
  );
  return { text: () => chunks.join(''), stream };
}

describe('startProgress', () => {
  it('on a TTY redraws in place at most once per interval and ends with the summary', async () => {
    const events = new EventBus();
    const out = sink(true);
    let t = T0;
    const p = startProgress(events, { stream: out.stream, log: createLogger({ destination: sink(false).stream }), redrawMs: 20, now: () => t });
    events.emit('load:table-started', { table: 'a.b', runId: 'r', chunks: 2, estimatedRows: 100 });
    for (let i = 0; i < 50; i += 1) events.emit('load:chunk-done', { table: 'a.b', runId: 'r', chunk: String(i), rows: 1, bytes: 1, ms: 1 });
    await new Promise((r) => setTimeout(r, 70));
    t += 1000;
    events.emit('load:table-done', { table: 'a.b', runId: 'r', rows: 50, ms: 1000, snapshotId: 1n, skipped: false });
    p.stop();
    const frames = out.text().split(/(?=\x1b\[\d+F)/); // eslint-disable-line no-control-regex
    assert.ok(frames.length >= 2 && frames.length <= 5, `frames: ${frames.length}`);
    assert.match(frames.at(-1)!, /^\x1b\[3F\x1b\[J/); // eslint-disable-line no-control-regex
    assert.match(out.text(), /load: 1 loaded, 0 skipped, 0 failed; 50 rows in 0:01, 50 rows\/s\n$/);
    events.emit('load:chunk-done', { table: 'a.b', runId: 'r', chunk: 'late', rows: 1, bytes: 1, ms: 1 });
    assert.equal(p.state().tables[0]!.rows, 50, 'unsubscribed after stop');
  });

  it('elsewhere writes nothing to the stream and logs JSON progress lines for loading tables', async () => {
    const events = new EventBus();
    const out = sink(false);
    const logs = sink(false);
    let t = T0;
    const p = startProgress(events, { stream: out.stream, log: createLogger({ destination: logs.stream }), logEveryMs: 20, now: () => t });
    events.emit('load:table-started', { table: 'a.b', runId: 'r', chunks: 2, estimatedRows: 100 });
    events.emit('load:table-started', { table: 'done.t', runId: 'r', chunks: 1, estimatedRows: 1 });
    events.emit('load:table-done', { table: 'done.t', runId: 'r', rows: 1, ms: 1, snapshotId: 1n, skipped: false });
    t += 2000;
    events.emit('load:chunk-done', { table: 'a.b', runId: 'r', chunk: '0', rows: 40, bytes: 1, ms: 1 });
    await new Promise((r) => setTimeout(r, 35));
    p.stop();
    assert.equal(out.text(), '');
    const line = JSON.parse(logs.text().trim().split('\n')[0]!) as Record<string, unknown>;
    assert.deepEqual(
      { level: line.level, msg: line.msg, table: line.table, rows: line.rows, rowsPerS: line.rowsPerS, etaS: line.etaS },
      { level: 'info', msg: 'load progress', table: 'a.b', rows: 40, rowsPerS: 20, etaS: 3 },
    );
    assert.match(String(line.time), /^\d{4}-/);
    assert.ok(!logs.text().includes('done.t'), 'finished tables are not logged');
  });
});
