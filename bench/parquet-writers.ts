/**
 * Compares Parquet writers on 1 M rows x 8 mixed columns of floe's plain values (ColumnBatch):
 * hyparquet-writer (ZSTD via zstd-napi, or built-in SNAPPY), @duckdb/node-api (data chunks ->
 * appender -> COPY TO parquet with FIELD_IDS), and floe's data-file writer (Iceberg metrics) on
 * hyparquet-writer (`floe-hyparquet-zstd`, what nested schemas use) or on floe's own flat encoder
 * (`floe-zstd`, `floe-snappy`, `floe-none`). Each variant runs in its own child process, twice,
 * so peak RSS is its own (CPU includes loading the modules, ~0.3 s). BENCH_VARIANTS=a,b picks some.
 *
 *   node --import tsx bench/parquet-writers.ts [rows]
 *
 * Rows arrive in 128 Ki-row batches (one row group each) as a streaming loader would hand them over;
 * the time to generate them is measured and subtracted. Prints wall and CPU seconds, rows/s,
 * file MB and peak RSS growth per run, and each variant's ratios to the fastest and leanest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColumnBatch, IcebergValue } from '../src/iceberg/spec/types.ts';
import { BENCH_SCHEMA, benchBatch } from './support/mixed-rows.ts';

const VARIANTS = ['hyparquet-zstd', 'hyparquet-snappy', 'duckdb-zstd', 'floe-hyparquet-zstd', 'floe-zstd', 'floe-snappy', 'floe-none'] as const;
type Variant = (typeof VARIANTS)[number];
interface Measure {
  secs: number;
  cpuSecs: number;
  bytes: number;
  rssMb: number;
}

/** Rows per batch handed to a writer, as a streaming loader would; also the row group size. */
const BATCH_ROWS = 131_072;

/** A writer under test: `write` each batch, then `end` (returns the file's local path). */
interface Sink {
  write(batch: ColumnBatch): Promise<void>;
  end(): Promise<string>;
}

async function hyparquetSink(path: string, codec: 'ZSTD' | 'SNAPPY'): Promise<Sink> {
  const { ByteWriter, ParquetWriter } = await import('hyparquet-writer');
  const { compress } = await import('zstd-napi');
  const { parquetSchema } = await import('../src/iceberg/parquet/parquet-schema.ts');
  const writer = new ByteWriter();
  const pq = new ParquetWriter({
    writer,
    schema: parquetSchema(BENCH_SCHEMA),
    codec,
    compressors: { ZSTD: (b: Uint8Array) => compress(b, { compressionLevel: 1 }) },
  });
  return {
    async write(batch) {
      const columnData = BENCH_SCHEMA.fields.map((f, i) => ({ name: f.name, data: batch.columns[i] as unknown[] }));
      await pq.write({ columnData, rowGroupSize: batch.numRows });
    },
    async end() {
      await pq.finish();
      writeFileSync(path, writer.getBytes());
      return path;
    },
  };
}

async function duckdbSink(path: string): Promise<Sink> {
  const d = await import('@duckdb/node-api');
  const db = await d.DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(
    'CREATE TABLE t (id BIGINT NOT NULL, qty INTEGER, price DOUBLE, amount DECIMAL(18,2), name VARCHAR, ' +
      'created TIMESTAMPTZ, day DATE, active BOOLEAN)',
  );
  const app = await con.createAppender('t');
  const types = [d.BIGINT, d.INTEGER, d.DOUBLE, d.DECIMAL(18, 2), d.VARCHAR, d.TIMESTAMPTZ, d.DATE, d.BOOLEAN];
  const wrap: ((v: IcebergValue) => unknown)[] = [
    (v) => v,
    (v) => v,
    (v) => v,
    (v) => (v === null ? null : new d.DuckDBDecimalValue(v as bigint, 18, 2)),
    (v) => v,
    (v) => (v === null ? null : new d.DuckDBTimestampTZValue(v as bigint)),
    (v) => (v === null ? null : new d.DuckDBDateValue(v as number)),
    (v) => v,
  ];
  const chunkRows = 2048; // DuckDB's vector size: the most one data chunk holds
  return {
    async write(batch) {
      for (let start = 0; start < batch.numRows; start += chunkRows) {
        const n = Math.min(chunkRows, batch.numRows - start);
        const chunk = d.DuckDBDataChunk.create(types, n);
        batch.columns.forEach((col, c) => {
          const w = wrap[c]!;
          const vals = new Array(n);
          for (let i = 0; i < n; i++) vals[i] = w(col[start + i]!);
          chunk.setColumnValues(c, vals as never);
        });
        app.appendDataChunk(chunk);
      }
    },
    async end() {
      app.closeSync();
      const ids = BENCH_SCHEMA.fields.map((f) => `${f.name}: ${f.id}`).join(', ');
      await con.run(`COPY t TO '${path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${BATCH_ROWS}, FIELD_IDS {${ids}})`);
      con.closeSync();
      return path;
    },
  };
}

async function floeSink(path: string, codec: 'zstd' | 'snappy' | 'uncompressed', encoder: 'auto' | 'hyparquet'): Promise<Sink> {
  const { createDataFileWriter } = await import('../src/iceberg/parquet/data-file-writer.ts');
  const { LocalFileIO } = await import('../src/io/local-file-io.ts');
  const w = createDataFileWriter({
    io: new LocalFileIO(),
    schema: BENCH_SCHEMA,
    locationFor: () => path,
    targetFileSizeBytes: 512 << 20,
    rowGroupRows: BATCH_ROWS,
    codec,
    encoder,
  });
  return {
    write: (batch) => w.write(batch),
    async end() {
      return (await w.complete())[0]!.filePath;
    },
  };
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Streams `rows` rows in BATCH_ROWS batches through one variant; generation time is excluded. */
async function child(variant: Variant, rows: number, dir: string): Promise<void> {
  const path = join(dir, `${variant}.parquet`);
  const baseRssMb = process.memoryUsage().rss / 1048576;
  const c0 = cpuNow();
  const t0 = performance.now();
  let genSecs = 0;
  let genCpu = 0;
  const sink =
    variant === 'hyparquet-zstd'
      ? await hyparquetSink(path, 'ZSTD')
      : variant === 'hyparquet-snappy'
        ? await hyparquetSink(path, 'SNAPPY')
        : variant === 'duckdb-zstd'
          ? await duckdbSink(path)
          : variant === 'floe-hyparquet-zstd'
            ? await floeSink(path, 'zstd', 'hyparquet')
            : await floeSink(path, variant === 'floe-zstd' ? 'zstd' : variant === 'floe-snappy' ? 'snappy' : 'uncompressed', 'auto');
  for (let from = 0; from < rows; from += BATCH_ROWS) {
    const g0 = performance.now();
    const gc0 = cpuNow();
    const batch = benchBatch(Math.min(BATCH_ROWS, rows - from), from);
    genSecs += (performance.now() - g0) / 1000;
    genCpu += cpuNow() - gc0;
    await sink.write(batch);
  }
  const out = await sink.end();
  const secs = (performance.now() - t0) / 1000 - genSecs;
  const cpuSecs = cpuNow() - c0 - genCpu;
  const bytes = statSync(out.replace(/^file:\/\//, '')).size;
  const rssMb = process.resourceUsage().maxRSS / 1024 - baseRssMb;
  process.stdout.write(JSON.stringify({ variant, secs, cpuSecs, bytes, rssMb }) + '\n');
}

async function main(): Promise<void> {
  const [, , first, second, third] = process.argv;
  if (first === '--child') return child(second as Variant, Number(third), process.env.BENCH_DIR!);
  const rows = Number(first ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-'));
  const self = fileURLToPath(import.meta.url);
  const only = process.env.BENCH_VARIANTS?.split(',') ?? VARIANTS;
  const best = new Map<string, Measure>();
  try {
    for (let run = 0; run < 2; run++) {
      for (const v of VARIANTS.filter((x) => only.includes(x))) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', v, String(rows)], {
          env: { ...process.env, BENCH_DIR: dir },
          encoding: 'utf8',
        });
        if (r.status !== 0) {
          console.log(`${v}: failed\n${r.stderr}`);
          continue;
        }
        const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as Measure;
        console.log(
          `run ${run + 1} ${v.padEnd(17)} ${m.secs.toFixed(2)} s wall  ${m.cpuSecs.toFixed(2)} s cpu  ` +
            `${(rows / m.secs / 1e6).toFixed(2)} M rows/s  ${(m.bytes / 1e6).toFixed(1)} MB  ` +
            `peak RSS +${m.rssMb.toFixed(0)} MB`,
        );
        const prev = best.get(v);
        if (!prev || m.secs < prev.secs) best.set(v, m);
      }
    }
    const fastest = Math.min(...[...best.values()].map((m) => m.secs));
    const leanest = Math.min(...[...best.values()].map((m) => m.cpuSecs));
    console.log(`\nbest of 2, ${rows} rows x 8 columns (ratios against the fastest / the least CPU):`);
    for (const [v, m] of best) {
      console.log(`  ${v.padEnd(17)} wall x${(m.secs / fastest).toFixed(2)}  cpu x${(m.cpuSecs / leanest).toFixed(2)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
