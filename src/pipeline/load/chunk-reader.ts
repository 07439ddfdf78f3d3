/**
 * Reads one chunk into Parquet data files: import the load's snapshot, stream the chunk's
 * binary COPY through the decoder into a rolling data file writer, commit nothing (the main
 * thread commits). Runs inside a worker thread; everything it needs arrives as plain data.
 */
import { randomUUID } from 'node:crypto';
import { CorruptFileError } from '../../core/errors.ts';
import type pg from 'pg';
import { createDataFileWriter } from '../../iceberg/parquet/data-file-writer.ts';
import type { ParquetCodec } from '../../iceberg/parquet/parquet-file-writer.ts';
import { partitionPath } from '../../iceberg/spec/transforms.ts';
import type { DataFile, PartitionSpec, Schema } from '../../iceberg/spec/types.ts';
import { fileIOFor } from '../../io/registry.ts';
import { BinaryCopyDecoder } from '../../sources/postgres/binary-copy-decoder.ts';
import type { PgConnectOptions } from '../../sources/postgres/connection.ts';
import { CopyOutQuery } from '../../sources/postgres/copy-out-query.ts';
import { typedColumnCodecs } from '../../sources/postgres/pg-typed-codecs.ts';
import type { PgTable } from '../../sources/postgres/pg-table.ts';
import { importSnapshotSql } from '../../sources/postgres/snapshot.ts';
import { columnDecoders, type MappedColumn, type MappingOptions } from '../../sources/postgres/type-mapping.ts';

/** One chunk to read, as plain (structured-clonable) data. */
export interface ChunkTask {
  readonly sourceName: string;
  readonly connect: PgConnectOptions;
  readonly snapshotName: string;
  readonly copySql: string;
  /** Names the chunk in errors, e.g. `sales.orders chunk 00003`. */
  readonly label: string;
  readonly decode: {
    readonly table: PgTable;
    readonly columns: readonly MappedColumn[];
    readonly options: MappingOptions;
    readonly batchRows: number; // rows per decoded batch handed to the writer
  };
  readonly write: {
    readonly schema: Schema; // the Iceberg table's current schema (its field ids)
    readonly spec: PartitionSpec;
    readonly dataDir: string; // URI of the table's data directory
    readonly filePrefix: string; // start of every file name, e.g. `<loadId>-00003`
    readonly targetFileSizeBytes: number;
    readonly rowGroupRows: number;
    readonly codec: ParquetCodec;
  };
  /** Test hook: pause this long after importing the snapshot, before reading. */
  readonly delayMs: number;
}

/** What a chunk produced, with where its time went (ms). */
export interface ChunkOutput {
  readonly files: DataFile[];
  readonly rows: number;
  readonly bytes: number; // Parquet bytes written
  readonly sourceBytes: number; // COPY bytes received
  readonly ms: { readonly total: number; readonly decode: number; readonly encode: number; readonly wait: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads `task` on `client` (a dedicated connection); on failure rolls back and deletes the files it started. */
export async function readChunk(client: pg.Client, task: ChunkTask): Promise<ChunkOutput> {
  const t0 = performance.now();
  const { write, decode } = task;
  const io = fileIOFor(write.dataDir);
  const started: string[] = [];
  const writer = createDataFileWriter({
    io,
    schema: write.schema,
    spec: write.spec,
    locationFor: (partition) => {
      const dir = write.spec.fields.length === 0 ? write.dataDir : `${write.dataDir}/${partitionPath(write.spec, write.schema, partition)}`;
      const path = `${dir}/${write.filePrefix}-${randomUUID()}.parquet`;
      started.push(path);
      return path;
    },
    targetFileSizeBytes: write.targetFileSizeBytes,
    rowGroupRows: write.rowGroupRows,
    codec: write.codec,
  });
  let decodeMs = 0;
  let encodeMs = 0;
  let sourceBytes = 0;
  try {
    for (const sql of importSnapshotSql(task.snapshotName)) await client.query(sql);
    if (task.delayMs > 0) await sleep(task.delayMs);
    // typed columns: fixed-width values in typed arrays, encoded by the flat Parquet writer without boxing
    const typed = typedColumnCodecs(decode.table, decode.columns, decode.options);
    const decoder = new BinaryCopyDecoder(columnDecoders(decode.table, decode.columns, decode.options), task.label, typed);
    const copy = client.query(new CopyOutQuery(task.copySql, task.label));
    for await (const bytes of copy) {
      const d0 = performance.now();
      sourceBytes += bytes.length;
      decoder.push(bytes);
      const d1 = performance.now();
      decodeMs += d1 - d0;
      if (decoder.bufferedRows >= decode.batchRows) {
        await writer.write(decoder.takeBatch());
        encodeMs += performance.now() - d1;
      }
    }
    decoder.end();
    if (copy.rowCount !== undefined && copy.rowCount !== decoder.rowCount) {
      throw new CorruptFileError(`postgres binary COPY of ${task.label}: decoded ${decoder.rowCount} row(s), PostgreSQL sent ${copy.rowCount}`);
    }
    const e0 = performance.now();
    if (decoder.bufferedRows > 0) await writer.write(decoder.takeBatch());
    const files = await writer.complete();
    encodeMs += performance.now() - e0;
    await client.query('COMMIT');
    const total = performance.now() - t0;
    const bytes = files.reduce((n, f) => n + f.fileSizeInBytes, 0);
    const wait = Math.max(0, total - decodeMs - encodeMs);
    return { files, rows: decoder.rowCount, bytes, sourceBytes, ms: { total, decode: decodeMs, encode: encodeMs, wait } };
  } catch (error) {
    await writer.abort().catch(() => undefined);
    await Promise.all(started.map((p) => io.delete(p).catch(() => undefined)));
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
