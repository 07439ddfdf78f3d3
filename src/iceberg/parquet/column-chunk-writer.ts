/**
 * One flat column's chunk of the current row group, encoded as values arrive: PLAIN values
 * into a page buffer, definition levels beside them, statistics in the same pass. A page is
 * cut at `pageSize` bytes of values and written as DATA_PAGE_V2 (levels uncompressed, values
 * compressed: no copy to put levels before values) into the chunk buffer, so the JS values of
 * a batch die young and memory is one page plus the compressed chunk per column.
 */
import { ByteBuffer } from './byte-buffer.ts';
import type { LeafCodec } from './leaf-codecs.ts';
import type { PageCompressor } from './page-compressors.ts';
import type { ChunkStats } from './plain-encoders.ts';
import { encodeLevelRun, encodeLevels } from './rle-levels.ts';
import { packBooleans } from './plain-encoders.ts';
import type { IcebergValue } from '../spec/types.ts';
import { CompactWriter } from './thrift-compact.ts';
import type { TypedColumn } from './typed-batch.ts';
import type { TypedEncoder } from './typed-encoders.ts';

const DATA_PAGE_V2 = 3;
const PLAIN = 0;

/** A finished column chunk: its bytes (valid until the next write) and footer numbers. */
export interface FinishedChunk {
  readonly bytes: Uint8Array;
  readonly numValues: number;
  readonly uncompressedSize: number;
  readonly stats: Readonly<ChunkStats>;
}

/** Encodes one flat leaf column, row group by row group. */
export class ColumnChunkWriter {
  private readonly page: ByteBuffer;
  private readonly chunk = new ByteBuffer(16 * 1024);
  private readonly levelBytes = new ByteBuffer(1024);
  private readonly header = new ByteBuffer(64);
  private levels: Uint8Array | null;
  private pageRows = 0;
  private pageNulls = 0;
  private chunkRows = 0;
  private uncompressed = 0;
  private stats: ChunkStats = { nulls: 0, nans: 0, min: undefined, max: undefined };

  constructor(
    private readonly codec: LeafCodec,
    optional: boolean,
    private readonly compressor: PageCompressor,
    private readonly pageSize: number,
  ) {
    this.page = new ByteBuffer(16 * 1024); // grows to about pageSize: a file of few rows (partition fanout) stays small
    this.levels = optional ? new Uint8Array(8192) : null;
  }

  /** Compressed bytes of this row group's finished pages. */
  get bufferedBytes(): number {
    return this.chunk.pos;
  }

  /** Encodes `values[from, to)`; throws EncodeError (plain-encoders.ts) on a bad value. */
  write(values: ArrayLike<IcebergValue>, from: number, to: number): void {
    const encode = this.codec.encode;
    this.run(from, to, (at) => encode(values, at, to, this.page, this.levels, this.pageRows, this.stats, this.pageSize));
  }

  /** Encodes rows `[from, to)` of a typed column with the encoder typed-encoders.ts `typedEncoderFor` chose for this leaf. */
  writeTyped(col: TypedColumn, encode: TypedEncoder, from: number, to: number): void {
    this.run(from, to, (at) => encode(col, at, to, this.page, this.levels, this.pageRows, this.stats, this.pageSize));
  }

  /** Calls `step(at)` (encode from row `at`, return the next row) until `to`, cutting pages as they fill. */
  private run(from: number, to: number, step: (at: number) => number): void {
    let at = from;
    while (at < to) {
      if (this.levels !== null && this.levels.length < this.pageRows + (to - at)) {
        const grown = new Uint8Array(Math.max(this.levels.length * 2, this.pageRows + (to - at)));
        grown.set(this.levels.subarray(0, this.pageRows));
        this.levels = grown;
      }
      const nullsBefore = this.stats.nulls;
      const next = step(at);
      this.pageNulls += this.stats.nulls - nullsBefore;
      this.pageRows += next - at;
      this.chunkRows += next - at;
      at = next;
      if (this.page.pos >= this.pageSize) this.flushPage();
    }
  }

  /** Writes the buffered rows as one DATA_PAGE_V2. */
  private flushPage(): void {
    const rows = this.pageRows;
    if (rows === 0) return;
    const page = this.page;
    if (this.codec.packBits) page.pos = packBooleans(page.bytes, 0, page.pos);
    const lv = this.levelBytes;
    lv.reset();
    if (this.levels !== null) {
      if (this.pageNulls === 0 || this.pageNulls === rows) encodeLevelRun(rows, this.pageNulls === 0 ? 1 : 0, lv);
      else encodeLevels(this.levels, rows, lv);
    }
    const raw = page.bytes.subarray(0, page.pos);
    const packed = this.compressor.compress(raw);
    const h = this.header;
    h.reset();
    new CompactWriter(h)
      .begin()
      .i32(1, DATA_PAGE_V2)
      .i32(2, lv.pos + raw.length)
      .i32(3, lv.pos + packed.length)
      .begin(8)
      .i32(1, rows)
      .i32(2, this.pageNulls)
      .i32(3, rows)
      .i32(4, PLAIN)
      .i32(5, lv.pos)
      .i32(6, 0)
      .bool(7, this.compressor.codec !== 'UNCOMPRESSED')
      .end()
      .end();
    const c = this.chunk;
    c.ensure(h.pos + lv.pos + packed.length);
    c.bytes.set(h.bytes.subarray(0, h.pos), c.pos);
    c.bytes.set(lv.bytes.subarray(0, lv.pos), c.pos + h.pos);
    c.bytes.set(packed, c.pos + h.pos + lv.pos);
    c.pos += h.pos + lv.pos + packed.length;
    this.uncompressed += h.pos + lv.pos + raw.length;
    page.reset();
    this.pageRows = 0;
    this.pageNulls = 0;
  }

  /** Finishes the row group's chunk and starts the next one; the bytes stay valid until the next `write`. */
  finishChunk(): FinishedChunk {
    this.flushPage();
    const done: FinishedChunk = {
      bytes: this.chunk.bytes.subarray(0, this.chunk.pos),
      numValues: this.chunkRows,
      uncompressedSize: this.uncompressed,
      stats: this.stats,
    };
    this.chunk.reset();
    this.chunkRows = 0;
    this.uncompressed = 0;
    this.stats = { nulls: 0, nans: 0, min: undefined, max: undefined };
    return done;
  }
}
