/**
 * bench:iceberg — what Iceberg metadata costs next to the data itself. Writes N mixed-type
 * rows (default 5 M) through floe's Iceberg write path (data files with metrics, manifest,
 * manifest list, catalog commit) and, in the same run, the same rows as one plain Parquet file
 * with the same writer (hyparquet-writer, ZSTD, same row groups). Row generation is timed and
 * subtracted from both. Last line:
 *   bench:iceberg rows_per_s=<n> parquet_rows_per_s=<n> ratio=<iceberg/parquet> peak_rss_mib=<n>
 *
 *   npm run bench:iceberg [-- rows]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { compress } from 'zstd-napi';
import { SqlCatalog } from '../src/catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../src/catalog/sql/sqlite-driver.ts';
import { LocalFileIO } from '../src/io/local-file-io.ts';
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
  const writer = new ByteWriter();
  const pq = new ParquetWriter({
    writer,
    schema: parquetSchema(BENCH_SCHEMA),
    codec: 'ZSTD',
    compressors: { ZSTD: (b: Uint8Array) => compress(b, { compressionLevel: 1 }) },
  });
  return timed(
    rows,
    async (batch) => {
      const columnData = BENCH_SCHEMA.fields.map((f, i) => ({ name: f.name, data: batch.columns[i] as unknown[] }));
      await pq.write({ columnData, rowGroupSize: batch.numRows });
    },
    async () => {
      await pq.finish();
      await writeFile(path, writer.getBytes());
    },
  );
}

async function iceberg(rows: number, dir: string): Promise<number> {
  const io = new LocalFileIO();
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
  const parquetSecs = await plainParquet(rows, join(dir, 'plain.parquet'));
  const icebergSecs = await iceberg(rows, dir);
  const rowsPerS = rows / icebergSecs;
  const parquetRowsPerS = rows / parquetSecs;
  const peakRssMib = process.resourceUsage().maxRSS / 1024;
  console.log(`plain parquet: ${parquetSecs.toFixed(2)} s; iceberg: ${icebergSecs.toFixed(2)} s (${rows} rows x ${BENCH_SCHEMA.fields.length} columns)`);
  console.log(
    `bench:iceberg rows_per_s=${Math.round(rowsPerS)} parquet_rows_per_s=${Math.round(parquetRowsPerS)} ratio=${(rowsPerS / parquetRowsPerS).toFixed(3)} peak_rss_mib=${Math.round(peakRssMib)}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
