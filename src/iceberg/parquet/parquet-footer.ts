/**
 * The Parquet footer (FileMetaData, Thrift Compact) of files written by the flat encoder:
 * the schema elements exactly as parquet-schema.ts builds them (field ids, converted and
 * logical types), row groups with column chunk metadata and statistics, key-value metadata
 * (`iceberg.schema`), and a TypeDefinedOrder per leaf so readers trust min/max.
 */
import type { SchemaElement } from 'hyparquet-writer';
import { ByteBuffer } from './byte-buffer.ts';
import { CODEC_IDS, type PageCodec } from './page-compressors.ts';
import { CT, CompactWriter } from './thrift-compact.ts';

const TYPES = ['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY'];
const REPETITIONS = ['REQUIRED', 'OPTIONAL', 'REPEATED'];
const CONVERTED = [
  'UTF8', 'MAP', 'MAP_KEY_VALUE', 'LIST', 'ENUM', 'DECIMAL', 'DATE', 'TIME_MILLIS', 'TIME_MICROS', 'TIMESTAMP_MILLIS',
  'TIMESTAMP_MICROS', 'UINT_8', 'UINT_16', 'UINT_32', 'UINT_64', 'INT_8', 'INT_16', 'INT_32', 'INT_64', 'JSON', 'BSON', 'INTERVAL',
];
/** Logical types without parameters -> their field id in the LogicalType union. */
const EMPTY_LOGICAL: Readonly<Record<string, number>> = { STRING: 1, MAP: 2, LIST: 3, ENUM: 4, DATE: 6, JSON: 12, BSON: 13, UUID: 14 };
const TIME_UNITS: Readonly<Record<string, number>> = { MILLIS: 1, MICROS: 2, NANOS: 3 };
const ENCODING = { PLAIN: 0, RLE: 3 } as const;

/** One column chunk as the footer describes it (offsets absolute in the file, sizes in bytes). */
export interface ChunkMeta {
  readonly type: string; // physical type name
  readonly path: readonly string[];
  readonly optional: boolean;
  readonly numValues: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  readonly dataPageOffset: number;
  readonly nullCount: number;
  /** Statistics bytes of the bounds, absent when unknown or too long to keep. */
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
}

/** One row group: its chunks in leaf order. */
export interface RowGroupMeta {
  readonly numRows: number;
  readonly fileOffset: number;
  readonly totalCompressedSize: number;
  readonly chunks: readonly ChunkMeta[];
}

function enumIndex(table: readonly string[], name: string, what: string): number {
  const i = table.indexOf(name);
  if (i < 0) throw new Error(`parquet footer: unknown ${what} ${name}`);
  return i;
}

function logicalType(w: CompactWriter, lt: SchemaElement['logical_type']): void {
  if (!lt) return;
  w.begin(10);
  const empty = EMPTY_LOGICAL[lt.type];
  if (empty !== undefined) w.begin(empty).end();
  else if (lt.type === 'DECIMAL') w.begin(5).i32(1, lt.scale).i32(2, lt.precision).end();
  else if (lt.type === 'TIME' || lt.type === 'TIMESTAMP') {
    w.begin(lt.type === 'TIME' ? 7 : 8).bool(1, lt.isAdjustedToUTC);
    w.begin(2).begin(TIME_UNITS[lt.unit]).end().end();
    w.end();
  } else throw new Error(`parquet footer: logical type ${lt.type} not supported by the flat encoder`);
  w.end();
}

function schemaElement(w: CompactWriter, e: SchemaElement): void {
  w.begin()
    .i32(1, e.type === undefined ? undefined : enumIndex(TYPES, e.type, 'type'))
    .i32(2, e.type_length)
    .i32(3, e.repetition_type === undefined ? undefined : enumIndex(REPETITIONS, e.repetition_type, 'repetition'))
    .string(4, e.name)
    .i32(5, e.num_children)
    .i32(6, e.converted_type === undefined ? undefined : enumIndex(CONVERTED, e.converted_type, 'converted type'))
    .i32(7, e.scale)
    .i32(8, e.precision)
    .i32(9, e.field_id);
  logicalType(w, e.logical_type);
  w.end();
}

function columnChunk(w: CompactWriter, c: ChunkMeta, codec: PageCodec): void {
  w.begin().i64(2, c.dataPageOffset).begin(3);
  w.i32(1, enumIndex(TYPES, c.type, 'type')).i32List(2, c.optional ? [ENCODING.PLAIN, ENCODING.RLE] : [ENCODING.PLAIN]);
  w.stringList(3, c.path).i32(4, CODEC_IDS[codec]).i64(5, c.numValues).i64(6, c.uncompressedSize).i64(7, c.compressedSize);
  w.i64(9, c.dataPageOffset);
  w.begin(12).i64(3, c.nullCount).binary(5, c.max).binary(6, c.min).end();
  w.end().end();
}

/** The footer bytes: FileMetaData, its 4-byte LE length and the closing `PAR1`. */
export function encodeFooter(
  schema: readonly SchemaElement[],
  rowGroups: readonly RowGroupMeta[],
  codec: PageCodec,
  kvMetadata: readonly { key: string; value: string }[],
  createdBy: string,
): Uint8Array {
  const out = new ByteBuffer(4096);
  const w = new CompactWriter(out);
  const numRows = rowGroups.reduce((n, rg) => n + rg.numRows, 0);
  w.begin().i32(1, 1);
  w.list(2, CT.STRUCT, schema.length);
  for (const e of schema) schemaElement(w, e);
  w.i64(3, numRows);
  w.list(4, CT.STRUCT, rowGroups.length);
  for (const rg of rowGroups) {
    w.begin().list(1, CT.STRUCT, rg.chunks.length);
    for (const c of rg.chunks) columnChunk(w, c, codec);
    const uncompressed = rg.chunks.reduce((n, c) => n + c.uncompressedSize, 0);
    w.i64(2, uncompressed).i64(3, rg.numRows).i64(5, rg.fileOffset).i64(6, rg.totalCompressedSize).end();
  }
  w.list(5, CT.STRUCT, kvMetadata.length);
  for (const kv of kvMetadata) w.begin().string(1, kv.key).string(2, kv.value).end();
  w.string(6, createdBy);
  const leaves = schema.filter((e) => e.type !== undefined).length;
  w.list(7, CT.STRUCT, leaves);
  for (let i = 0; i < leaves; i++) w.begin().begin(1).end().end(); // ColumnOrder { TYPE_ORDER: {} }
  w.end();
  const len = out.pos;
  out.ensure(8);
  out.view.setUint32(out.pos, len, true);
  out.bytes.write('PAR1', out.pos + 4, 'latin1');
  out.pos += 8;
  return out.copy();
}
