import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../config/load-config.ts';
import { fetcherTuning, ignoredColumns } from './open-kafka-source.ts';
import { FETCHER_DEFAULTS } from './partition-fetcher.ts';

test('ignoredColumns: excluded columns, and with an include list every column it does not name', () => {
  const exclude = ignoredColumns({ exclude: ['secret'] });
  assert.deepEqual(['secret', 'id', 'added'].map(exclude), [true, false, false], 'a new column is not ignored: it is a schema change');
  const include = ignoredColumns({ include: ['id', 'name'] });
  assert.deepEqual(['id', 'name', 'other'].map(include), [false, false, true]);
  assert.equal(ignoredColumns({})('anything'), false);
});

test('fetcherTuning: the config defaults are the fetcher defaults, in bytes', async () => {
  const config = await parseConfigText('sync: { source: { type: kafka, brokers: "k:9092" } }', { configPath: '/tmp/floe.yaml', env: {} });
  const source = config.sync.source;
  assert.equal(source?.type, 'kafka');
  assert.deepEqual(fetcherTuning(source.type === 'kafka' ? source.fetch : undefined), FETCHER_DEFAULTS);
  assert.deepEqual(FETCHER_DEFAULTS, { maxWaitMs: 500, maxBytes: 4 << 20, partitionMaxBytes: 1 << 20, bufferBytes: 64 << 20, refreshMs: 5000 });
});

test('fetcherTuning: configured values in bytes, and explicit tuning (tests, benches) overrides key by key', async () => {
  const yaml = 'sync: { source: { type: kafka, brokers: "k:9092", fetch: { maxWaitMs: 50, maxKiB: 1024, partitionMaxKiB: 256, bufferMiB: 16, refreshMs: 1000 } } }';
  const config = await parseConfigText(yaml, { configPath: '/tmp/floe.yaml', env: {} });
  const fetch = config.sync.source?.type === 'kafka' ? config.sync.source.fetch : undefined;
  assert.deepEqual(fetcherTuning(fetch), { maxWaitMs: 50, maxBytes: 1 << 20, partitionMaxBytes: 256 << 10, bufferBytes: 16 << 20, refreshMs: 1000 });
  assert.deepEqual(fetcherTuning(fetch, { maxBytes: 8192, refreshMs: undefined }), { maxWaitMs: 50, maxBytes: 8192, partitionMaxBytes: 256 << 10, bufferBytes: 16 << 20, refreshMs: 1000 });
  assert.deepEqual(fetcherTuning(undefined, { maxWaitMs: 10 }), { maxWaitMs: 10 }, 'a hand-built config without fetch leaves the rest to the fetcher defaults');
});
