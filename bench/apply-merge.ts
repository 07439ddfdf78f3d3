/**
 * bench:apply-merge — does applying a batch cost the same on a big table as on a small one?
 * For a 1 M-row and a 20 M-row table (id long key, amount long, note string; written with
 * floe's writer in files of 2 M rows), fills the key index straight from the known layout
 * (id i sits at file i / 2 M, position i % 2 M: what a rebuild would find, minus the scan),
 * then applies 10 k-change batches (70 % updates of random live keys, 20 % deletes, 10 %
 * inserts) and reports the median. Also times 10 k raw index lookups, the main thread's
 * per-change cost of locate (of which collapse: the pure fold, timed apart on the same batch)
 * and index (cache write-through + posting the update to the index thread), the main thread's
 * CPU time for the whole apply (Linux: robust when other processes share the cores), the index
 * thread's CPU time per change persisted (the threads openTableApplier started, read from
 * /proc/self/task/<tid>/schedstat once they are idle), the cache's heap per entry after warming
 * at open, and how long close waits for the index thread to persist.
 * Each table is measured twice: with a key cache holding the larger table (sync.keyCacheEntries
 * sized to it), then with no cache (every key through the SQLite index thread).
 * Issue 5 wants the two merge times ≤ 1.5× apart. Last line:
 *   bench:apply-merge merge_1m_ms=<n> merge_20m_ms=<n> merge_20m_over_1m=<x> uncached_merge_1m_ms=<n> uncached_merge_20m_ms=<n> uncached_merge_20m_over_1m=<x>
 *
 *   node --import tsx bench/apply-merge.ts [small_rows] [large_rows]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SqlCatalog } from '../src/catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../src/catalog/sql/sqlite-driver.ts';
import type { Catalog } from '../src/catalog/catalog.ts';
import type { Change } from '../src/core/change.ts';
import { LocalFileIO } from '../src/io/local-file-io.ts';
import type { DataFile, Schema, TableIdentifier } from '../src/iceberg/spec/types.ts';
import { currentSchema } from '../src/iceberg/table/metadata-access.ts';
import { commitChange } from '../src/iceberg/table/snapshot-producer.ts';
import { tableDataWriter } from '../src/iceberg/table/table-writer.ts';
import { openTableApplier } from '../src/cdc/apply/apply-batch.ts';
import { encodeKey, rowIdentity } from '../src/cdc/apply/key-encoding.ts';
import { collapseBatch } from '../src/cdc/apply/plan-batch.ts';
import { KeyIndex, type IndexEntry } from '../src/cdc/apply/key-index.ts';

const FILE_ROWS = 2_000_000;
const CHUNK = 131_072;
const BATCH = 10_000;
const BATCHES = 7;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Heap in use after a full collection, bytes. */
const heapUsed = (): number => {
  gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'amount', required: false, type: { type: 'long' } },
    { id: 3, name: 'note', required: false, type: { type: 'string' } },
  ],
};
const NOTES = Array.from({ length: 64 }, (_, i) => `note-${i}-${'n'.repeat(i % 16)}`);

/** Writes `rows` rows into files of FILE_ROWS and commits them as one append; returns the files. */
async function fillTable(catalog: Catalog, io: LocalFileIO, id: TableIdentifier, rows: number): Promise<DataFile[]> {
  const base = await catalog.loadTable(id);
  const files: DataFile[] = [];
  for (let start = 0; start < rows; start += FILE_ROWS) {
    const writer = tableDataWriter(io, base.metadata);
    const end = Math.min(rows, start + FILE_ROWS);
    for (let from = start; from < end; from += CHUNK) {
      const n = Math.min(CHUNK, end - from);
      const ids = Array.from({ length: n }, (_, i) => BigInt(from + i));
      await writer.write({ numRows: n, columns: [ids, ids.map((x) => x * 7n), ids.map((_, i) => NOTES[(from + i) % 64]!)] });
    }
    files.push(...(await writer.complete()));
  }
  await commitChange(catalog, io, id, { addedFiles: files });
  return files;
}

/** Fills the index from the known layout; returns ms. */
function fillIndex(path: string, tableUuid: string, snapshotId: bigint, files: readonly DataFile[]): number {
  const t0 = performance.now();
  const identity = rowIdentity(schema);
  const index = KeyIndex.open(path, identity, tableUuid);
  index.startRebuild();
  let next = 0;
  for (const file of files) {
    for (let pos = 0; pos < file.recordCount; pos += 200_000) {
      const entries: IndexEntry[] = [];
      for (let p = pos; p < Math.min(file.recordCount, pos + 200_000); p += 1) entries.push({ id: encodeKey(identity, { id: BigInt(next++) }, 'bench'), dataFile: file, pos: p });
      index.addDuringRebuild(entries);
    }
  }
  index.finishRebuild(snapshotId);
  index.close();
  return performance.now() - t0;
}

/** A change in one literal shape, as the change sources make them (spread copies made collapse ~3x slower). */
function change(op: 'upsert' | 'delete', id: bigint, after: Change['after']): Change {
  return { table: 'bench', op, key: { id }, after, before: null, unchanged: [], position: {}, commitTimeMs: Date.now() };
}

function randomBatch(rows: number, fresh: { next: bigint }, deleted: Set<bigint>): Change[] {
  const out: Change[] = [];
  const used = new Set<bigint>();
  while (out.length < BATCH) {
    const r = Math.random();
    if (r < 0.1) {
      const id = fresh.next++;
      out.push(change('upsert', id, { id, amount: 1n, note: 'new' }));
      continue;
    }
    const id = BigInt(Math.floor(Math.random() * rows));
    if (used.has(id) || deleted.has(id)) continue;
    used.add(id);
    if (r < 0.3) {
      deleted.add(id);
      out.push(change('delete', id, null));
    } else out.push(change('upsert', id, { id, amount: -id, note: 'updated' }));
  }
  return out;
}

/** CPU time this thread has run, ns (Linux schedstat; 0 elsewhere): unlike wall time, not inflated by other processes. */
function threadCpuNs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}

/** Ids of this process's threads (Linux; empty elsewhere). */
function threadIds(): Set<string> {
  try {
    return new Set(readdirSync('/proc/self/task'));
  } catch {
    return new Set();
  }
}

/** CPU time the threads `tids` have run, ns (Linux schedstat; threads gone since count 0). */
function threadsCpuNs(tids: readonly string[]): number {
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // exited
    }
  }
  return ns;
}

/**
 * CPU time of `tids` once they stop using CPU (≤ 0.5 ms over 1.5 s, e.g. the index thread has
 * persisted all: the window is longer than the thread holds updates back, 1 s), ns.
 */
async function idleCpuNs(tids: readonly string[]): Promise<number> {
  let last = threadsCpuNs(tids);
  for (;;) {
    await sleep(1500);
    const now = threadsCpuNs(tids);
    if (now - last <= 500_000) return now;
    last = now;
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A built table: its id, files and index path, and its setup timings for the report. */
interface Built {
  readonly id: TableIdentifier;
  readonly rows: number;
  readonly files: readonly DataFile[];
  readonly indexPath: string;
  readonly setup: string;
}

/** Writes the table, fills its index from the known layout, times 10 k raw index lookups. */
async function build(dir: string, catalog: Catalog, io: LocalFileIO, rows: number): Promise<Built> {
  const id: TableIdentifier = { namespace: ['bench'], name: `t${rows}` };
  await catalog.createTable(id, { schema, properties: { 'write.target-file-size-bytes': String(2 ** 40) } });
  let t0 = performance.now();
  const files = await fillTable(catalog, io, id, rows);
  const writeS = (performance.now() - t0) / 1000;
  const table = await catalog.loadTable(id);
  const indexPath = join(dir, `t${rows}.index.sqlite`);
  const indexMs = fillIndex(indexPath, table.metadata.tableUuid, table.metadata.currentSnapshotId!, files);
  const identity = rowIdentity(currentSchema(table.metadata));
  const probe = KeyIndex.open(indexPath, identity, table.metadata.tableUuid);
  const keys = Array.from({ length: BATCH }, () => encodeKey(identity, { id: BigInt(Math.floor(Math.random() * rows)) }, 'bench'));
  t0 = performance.now();
  const found = probe.lookup(keys).size;
  const lookupMs = performance.now() - t0;
  probe.close();
  const setup = `rows=${rows} files=${files.length} write_s=${writeS.toFixed(1)} index_fill_s=${(indexMs / 1000).toFixed(1)} lookup_10k_ms=${lookupMs.toFixed(0)} (found ${found})`;
  return { id, rows, files, indexPath, setup };
}

/** Applies BATCHES random batches with a key cache of `cacheEntries`; the median batch ms. */
async function measure(catalog: Catalog, io: LocalFileIO, built: Built, cacheEntries: number): Promise<number> {
  const { id, rows, indexPath } = built;
  const identity = rowIdentity(currentSchema((await catalog.loadTable(id)).metadata));
  let t0 = 0;
  const heapBefore = heapUsed();
  const tidsBefore = threadIds();
  const applier = await openTableApplier({ catalog, io, id, indexPath, cacheEntries });
  const indexThreads = [...threadIds()].filter((t) => !tidsBefore.has(t));
  const cacheBytes = (heapUsed() - heapBefore) / Math.max(1, applier.warmed.entries);
  if (applier.opened.mode !== 'current') throw new Error(`bench: index not current after fill (${applier.opened.mode})`);
  const fresh = { next: BigInt(rows) };
  const deleted = new Set<bigint>();
  const times: number[] = [];
  const phases: string[] = [];
  const perChange = { collapse: [] as number[], locate: [] as number[], index: [] as number[], cpu: [] as number[] };
  const indexCpu0 = await idleCpuNs(indexThreads);
  let changed = 0;
  for (let b = 0; b < BATCHES; b += 1) {
    const changes = randomBatch(rows, fresh, deleted);
    t0 = performance.now();
    collapseBatch(changes, identity, 'bench');
    perChange.collapse.push(((performance.now() - t0) * 1000) / changes.length);
    t0 = performance.now();
    const cpu0 = threadCpuNs();
    const r = await applier.apply(changes);
    changed += changes.length;
    perChange.cpu.push((threadCpuNs() - cpu0) / 1000 / changes.length);
    times.push(performance.now() - t0);
    perChange.locate.push((r.phases.locate * 1000) / changes.length);
    perChange.index.push((r.phases.index * 1000) / changes.length);
    phases.push(Object.entries(r.phases).map(([k, v]) => `${k}=${v.toFixed(0)}`).join(' '));
  }
  const indexThreadUs = ((await idleCpuNs(indexThreads)) - indexCpu0) / 1000 / changed;
  t0 = performance.now();
  await applier.close();
  const closeMs = performance.now() - t0;
  const ms = median(times);
  // the minimum too: on a shared machine it is the least disturbed batch
  const us = (xs: number[]): string => `${median(xs).toFixed(1)} [${Math.min(...xs).toFixed(1)}]`;
  console.log(
    `${built.setup} cache=${cacheEntries} warm: ${applier.warmed.entries} entries complete=${applier.warmed.complete} ` +
      `${(applier.warmed.ms / 1000).toFixed(1)} s ${applier.warmed.entries === 0 ? '-' : cacheBytes.toFixed(0)} B/entry\n` +
      `  apply_10k_ms=[${times.map((t) => t.toFixed(0)).join(', ')}] median=${ms.toFixed(0)} phases_ms=[${phases.join('; ')}] close_ms=${closeMs.toFixed(0)}\n` +
      `  main thread per change, median [min]: locate_us=${us(perChange.locate)} (collapse_us=${us(perChange.collapse)}) index_us=${us(perChange.index)} ` +
      `whole apply main-thread cpu_us=${us(perChange.cpu)}\n` +
      `  index thread cpu_us per change persisted=${indexThreadUs.toFixed(2)} (${indexThreads.length} thread(s), ${changed} changes)`,
  );
  return ms;
}

async function main(): Promise<void> {
  const small = Number(process.argv[2] ?? 1_000_000);
  const large = Number(process.argv[3] ?? 20_000_000);
  const dir = await mkdtemp(join(tmpdir(), 'floe-bench-merge-'));
  const io = new LocalFileIO();
  const catalog = await SqlCatalog.open({ name: 'bench', driver: new SqliteDriver(join(dir, 'catalog.db')), warehouse: `file://${join(dir, 'warehouse')}`, io });
  try {
    await catalog.createNamespace(['bench']);
    const tables = [await build(dir, catalog, io, small), await build(dir, catalog, io, large)];
    // The same mechanism at both sizes: a key cache that holds the larger table (sync.keyCacheEntries
    // sized to the table, ~42 B a key), then no cache at all (every key through the SQLite index).
    // With the default 2 M entries the small table would be all cache hits and the large one all
    // index lookups: that compares the two mechanisms, not the table sizes.
    const [a, b] = [await measure(catalog, io, tables[0]!, large), await measure(catalog, io, tables[1]!, large)];
    const [c, d] = [await measure(catalog, io, tables[0]!, 0), await measure(catalog, io, tables[1]!, 0)];
    console.log(
      `bench:apply-merge merge_1m_ms=${a.toFixed(0)} merge_20m_ms=${b.toFixed(0)} merge_20m_over_1m=${(b / a).toFixed(2)} ` +
        `uncached_merge_1m_ms=${c.toFixed(0)} uncached_merge_20m_ms=${d.toFixed(0)} uncached_merge_20m_over_1m=${(d / c).toFixed(2)}`,
    );
  } finally {
    await catalog.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
