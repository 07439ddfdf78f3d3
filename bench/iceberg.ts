/**
 * bench:iceberg — what Iceberg metadata costs next to the data itself. Writes N mixed-type
 * rows (default 5 M) through floe's Iceberg write path (data files with Iceberg metrics, rolled
 * at the table's target size, manifest, manifest list, catalog commit) and, in the same run, the
 * same rows as one plain Parquet file with the same encoder (floe's flat Parquet writer, ZSTD,
 * same row groups) and nothing else; alternating, best of two each. Row generation is timed and
 * subtracted from both. Last line:
 *   bench:iceberg rows_per_s=<n> parquet_rows_per_s=<n> ratio=<iceberg/parquet> peak_rss_mib=<n>
 *
 *   npm run bench:iceberg [-- rows]
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlCatalog } from '../src/catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../src/catalog/sql/sqlite-driver.ts';
import { LocalFileIO } from '../src/io/local-file-io.ts';
import { FlatParquetFileWriter } from '../src/iceberg/parquet/flat-parquet-file-writer.ts';
import { parquetSchema } from '../src/iceberg/parquet/parquet-schema.ts';
import type { ColumnBatch } from '../src/iceberg/spec/types.ts';
import { commitChange } from '../src/iceberg/table/snapshot-producer.ts';
import { tableDataWriter } from '../src/iceberg/table/table-writer.ts';
import { BENCH_SCHEMA, benchBatch } from './support/mixed-rows.ts';

const BATCH_ROWS = 131_072;

/** Streams `rows` generated rows into `sink`; returns seconds spent outside generation. */
async function timed(rows: number, sink: (batch: ColumnBatch) => Promise<void>, finish: () => Promise<void>): Promise<number> {
  let genMs = 0;
  const t0 = performance.now();
  for (let from = 0; from < rows; from += BATCH_ROWS) {
    const g0 = performance.now();
    const batch = benchBatch(Math.min(BATCH_ROWS, rows - from), from);
    genMs += performance.now() - g0;
    await sink(batch);
  }
  await finish();
  return (performance.now() - t0 - genMs) / 1000;
}

async function plainParquet(rows: number, path: string): Promise<number> {
  const file = new FlatParquetFileWriter({
    path,
    out: await new LocalFileIO().openOutput(path),
    fields: BENCH_SCHEMA.fields,
    schema: parquetSchema(BENCH_SCHEMA),
    codec: 'zstd',
    rowGroupRows: BATCH_ROWS,
  });
  return timed(
    rows,
    (batch) => file.append(batch, 0, batch.numRows),
    async () => {
      await file.finish();
    },
  );
}

async function iceberg(rows: number, dir: string): Promise<number> {
  const io = new LocalFileIO();
  await mkdir(dir, { recursive: true });
  const catalog = await SqlCatalog.open({ name: 'bench', driver: new SqliteDriver(join(dir, 'catalog.db')), warehouse: `file://${dir}/warehouse`, io });
  try {
    await catalog.createNamespace(['bench']);
    const id = { namespace: ['bench'], name: 'mixed' };
    const created = await catalog.createTable(id, { schema: BENCH_SCHEMA, properties: { 'write.target-file-size-bytes': String(128 << 20) } });
    const writer = tableDataWriter(io, created.metadata);
    return await timed(
      rows,
      (batch) => writer.write(batch),
      async () => {
        const files = await writer.complete();
        await commitChange(catalog, io, id, { addedFiles: files });
      },
    );
  } finally {
    await catalog.close();
  }
}

const rows = Number(process.argv[2] ?? 5_000_000);
const dir = await mkdtemp(join(tmpdir(), 'floe-bench-iceberg-'));
try {
  // Alternating, best of two each: neither side pays the JIT warm-up alone.
  let parquetSecs = Infinity;
  let icebergSecs = Infinity;
  for (let round = 0; round < 2; round += 1) {
    parquetSecs = Math.min(parquetSecs, await plainParquet(rows, join(dir, `plain-${round}.parquet`)));
    icebergSecs = Math.min(icebergSecs, await iceberg(rows, join(dir, `round-${round}`)));
  }
  const rowsPerS = rows / icebergSecs;
  const parquetRowsPerS = rows / parquetSecs;
  const peakRssMib = process.resourceUsage().maxRSS / 1024;
  console.log(`best of 2: plain parquet ${parquetSecs.toFixed(2)} s, iceberg ${icebergSecs.toFixed(2)} s (${rows} rows x ${BENCH_SCHEMA.fields.length} columns)`);
  console.log(
    `bench:iceberg rows_per_s=${Math.round(rowsPerS)} parquet_rows_per_s=${Math.round(parquetRowsPerS)} ratio=${(rowsPerS / parquetRowsPerS).toFixed(3)} peak_rss_mib=${Math.round(peakRssMib)}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
