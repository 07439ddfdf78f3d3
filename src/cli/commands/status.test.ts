import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { openCatalog } from '../../catalog/open-catalog.ts';
import type { Snapshot, TableMetadata } from '../../iceberg/spec/types.ts';
import { icebergStatus } from '../../state/status-report.ts';
import { parseStatusArgs, printable, renderStatus } from './status.ts';

const T = Date.UTC(2024, 4, 1, 12, 0, 0);
const snap = (id: bigint, parent: bigint | undefined, summary: Record<string, string>): Snapshot => ({
  snapshotId: id, sequenceNumber: Number(id), timestampMs: T + Number(id) * 1000, manifestList: 'memory://x', summary: { operation: 'append', ...summary },
  ...(parent === undefined ? {} : { parentSnapshotId: parent }),
});

describe('floe status pieces', () => {
  it('parses flags and rejects unknown ones', () => {
    assert.deepEqual(parseStatusArgs(['--json', '--runs', '3', '--run', 'r1', '--rebuild']), { json: true, rebuild: true, runs: 3, run: 'r1' });
    assert.deepEqual(parseStatusArgs([]), { json: false, rebuild: false, runs: 5, run: undefined });
    assert.equal(parseStatusArgs(['--runs', 'x']), undefined);
    assert.equal(parseStatusArgs(['--verbose']), undefined);
  });

  it('makes hostile names safe for a terminal', () => {
    assert.equal(printable('a\x1b[2Jb\nc\td'), 'a?[2Jb c d');
    assert.equal(printable('x'.repeat(10), 5), 'xxxx…');
  });

  it('reads the truth from Iceberg metadata: main head, totals, the newest watermark on main, staged loads', () => {
    const metadata = {
      currentSnapshotId: 3n,
      snapshots: [snap(1n, undefined, { 'floe.source.lsn': '0/1' }), snap(2n, 1n, { 'floe.source.lsn': '0/2' }), snap(3n, 2n, { 'total-records': '1500' }), snap(4n, 3n, { 'floe.source.lsn': '0/9' })],
      refs: { main: { snapshotId: 3n, type: 'branch' }, 'floe-load-r9': { snapshotId: 4n, type: 'branch' } },
      properties: { 'floe.load.complete-run': 'r1' },
    } as unknown as TableMetadata;
    assert.deepEqual(icebergStatus('a.t', metadata), {
      target: 'a.t', exists: true, error: null, snapshotId: '3', totalRecords: 1500, watermark: '0/2', completeRun: 'r1', stagedRuns: ['r9'], lastCommitMs: T + 3000,
    });
  });

  it('renders runs, store rows and the Iceberg view as aligned text', () => {
    const text = renderStatus(
      {
        runs: [{ runId: 'r1', kind: 'load', state: 'partial', startedMs: T, finishedMs: T + 65_000, host: 'h', pid: 1, message: '1 failed' }],
        tables: [
          { runId: 'r1', target: 'sales.orders', source: 'public.orders', state: 'loaded', rows: 1_234_567, bytes: 1, chunksDone: 8, chunksTotal: 8, startedMs: T, finishedMs: T + 60_000, snapshotId: '42', watermark: '0/16B3748', error: null },
          { runId: 'r1', target: 'sales.items', source: 'public.items', state: 'failed', rows: 0, bytes: 0, chunksDone: 1, chunksTotal: 4, startedMs: T, finishedMs: null, snapshotId: null, watermark: null, error: 'permission\ndenied' },
        ],
        iceberg: [
          { target: 'sales.orders', exists: true, error: null, snapshotId: '42', totalRecords: 1_234_567, watermark: '0/16B3748', completeRun: 'r1', stagedRuns: [], lastCommitMs: T + 60_000 },
          { target: 'sales.items', exists: false, error: null, snapshotId: null, totalRecords: null, watermark: null, completeRun: null, stagedRuns: [], lastCommitMs: null },
        ],
      },
      T + 90_000,
    );
    assert.equal(
      text,
      [
        'Runs',
        '  run  kind  state    started               took  message',
        '  r1   load  partial  2024-05-01 12:00:00Z  1:05  1 failed',
        '',
        'Tables (status store: latest run per table)',
        '  table         state        rows  chunks   took  watermark  snapshot  run  error',
        '  sales.orders  loaded  1,234,567     8/8   1:00  0/16B3748  42        r1',
        '  sales.items   failed          0     1/4  1:30+  -          -         r1   permission denied',
        '',
        'Iceberg (the source of truth)',
        '  table         main snapshot         total-records  watermark  complete run  staged (resumable)  last commit',
        '  sales.orders  42                        1,234,567  0/16B3748  r1            -                   2024-05-01 12:01:00Z',
        '  sales.items   table does not exist',
      ].join('\n'),
    );
  });
});

describe('floe status (the command, on a SQLite catalog and store)', () => {
  it('rebuilds from the Iceberg table and prints JSON and text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-status-cmd-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const configPath = join(dir, 'floe.yaml');
    await writeFile(configPath, [
      `dataDir: ${JSON.stringify(dir)}`,
      'sources:',
      '  pg: { type: postgres, url: "postgres://floe:not-used-pw@127.0.0.1:1/db" }',
      'tables:',
      '  - { source: public.orders, target: sales.orders }',
      '  - { source: public.absent, target: sales.absent }',
    ].join('\n'));
    const catalog = await openCatalog({ type: 'sqlite', uri: join(dir, 'catalog.db'), name: 'floe', warehouse: join(dir, 'warehouse') });
    const id = { namespace: ['sales'], name: 'orders' };
    await catalog.createNamespace(['sales']);
    await catalog.createTable(id, { schema: { schemaId: 0, identifierFieldIds: [], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } }] } });
    const s = snap(7n, undefined, { 'floe.load.run-id': 'r1', 'floe.load.chunk': '0', 'added-records': '25', 'total-records': '25', 'floe.source.lsn': '0/AB' });
    await catalog.commitTable(id, [], [
      { action: 'add-snapshot', snapshot: s },
      { action: 'set-snapshot-ref', refName: 'main', snapshotId: 7n, type: 'branch' },
      { action: 'set-properties', updates: { 'floe.load.complete-run': 'r1' } },
    ]);
    await catalog.close();

    const run = async (...args: string[]) =>
      (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--config', configPath, 'status', ...args], { cwd: process.cwd() })).stdout;
    const json = JSON.parse(await run('--rebuild', '--json')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(json.rebuilt, { runs: 1, tables: 1, chunks: 1, missing: ['sales.absent'], keptRunning: [] });
    assert.deepEqual(json.runs.map((r: { runId: string; state: string }) => [r.runId, r.state]), [['r1', 'succeeded']]);
    assert.deepEqual(json.tables.map((t: { target: string; rows: number; snapshotId: string; watermark: string }) => [t.target, t.rows, t.snapshotId, t.watermark]), [['sales.orders', 25, '7', '0/AB']]);
    assert.deepEqual(json.iceberg.map((i: { target: string; exists: boolean; totalRecords: number | null }) => [i.target, i.exists, i.totalRecords]), [['sales.orders', true, 25], ['sales.absent', false, null]]);
    const text = await run();
    assert.match(text, /sales\.orders\s+loaded\s+25\s+1\/1/);
    assert.match(text, /sales\.absent\s+table does not exist/);
    assert.doesNotMatch(text, /not-used-pw/);
  });
});
