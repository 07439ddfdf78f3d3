import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import type { DataFile, Schema } from '../spec/types.ts';
import { newTableMetadata } from './metadata-updates.ts';
import { tableCodec, writePositionDeletes, writeRows } from './table-writer.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'name', required: false, type: { type: 'string' } },
  ],
};

/** The codec of every column chunk of `file`, as its Parquet footer says. */
async function codecsOf(io: MemoryFileIO, file: DataFile): Promise<string[]> {
  const bytes = await io.read(file.filePath);
  const md = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return [...new Set(md.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data!.codec)))];
}

describe('table codecs', () => {
  it('reads write.parquet.compression-codec, and write.delete.parquet.compression-codec for delete files', () => {
    assert.equal(tableCodec({}), 'zstd');
    assert.equal(tableCodec({ 'write.parquet.compression-codec': 'SNAPPY' }), 'snappy');
    assert.equal(tableCodec({ 'write.parquet.compression-codec': 'uncompressed' }, 'deletes'), 'uncompressed', 'deletes follow the data codec');
    assert.equal(tableCodec({ 'write.parquet.compression-codec': 'snappy', 'write.delete.parquet.compression-codec': 'zstd' }, 'deletes'), 'zstd');
    assert.equal(tableCodec({ 'write.parquet.compression-codec': 'brotli' }), 'zstd', 'a codec floe does not write falls back to zstd');
  });

  it('writes data and position delete files with the codecs the table asks for', async () => {
    const io = new MemoryFileIO();
    const properties = { 'write.parquet.compression-codec': 'snappy', 'write.delete.parquet.compression-codec': 'uncompressed' };
    const metadata = newTableMetadata({ schema, location: 'memory://wh/t', properties });
    const [data] = await writeRows(io, metadata, [{ id: 1n, name: 'a' }, { id: 2n, name: 'b' }]);
    assert.deepEqual(await codecsOf(io, data!), ['SNAPPY']);
    const [deletes] = await writePositionDeletes(io, metadata, [{ dataFile: data!, pos: 1 }]);
    assert.deepEqual(await codecsOf(io, deletes!), ['UNCOMPRESSED']);
  });
});
