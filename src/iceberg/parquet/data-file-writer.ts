/**
 * Rolling, partition-fanout Parquet data file writer: the three methods of an Iceberg record
 * writer (`write`, `complete`, `abort`). Rows go to one open file per partition tuple; a file
 * is finished when it reaches `targetFileSizeBytes`, and the least recently written one is
 * finished when more than `maxOpenFiles` partitions are open. Input is plain values
 * (ColumnBatch), so it runs unchanged inside a worker thread.
 */
import { ConfigError } from '../../core/errors.ts';
import type { FileIO } from '../../io/file-io.ts';
import { schemaToJson } from '../spec/schema-json.ts';
import { partitionTuple } from '../spec/transforms.ts';
import type { ColumnBatch, DataFile, IcebergValue, PartitionSpec, PartitionTuple, Row, Schema } from '../spec/types.ts';
import { FlatParquetFileWriter, isFlatSchema } from './flat-parquet-file-writer.ts';
import { type ParquetCodec, ParquetFileWriter } from './parquet-file-writer.ts';
import { fileMetrics, type RowGroupStats } from './parquet-metrics.ts';
import { parquetLeaves, parquetSchema } from './parquet-schema.ts';

/** Options of `createDataFileWriter`; defaults in DEFAULTS. */
export interface DataFileWriterOptions {
  readonly io: FileIO;
  readonly schema: Schema;
  /** Absent or without fields: unpartitioned (spec id 0). */
  readonly spec?: PartitionSpec;
  /** A new, unique file URI for a file of `partition` (called once per file). */
  readonly locationFor: (partition: PartitionTuple) => string;
  readonly targetFileSizeBytes?: number;
  readonly rowGroupRows?: number;
  readonly codec?: ParquetCodec;
  readonly maxOpenFiles?: number;
  /**
   * `auto` (default): floe's flat encoder when every top-level field is a primitive (the usual
   * bulk-load table), hyparquet-writer otherwise (structs, lists, maps). `hyparquet` forces the
   * latter (comparisons, tests).
   */
  readonly encoder?: 'auto' | 'hyparquet';
}

const DEFAULTS = {
  targetFileSizeBytes: 512 * 1024 * 1024, // Iceberg's write.target-file-size-bytes
  rowGroupRows: 131_072, // bounds memory to one row group per open file
  codec: 'zstd' as ParquetCodec, // Iceberg's write.parquet.compression-codec
  maxOpenFiles: 32,
  encoder: 'auto' as 'auto' | 'hyparquet',
};

/** A record writer for data files. */
export interface DataFileWriter {
  /** Appends rows (columns in schema field order). Resolves when buffered or written (backpressure). */
  write(batch: ColumnBatch): Promise<void>;
  /** Appends rows given as objects keyed by top-level field name. */
  writeRows(rows: readonly Row[]): Promise<void>;
  /** Finishes every open file; returns all files written, in the order they were finished. */
  complete(): Promise<DataFile[]>;
  /** Discards every open file (finished files stay; the caller deletes them if needed). */
  abort(): Promise<void>;
}

/** What both Parquet file writers offer. */
interface ParquetFileSink {
  append(batch: ColumnBatch, start: number, end: number): Promise<void>;
  finish(): Promise<number>;
  abort(): Promise<void>;
  readonly bytesWritten: number;
  readonly rowCount: number;
  readonly rowGroups: readonly RowGroupStats[];
}

interface OpenFile {
  readonly path: string;
  readonly partition: PartitionTuple;
  readonly file: ParquetFileSink;
}

/** Stable grouping key of a partition tuple (bigints, bytes and strings kept apart). */
function tupleKey(t: PartitionTuple): string {
  return t
    .map((v) => (v instanceof Uint8Array ? `b${Buffer.from(v).toString('hex')}` : typeof v === 'bigint' ? `n${v}` : JSON.stringify(v)))
    .join('\u0000');
}

/** Transposes row objects into a ColumnBatch in the schema's top-level field order. */
export function rowsToBatch(schema: Pick<Schema, 'fields'>, rows: readonly Row[]): ColumnBatch {
  const n = rows.length;
  const columns = schema.fields.map((f) => {
    const name = f.name;
    const column = new Array<IcebergValue>(n);
    for (let i = 0; i < n; i++) column[i] = rows[i]![name] ?? null;
    return column;
  });
  return { numRows: n, columns };
}

/** Creates the rolling writer; nothing is opened until the first row arrives. */
export function createDataFileWriter(options: DataFileWriterOptions): DataFileWriter {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  if (!(o.rowGroupRows >= 1) || !(o.targetFileSizeBytes >= 1) || !(o.maxOpenFiles >= 1)) {
    throw new ConfigError(`parquet writer: rowGroupRows ${o.rowGroupRows}, targetFileSizeBytes ${o.targetFileSizeBytes} and maxOpenFiles ${o.maxOpenFiles} must be >= 1`);
  }
  const { io, schema } = o;
  const spec = o.spec && o.spec.fields.length > 0 ? o.spec : undefined;
  const pqSchema = parquetSchema(schema);
  const leaves = parquetLeaves(schema);
  const kvMetadata = [{ key: 'iceberg.schema', value: JSON.stringify(schemaToJson(schema)) }];
  const flat = o.encoder === 'auto' && isFlatSchema(schema.fields);
  const open = new Map<string, OpenFile>(); // insertion order = least recently written first
  const done: DataFile[] = [];

  async function openFile(partition: PartitionTuple): Promise<OpenFile> {
    const path = o.locationFor(partition);
    const out = await io.openOutput(path);
    const fileOptions = { path, out, fields: schema.fields, schema: pqSchema, codec: o.codec, rowGroupRows: o.rowGroupRows, kvMetadata };
    const file = flat ? new FlatParquetFileWriter(fileOptions) : new ParquetFileWriter(fileOptions);
    return { path, partition, file };
  }

  async function finish(f: OpenFile): Promise<void> {
    const size = await f.file.finish();
    done.push({
      content: 0,
      filePath: f.path,
      fileFormat: 'PARQUET',
      specId: spec?.specId ?? 0,
      partition: f.partition,
      recordCount: f.file.rowCount,
      fileSizeInBytes: size,
      ...fileMetrics(f.path, leaves, f.file.rowGroups),
    });
  }

  /** Writes rows [start, end) of `batch`, all of one partition, rolling files at the target size. */
  async function writeRange(key: string, partition: PartitionTuple, batch: ColumnBatch, start: number, end: number): Promise<void> {
    let f = open.get(key);
    if (f) open.delete(key); // re-inserted below: most recently written last
    else if (open.size >= o.maxOpenFiles) {
      const [oldKey, oldest] = open.entries().next().value as [string, OpenFile];
      open.delete(oldKey);
      await finish(oldest);
    }
    f ??= await openFile(partition);
    open.set(key, f);
    let at = start;
    while (at < end) {
      const n = Math.min(end - at, o.rowGroupRows);
      await f.file.append(batch, at, at + n);
      at += n;
      if (f.file.bytesWritten >= o.targetFileSizeBytes) {
        open.delete(key);
        await finish(f);
        if (at < end) {
          f = await openFile(partition);
          open.set(key, f);
        }
      }
    }
  }

  async function write(batch: ColumnBatch): Promise<void> {
    if (batch.numRows === 0) return;
    if (!spec) return writeRange('', [], batch, 0, batch.numRows);
    for (const [key, { partition, rows }] of groupByPartition(spec, schema, batch)) {
      await writeRange(key, partition, takeRows(batch, rows), 0, rows.length);
    }
  }

  return {
    write,
    writeRows: (rows) => write(rowsToBatch(schema, rows)),
    async complete() {
      for (const [key, f] of [...open]) {
        open.delete(key);
        await finish(f);
      }
      return [...done];
    },
    async abort() {
      const files = [...open.values()];
      open.clear();
      await Promise.all(files.map((f) => f.file.abort()));
    },
  };
}

/** Row indexes of `batch` grouped by partition tuple, in first-seen order. */
function groupByPartition(spec: PartitionSpec, schema: Schema, batch: ColumnBatch): Map<string, { partition: PartitionTuple; rows: number[] }> {
  const groups = new Map<string, { partition: PartitionTuple; rows: number[] }>();
  const names = schema.fields.map((f) => f.name);
  for (let r = 0; r < batch.numRows; r++) {
    const row: Record<string, IcebergValue> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = batch.columns[c]![r] ?? null;
    const partition = partitionTuple(spec, schema, row);
    const key = tupleKey(partition);
    const g = groups.get(key);
    if (g) g.rows.push(r);
    else groups.set(key, { partition, rows: [r] });
  }
  return groups;
}

function takeRows(batch: ColumnBatch, rows: readonly number[]): ColumnBatch {
  if (rows.length === batch.numRows) return batch;
  return { numRows: rows.length, columns: batch.columns.map((col) => rows.map((r) => col[r] ?? null)) };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
