/**
 * floe's own Parquet encoder for flat schemas (every top-level field a primitive), the bulk-load
 * hot path: each appended batch is encoded at once, column by column, straight from the batch
 * arrays into pages (ColumnChunkWriter), so neither rows nor JS values are kept; a full row
 * group goes to the OutputFile as one write. Same surface as ParquetFileWriter (hyparquet),
 * which stays the writer for nested schemas; `isFlatSchema` says which one applies.
 */
import { BadEventError } from '../../core/errors.ts';
import type { OutputFile } from '../../io/file-io.ts';
import type { ColumnBatch, IcebergValue, NestedField } from '../spec/types.ts';
import { ColumnChunkWriter } from './column-chunk-writer.ts';
import { leafCodec, type LeafCodec } from './leaf-codecs.ts';
import { pageCompressor, type PageCodec } from './page-compressors.ts';
import type { ParquetCodec } from './parquet-file-writer.ts';
import type { RowGroupStats } from './parquet-metrics.ts';
import { type ChunkMeta, encodeFooter, type RowGroupMeta } from './parquet-footer.ts';
import { primitiveElement } from './parquet-schema.ts';
import type { SchemaElement } from 'hyparquet-writer';
import { EncodeError } from './plain-encoders.ts';
import { isTypedBatch } from './typed-batch.ts';
import { typedEncoderFor } from './typed-encoders.ts';
import { findBadValue } from './value-check.ts';

const PAGE_CODECS: Readonly<Record<ParquetCodec, PageCodec>> = { zstd: 'ZSTD', snappy: 'SNAPPY', uncompressed: 'UNCOMPRESSED' };
/** Parquet's usual page size; shrunk for wide tables so all page buffers of a file stay near 32 MiB. */
const PAGE_BYTES = 1 << 20;
const PAGE_BUDGET = 32 << 20;
const MIN_PAGE_BYTES = 64 << 10;
/** BYTE_ARRAY bounds longer than this are left out of the footer (Iceberg's metrics keep their own). */
const MAX_STAT_BYTES = 64;
const MAGIC = Uint8Array.from([0x50, 0x41, 0x52, 0x31]); // PAR1

/** True when every top-level field is a primitive: the flat encoder can write the schema. */
export function isFlatSchema(fields: readonly NestedField[]): boolean {
  return fields.every((f) => f.type.type !== 'struct' && f.type.type !== 'list' && f.type.type !== 'map');
}

/** Options of one flat file (the same as ParquetFileWriter's). */
export interface FlatParquetFileOptions {
  readonly path: string;
  readonly out: OutputFile;
  readonly fields: readonly NestedField[];
  readonly schema: SchemaElement[];
  readonly codec: ParquetCodec;
  readonly rowGroupRows: number;
  readonly kvMetadata?: { key: string; value: string }[];
  /** Page size in bytes of values (default: 1 MiB, less for tables wider than 32 columns). */
  readonly pageBytes?: number;
}

interface Leaf {
  readonly field: NestedField;
  readonly codec: LeafCodec;
  readonly writer: ColumnChunkWriter;
  readonly type: string;
}

/** An open flat Parquet file: `append` batches, then `finish` (footer, publish) or `abort`. */
export class FlatParquetFileWriter {
  private readonly leaves: Leaf[];
  private readonly codec: PageCodec;
  private readonly groups: RowGroupMeta[] = [];
  private readonly stats: RowGroupStats[] = [];
  private offset = 0; // bytes handed to `out`
  private groupRows = 0;
  private rows = 0;

  constructor(private readonly opts: FlatParquetFileOptions) {
    if (!isFlatSchema(opts.fields)) throw new Error(`parquet file ${opts.path}: the flat encoder needs a schema of primitive columns`);
    this.codec = PAGE_CODECS[opts.codec];
    const compressor = pageCompressor(this.codec);
    const pageBytes = opts.pageBytes ?? Math.max(MIN_PAGE_BYTES, Math.min(PAGE_BYTES, Math.floor(PAGE_BUDGET / Math.max(1, opts.fields.length))));
    this.leaves = opts.fields.map((field) => {
      if (field.type.type === 'struct' || field.type.type === 'list' || field.type.type === 'map') throw new Error('unreachable');
      const codec = leafCodec(field.type);
      const type = primitiveElement(field.type).type ?? 'BYTE_ARRAY';
      return { field, codec, type, writer: new ColumnChunkWriter(codec, !field.required, compressor, pageBytes) };
    });
  }

  /** Bytes written or encoded so far (compressed pages of the open row group included; not the footer). */
  get bytesWritten(): number {
    let n = this.offset;
    for (const l of this.leaves) n += l.writer.bufferedBytes;
    return n;
  }

  /** Rows appended so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** Metadata of the row groups written so far, in the shape parquet-metrics.ts reads (bounds as Iceberg values). */
  get rowGroups(): readonly RowGroupStats[] {
    return this.stats;
  }

  /** Encodes rows `[start, end)` of `batch`, writing a row group each time `rowGroupRows` fill. After a failure the file can only be aborted. */
  async append(batch: ColumnBatch, start = 0, end = batch.numRows): Promise<void> {
    let at = start;
    while (at < end) {
      const take = Math.min(end - at, this.opts.rowGroupRows - this.groupRows);
      this.encode(batch, at, at + take);
      this.groupRows += take;
      this.rows += take;
      at += take;
      if (this.groupRows >= this.opts.rowGroupRows) await this.flushRowGroup();
    }
  }

  /** Typed columns (typed-batch.ts) whose kind fits the leaf are encoded from their words; the rest from values. */
  private encode(batch: ColumnBatch, from: number, to: number): void {
    const leaves = this.leaves;
    const typed = isTypedBatch(batch) ? batch : undefined;
    try {
      for (let c = 0; c < leaves.length; c++) {
        const leaf = leaves[c]!;
        const t = typed?.typed[c];
        const typedEncoder = t !== undefined && t.nulls.length >= to ? typedEncoderFor(t.kind, leaf.field.type) : undefined;
        if (typedEncoder !== undefined) {
          leaf.writer.writeTyped(t!, typedEncoder, from, to);
          continue;
        }
        const col = typed?.plain[c] ?? batch.columns[c];
        if (!col || col.length < to) throw new EncodeError(`column ${leaf.field.name}: ${col?.length ?? 0} values for ${to} rows`);
        leaf.writer.write(col as ArrayLike<IcebergValue>, from, to);
      }
    } catch (err) {
      if (!(err instanceof EncodeError) && !(err instanceof TypeError) && !(err instanceof RangeError)) throw err;
      const cols = batch.columns.map((col) => (col as IcebergValue[]).slice(from, to));
      const where = findBadValue(this.opts.fields, cols, to - from) ?? `a value the encoder rejected (${err.message})`;
      throw new BadEventError(`parquet file ${this.opts.path}: cannot write ${where}`, { cause: err });
    }
  }

  /** Writes the buffered rows as one row group. */
  async flushRowGroup(): Promise<void> {
    if (this.groupRows === 0) return;
    const first = this.offset === 0;
    const start = this.offset + (first ? MAGIC.length : 0);
    const finished = this.leaves.map((l) => l.writer.finishChunk());
    const total = finished.reduce((n, f) => n + f.bytes.length, first ? MAGIC.length : 0);
    const buf = new Uint8Array(total);
    if (first) buf.set(MAGIC, 0);
    let at = start;
    const chunks: ChunkMeta[] = [];
    const statsColumns: RowGroupStats['columns'][number][] = [];
    finished.forEach((f, c) => {
      const leaf = this.leaves[c]!;
      buf.set(f.bytes, at - this.offset);
      chunks.push(this.chunkMeta(leaf, f, at));
      const { nulls, nans, min, max } = f.stats;
      statsColumns.push({
        file_offset: BigInt(at),
        meta_data: {
          total_compressed_size: BigInt(f.bytes.length),
          num_values: BigInt(f.numValues),
          statistics: { min_value: min, max_value: max, null_count: BigInt(nulls), nan_count: BigInt(nans) },
        },
      });
      at += f.bytes.length;
    });
    this.groups.push({ numRows: this.groupRows, fileOffset: start, totalCompressedSize: at - start, chunks });
    this.stats.push({ columns: statsColumns });
    this.groupRows = 0;
    await this.opts.out.write(buf);
    this.offset += total;
  }

  private chunkMeta(leaf: Leaf, f: ReturnType<ColumnChunkWriter['finishChunk']>, at: number): ChunkMeta {
    let min = f.stats.min === undefined ? undefined : leaf.codec.statBytes(f.stats.min);
    let max = f.stats.max === undefined ? undefined : leaf.codec.statBytes(f.stats.max);
    if ((min?.length ?? 0) > MAX_STAT_BYTES || (max?.length ?? 0) > MAX_STAT_BYTES) min = max = undefined;
    return {
      type: leaf.type,
      path: [leaf.field.name],
      optional: !leaf.field.required,
      numValues: f.numValues,
      uncompressedSize: f.uncompressedSize,
      compressedSize: f.bytes.length,
      dataPageOffset: at,
      nullCount: f.stats.nulls,
      ...(min === undefined ? {} : { min }),
      ...(max === undefined ? {} : { max }),
    };
  }

  /** Writes the last row group and the footer, publishes the file; returns its length in bytes. */
  async finish(): Promise<number> {
    await this.flushRowGroup();
    const footer = encodeFooter(this.opts.schema, this.groups, this.codec, this.opts.kvMetadata ?? [], 'floe');
    if (this.offset === 0) {
      await this.opts.out.write(MAGIC.slice());
      this.offset = MAGIC.length;
    }
    await this.opts.out.write(footer);
    return this.opts.out.close();
  }

  /** Discards the partial file. */
  async abort(): Promise<void> {
    await this.opts.out.abort();
  }
}
