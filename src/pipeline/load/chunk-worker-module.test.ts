import assert from 'node:assert/strict';
import { access, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { chunkWorkerEntry } from './chunk-worker-module.ts';

test('chunkWorkerEntry bundles the worker once into plain JS that a bare worker thread starts, pruning day-old bundles', async () => {
  const cache = new URL('../../../node_modules/.cache/floe/', import.meta.url);
  await mkdir(cache, { recursive: true });
  const stale = new URL('chunk-worker-0000000000000000.mjs', cache);
  const fresh = new URL('chunk-worker-0000000000000001.mjs', cache);
  await writeFile(stale, '');
  await writeFile(fresh, '');
  await utimes(stale, new Date(Date.now() - 2 * 86_400_000), new Date(Date.now() - 2 * 86_400_000));
  const entry = await chunkWorkerEntry();
  assert.equal(await access(stale).then(() => true, () => false), false, 'two-day-old bundle pruned');
  assert.equal(await access(fresh).then(() => true, () => false), true, 'recent bundle kept (another run may use it)');
  await rm(fresh);
  assert.equal(entry.bundled, true, entry.fallbackReason);
  assert.equal(await chunkWorkerEntry(), await chunkWorkerEntry(), 'memoized');
  assert.match(entry.url.pathname, /node_modules\/\.cache\/floe\/chunk-worker-[0-9a-f]{16}\.mjs$/);
  const code = await readFile(entry.url, 'utf8');
  assert.doesNotMatch(code, /from ['"]\.{1,2}\//, 'no relative imports left');
  // no tsx in this worker thread: it loads the bundle alone, and its close message ends it
  const worker = new Worker(entry.url, { execArgv: [] });
  const exit = new Promise<number>((resolve) => worker.once('exit', resolve));
  worker.postMessage({ type: 'close' });
  assert.equal(await exit, 0);
});
