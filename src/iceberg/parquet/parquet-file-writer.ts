/**
 * One Parquet file being written: buffers columns until a row group is full, encodes it with
 * hyparquet-writer and streams the bytes to a FileIO OutputFile, so memory stays about one
 * row group. Pure JS on plain values: runs the same in a worker thread.
 */
import type { ColumnSource } from 'hyparquet-writer';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet-writer';
import { compress as zstdCompress } from 'zstd-napi';
import { BadEventError } from '../../core/errors.ts';
import type { OutputFile } from '../../io/file-io.ts';
import type { ColumnBatch, IcebergValue, NestedField } from '../spec/types.ts';
import { findBadValue } from './value-check.ts';

/** Codec names floe accepts -> Parquet codec. */
const CODECS = { zstd: 'ZSTD', snappy: 'SNAPPY', uncompressed: 'UNCOMPRESSED' } as const;
export type ParquetCodec = keyof typeof CODECS;

/** zstd level 3 is Iceberg's (and zstd's) default; level 1 measured ~same size here, faster. */
const ZSTD_LEVEL = 1;
const COMPRESSORS = { ZSTD: (b: Uint8Array): Uint8Array => zstdCompress(b, { compressionLevel: ZSTD_LEVEL }) };

/** A ByteWriter whose flush hands the bytes so far to an OutputFile and reuses its buffer. */
class StreamingByteWriter extends ByteWriter {
  constructor(private readonly out: OutputFile) {
    super(1 << 20);
  }
  flush(): Promise<void> {
    const chunk = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    return this.out.write(chunk);
  }
  override finish(): Promise<void> {
    return this.flush();
  }
}

/** Options of one file. */
export interface ParquetFileOptions {
  readonly path: string;
  readonly out: OutputFile;
  readonly fields: readonly NestedField[];
  readonly schema: SchemaElement[];
  readonly codec: ParquetCodec;
  readonly rowGroupRows: number;
  readonly kvMetadata?: { key: string; value: string }[];
}

/** An open Parquet file: `append` columns, then `finish` (footer, publish) or `abort`. */
export class ParquetFileWriter {
  private readonly pq: ParquetWriter;
  private readonly writer: StreamingByteWriter;
  private pending: IcebergValue[][];
  private pendingRows = 0;
  private rows = 0;

  constructor(private readonly opts: ParquetFileOptions) {
    this.writer = new StreamingByteWriter(opts.out);
    this.pq = new ParquetWriter({
      writer: this.writer,
      schema: opts.schema,
      codec: CODECS[opts.codec],
      compressors: COMPRESSORS,
      statisticsTruncateLength: 16,
      kvMetadata: opts.kvMetadata,
      createdBy: 'floe',
    });
    this.pending = opts.fields.map(() => []);
  }

  /** Bytes written or encoded so far (excluding rows still buffered and the footer). */
  get bytesWritten(): number {
    return this.writer.offset;
  }

  /** Rows appended so far, buffered or written. */
  get rowCount(): number {
    return this.rows;
  }

  /** Row groups written so far (hyparquet's in-memory metadata, statistics as JS values). */
  get rowGroups(): ParquetWriter['row_groups'] {
    return this.pq.row_groups;
  }

  /** Appends rows `[start, end)` of `batch`; writes a row group each time `rowGroupRows` fill. */
  async append(batch: ColumnBatch, start = 0, end = batch.numRows): Promise<void> {
    let at = start;
    while (at < end) {
      const take = Math.min(end - at, this.opts.rowGroupRows - this.pendingRows);
      for (let c = 0; c < this.pending.length; c++) {
        const src = batch.columns[c] as IcebergValue[];
        if (this.pendingRows === 0) {
          this.pending[c] = at === 0 && take === src.length ? src : src.slice(at, at + take);
          continue;
        }
        const dst = this.pending[c]!;
        for (let i = at; i < at + take; i++) dst.push(src[i] as IcebergValue);
      }
      this.pendingRows += take;
      this.rows += take;
      at += take;
      if (this.pendingRows >= this.opts.rowGroupRows) await this.flushRowGroup();
    }
  }

  /** Encodes the buffered rows as one row group and streams it out. */
  async flushRowGroup(): Promise<void> {
    if (this.pendingRows === 0) return;
    const columns = this.pending;
    this.pending = this.opts.fields.map(() => []);
    const n = this.pendingRows;
    this.pendingRows = 0;
    const columnData: ColumnSource[] = this.opts.fields.map((f, i) => ({ name: f.name, data: columns[i]! }));
    try {
      await this.pq.write({ columnData, rowGroupSize: n });
    } catch (err) {
      const bad = findBadValue(this.opts.fields, columns, n);
      const where = bad ?? 'a value hyparquet-writer rejected';
      throw new BadEventError(`parquet file ${this.opts.path}: cannot write ${where}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Writes the last row group and the footer, publishes the file; returns its length in bytes. */
  async finish(): Promise<number> {
    await this.flushRowGroup();
    await this.pq.finish();
    return this.opts.out.close();
  }

  /** Discards the partial file. */
  async abort(): Promise<void> {
    await this.opts.out.abort();
  }
}
