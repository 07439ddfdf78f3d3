/**
 * Reads Iceberg Parquet files into exact in-memory values (spec/types.ts), one row group at a
 * time. hyparquet decodes pages and assembles nesting; its own conversions (µs timestamps to
 * millisecond Dates, decimals to floats, maps to string-keyed objects) are switched off by
 * stripping leaf and map annotations from a copy of the footer schema, and values are converted
 * here from the physical types instead. Columns are matched by field id, so renamed columns
 * read correctly and columns missing from an older file read as null.
 */
import type { AsyncBuffer, FileMetaData, SchemaElement, SchemaTree } from 'hyparquet';
import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors as fallbackCompressors } from 'hyparquet-compressors';
import { decompress as zstdDecompress } from 'zstd-napi';
import { CorruptFileError } from '../../core/errors.ts';
import type { FileIO } from '../../io/file-io.ts';
import {
  POSITION_DELETE_FILE_PATH_ID,
  POSITION_DELETE_POS_ID,
  type IcebergType,
  type IcebergValue,
  type NestedField,
  type Row,
  type Schema,
} from '../spec/types.ts';
import { convertPrimitive } from './parquet-values.ts';

const COMPRESSORS = { ...fallbackCompressors, ZSTD: (input: Uint8Array): Uint8Array => zstdDecompress(input) };

/** Options of `readDataFile`. */
export interface ReadDataFileOptions {
  /** Top-level field ids to read (default: every field of `schema`), in schema order. */
  readonly fieldIds?: readonly number[];
  /** Reads only the row groups this accepts (rows `firstRowPosition` .. + `numRows` - 1); default all. */
  readonly rowGroupFilter?: (firstRowPosition: number, numRows: number) => boolean;
}

/** Rows of one row group; `firstRowPosition` is the file position of `rows[0]` (for position deletes). */
export interface RowBatch {
  readonly rows: Row[];
  readonly firstRowPosition: number;
}

function asyncBuffer(io: FileIO, path: string, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end = byteLength) {
      const bytes = await io.readRange(path, start, end - start);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/** A copy of the footer whose leaves and maps carry no annotations, so hyparquet returns physical values. */
function physicalMetadata(md: FileMetaData): FileMetaData {
  const schema: SchemaElement[] = md.schema.map((e) => {
    if (e.type !== undefined || e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE' || e.logical_type?.type === 'MAP') {
      const { converted_type: _c, logical_type: _l, ...rest } = e;
      return rest;
    }
    return e;
  });
  return { ...md, schema };
}

const byId = (nodes: readonly SchemaTree[], id: number): SchemaTree | undefined => nodes.find((n) => n.element.field_id === id);

/** Converts an assembled raw value of file node `node` to the read type `t`. */
function convertValue(t: IcebergType, node: SchemaTree, raw: unknown, where: string): IcebergValue {
  if (raw === null || raw === undefined) return null;
  if (t.type === 'struct') return convertStruct(t.fields, node.children, raw as Record<string, unknown>, where);
  if (t.type === 'list') {
    const rep = node.children[0];
    if (!rep || !Array.isArray(raw)) throw new CorruptFileError(`${where}: expected a list`);
    // 3-level lists nest the element under the repeated group; legacy 2-level ones repeat it directly
    const elem = rep.children.length === 1 && rep.element.type === undefined && !rep.element.field_id ? rep.children[0]! : rep;
    return raw.map((v) => convertValue(t.element, elem, v, `${where}.element`));
  }
  if (t.type === 'map') {
    const rep = node.children[0];
    if (!rep) throw new CorruptFileError(`${where}: map group has no entries`);
    const keyNode = byId(rep.children, t.keyId) ?? rep.children[0];
    const valueNode = byId(rep.children, t.valueId) ?? rep.children[1];
    const entries = (raw as Record<string, unknown>)[rep.element.name];
    if (!keyNode || !valueNode || !Array.isArray(entries)) throw new CorruptFileError(`${where}: expected map entries`);
    const out = new Map<IcebergValue, IcebergValue>();
    for (const e of entries as Record<string, unknown>[]) {
      out.set(
        convertValue(t.key, keyNode, e[keyNode.element.name], `${where}.key`),
        convertValue(t.value, valueNode, e[valueNode.element.name], `${where}.value`),
      );
    }
    return out;
  }
  return convertPrimitive(t, node.element, raw, where);
}

function convertStruct(fields: readonly NestedField[], children: readonly SchemaTree[], raw: Record<string, unknown>, where: string): Row {
  const row: Record<string, IcebergValue> = {};
  for (const f of fields) {
    const child = byId(children, f.id);
    row[f.name] = child ? convertValue(f.type, child, raw[child.element.name], `${where}.${f.name}`) : null;
  }
  return row;
}

/**
 * Reads a data file row group by row group, as rows of `schema` (or its `fieldIds`). Values are
 * exact (bigint longs, µs timestamps, unscaled decimals); fields absent from the file are null.
 * Throws CorruptFileError naming the file when it is not Parquet or a value cannot be converted.
 */
export async function* readDataFile(io: FileIO, path: string, schema: Pick<Schema, 'fields'>, options: ReadDataFileOptions = {}): AsyncGenerator<RowBatch> {
  const fields = options.fieldIds ? schema.fields.filter((f) => options.fieldIds!.includes(f.id)) : schema.fields;
  const file = asyncBuffer(io, path, await io.length(path));
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw new CorruptFileError(`parquet file ${path}: cannot read footer: ${(err as Error).message}`, { cause: err });
  }
  const physical = physicalMetadata(metadata);
  const root = parquetSchema(metadata);
  const columns = fields.map((f) => byId(root.children, f.id)?.element.name).filter((n): n is string => n !== undefined);
  let firstRowPosition = 0;
  for (const rg of metadata.row_groups) {
    const n = Number(rg.num_rows);
    const rowStart = firstRowPosition;
    if (options.rowGroupFilter !== undefined && !options.rowGroupFilter(rowStart, n)) {
      firstRowPosition += n;
      continue;
    }
    let raw: Record<string, unknown>[];
    if (columns.length === 0) raw = Array.from({ length: n }, () => ({}));
    else {
      try {
        raw = await parquetReadObjects({ file, metadata: physical, columns, rowStart, rowEnd: rowStart + n, utf8: false, compressors: COMPRESSORS });
      } catch (err) {
        throw new CorruptFileError(`parquet file ${path}: cannot read rows ${rowStart}..${rowStart + n}: ${(err as Error).message}`, { cause: err });
      }
    }
    const rows = raw.map((r, i) => convertStruct(fields, root.children, r, `parquet file ${path} row ${rowStart + i}`));
    yield { rows, firstRowPosition: rowStart };
    firstRowPosition += n;
  }
}

/** The schema of position delete files (spec: reserved ids). */
export const POSITION_DELETE_SCHEMA: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: POSITION_DELETE_FILE_PATH_ID, name: 'file_path', required: true, type: { type: 'string' } },
    { id: POSITION_DELETE_POS_ID, name: 'pos', required: true, type: { type: 'long' } },
  ],
};

/** Every (file_path, pos) row of a position delete file, in file order. */
export async function readPositionDeletes(io: FileIO, path: string): Promise<{ filePath: string; pos: bigint }[]> {
  const out: { filePath: string; pos: bigint }[] = [];
  for await (const { rows } of readDataFile(io, path, POSITION_DELETE_SCHEMA)) {
    for (const r of rows) {
      if (typeof r.file_path !== 'string' || typeof r.pos !== 'bigint') {
        throw new CorruptFileError(`position delete file ${path}: row without file_path/pos: ${String(r.file_path)} ${String(r.pos)}`);
      }
      out.push({ filePath: r.file_path, pos: r.pos });
    }
  }
  return out;
}
