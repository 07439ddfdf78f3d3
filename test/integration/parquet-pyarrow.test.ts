/**
 * floe's Parquet files checked by an independent reader: pyarrow (from FLOE_PYTHON, set by
 * scripts/env.sh) reads a data file and a position delete file written by floe, and reports
 * each column's PARQUET:field_id (nested ones included), Arrow type and values as JSON.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LocalFileIO } from '../../src/io/local-file-io.ts';
import { createDataFileWriter } from '../../src/iceberg/parquet/data-file-writer.ts';
import { writePositionDeleteFile } from '../../src/iceberg/parquet/position-delete-writer.ts';
import { ALL_PRIMITIVES_ROWS, ALL_PRIMITIVES_SCHEMA, ALL_TYPES_ROWS, ALL_TYPES_SCHEMA } from '../../src/iceberg/parquet/test-tables.ts';

const run = promisify(execFile);
const PY = `
import json, sys, math, decimal, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
def ids(field, out):
    md = field.metadata or {}
    out[field.name] = int(md[b'PARQUET:field_id']) if b'PARQUET:field_id' in md else None
    typ = field.type
    kids = []
    if hasattr(typ, 'key_field'): kids = [typ.key_field, typ.item_field]
    elif hasattr(typ, 'value_field'): kids = [typ.value_field]
    elif hasattr(typ, 'num_fields'): kids = [typ.field(i) for i in range(typ.num_fields)]
    for k in kids:
        md2 = k.metadata or {}
        out[field.name + '.' + k.name] = int(md2[b'PARQUET:field_id']) if b'PARQUET:field_id' in md2 else None
def enc(v):
    if v is None: return None
    if isinstance(v, float):
        return 'NaN' if math.isnan(v) else ('-0' if v == 0 and math.copysign(1, v) < 0 else repr(v))
    if isinstance(v, decimal.Decimal): return str(v)
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53: return str(v)
    if isinstance(v, bytes): return v.hex()
    if isinstance(v, dict): return {k: enc(x) for k, x in v.items()}
    if isinstance(v, list): return [enc(x) for x in v]
    if isinstance(v, tuple): return [enc(x) for x in v]
    if hasattr(v, 'isoformat'): return v.isoformat()
    return v if isinstance(v, (int, str, bool)) else str(v)
fids = {}
for f in t.schema: ids(f, fids)
print(json.dumps({'ids': fids, 'types': {f.name: str(f.type) for f in t.schema}, 'rows': [enc(r) for r in t.to_pylist()]}))
`;

interface PyOut {
  ids: Record<string, number | null>;
  types: Record<string, string>;
  rows: Record<string, unknown>[];
}

async function pyarrowRead(path: string): Promise<PyOut> {
  const python = process.env['FLOE_PYTHON'];
  if (!python) throw new Error('FLOE_PYTHON is not set: run through `npm test` (scripts/env.sh sets it)');
  const { stdout } = await run(python, ['-c', PY, path], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as PyOut;
}

let dir: string;
const io = new LocalFileIO();
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-pq-pyarrow-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('pyarrow reads floe data files: field ids on every node, exact types and values', async () => {
  const w = createDataFileWriter({ io, schema: ALL_TYPES_SCHEMA, locationFor: () => join(dir, 'all.parquet') });
  await w.writeRows(ALL_TYPES_ROWS);
  const [file] = await w.complete();
  const out = await pyarrowRead(file!.filePath);
  for (const f of ALL_TYPES_SCHEMA.fields) assert.equal(out.ids[f.name], f.id, `field id of ${f.name}`);
  assert.equal(out.ids['tags.element'], 27);
  assert.equal(out.ids['pts.element'], 24);
  assert.equal(out.ids['m.key'], 29);
  assert.equal(out.ids['m.value'], 30);
  assert.equal(out.ids['st.x'], 21);
  assert.deepEqual(
    [out.types['dec38'], out.types['ts'], out.types['tstz'], out.types['tod'], out.types['day'], out.types['f']],
    ['decimal128(38, 10)', 'timestamp[us]', 'timestamp[us, tz=UTC]', 'time64[us]', 'date32[day]', 'float'],
  );
  const [lo, hi, odd] = out.rows;
  assert.equal(lo!['dec38'], '-9999999999999999999999999999.9999999999');
  assert.equal(hi!['dec38'], '9999999999999999999999999999.9999999999');
  assert.equal(lo!['d'], '-0');
  assert.equal(odd!['d'], 'NaN');
  assert.equal(lo!['day'], '0001-01-01');
  assert.equal(hi!['day'], '9999-12-31');
  assert.equal(hi!['ts'], '9999-12-31T23:59:59.999999');
  assert.equal(odd!['tstz'], '2023-11-14T22:13:20.123456+00:00');
  assert.equal(hi!['tod'], '23:59:59.999999');
  assert.equal(hi!['s'], ALL_TYPES_ROWS[1]!['s']);
  assert.equal(odd!['u'], '123e4567-e89b-12d3-a456-426614174000');
  assert.equal(lo!['l'], '-9223372036854775808');
  assert.equal(hi!['l'], '9223372036854775807');
  assert.deepEqual(hi!['m'], [['k', 1], ['n', null]]);
  assert.deepEqual(hi!['pts'], [{ v: '1.5' }, null, { v: null }]);
  assert.equal(out.rows[3]!['s'], null);
});

const PY_STATS = `
import json, sys, pyarrow.parquet as pq
md = pq.ParquetFile(sys.argv[1]).metadata
out = []
for g in range(md.num_row_groups):
    for c in range(md.num_columns):
        col = md.row_group(g).column(c)
        s = col.statistics
        out.append({'col': col.path_in_schema, 'codec': col.compression, 'nulls': s.null_count if s is not None else None,
                    'min': str(s.min) if s is not None and s.has_min_max else None, 'max': str(s.max) if s is not None and s.has_min_max else None})
print(json.dumps(out))
`;

test('pyarrow reads files of the flat encoder (primitive schemas) exactly as those of hyparquet-writer, with statistics', async () => {
  const write = async (encoder: 'auto' | 'hyparquet', name: string) => {
    const w = createDataFileWriter({ io, schema: ALL_PRIMITIVES_SCHEMA, encoder, locationFor: () => join(dir, name) });
    await w.writeRows(ALL_PRIMITIVES_ROWS);
    return (await w.complete())[0]!.filePath;
  };
  const flat = await pyarrowRead(await write('auto', 'flat.parquet'));
  const hyp = await pyarrowRead(await write('hyparquet', 'hyp.parquet'));
  assert.deepEqual(flat, hyp);
  assert.equal(flat.ids['dec38'], 9);
  assert.equal(flat.rows[0]!['d'], '-0');
  const python = process.env['FLOE_PYTHON']!;
  const { stdout } = await run(python, ['-c', PY_STATS, join(dir, 'flat.parquet')]);
  const stats = JSON.parse(stdout) as { col: string; codec: string; nulls: number; min: string | null; max: string | null }[];
  const by = (c: string) => stats.find((s) => s.col === c)!;
  assert.ok(stats.every((s) => s.codec === 'ZSTD'));
  assert.deepEqual(by('i'), { col: 'i', codec: 'ZSTD', nulls: 1, min: '-2147483648', max: '2147483647' });
  assert.deepEqual([by('l').min, by('l').max], ['-9223372036854775808', '9223372036854775807']);
  assert.deepEqual([by('d').min, by('d').max, by('d').nulls], ['-0.0', '1.7976931348623157e+308', 1]);
  assert.deepEqual([by('dec38').min, by('dec38').max], ['-9999999999999999999999999999.9999999999', '9999999999999999999999999999.9999999999']);
  assert.deepEqual([by('s').min, by('s').max], ['', ALL_PRIMITIVES_ROWS[1]!['s']]);
  assert.deepEqual([by('ts').min, by('day').max], ['0001-01-01 00:00:00', '9999-12-31']);
});

test('pyarrow reads floe position delete files with the reserved field ids', async () => {
  const path = join(dir, 'deletes.parquet');
  await writePositionDeleteFile({ io, path }, [{ filePath: 'file:///b.parquet', pos: 2n }, { filePath: 'file:///a.parquet', pos: 9n }]);
  const out = await pyarrowRead(path);
  assert.deepEqual(out.ids, { file_path: 2147483546, pos: 2147483545 });
  assert.deepEqual(out.rows, [{ file_path: 'file:///a.parquet', pos: 9 }, { file_path: 'file:///b.parquet', pos: 2 }]);
});
