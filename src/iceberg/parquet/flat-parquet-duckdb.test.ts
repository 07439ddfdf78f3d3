/**
 * A third reader: DuckDB (its own Parquet reader, C++) reads files of the flat encoder and
 * agrees on every value, the field ids and the row counts, also across pages and row groups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalFileIO } from '../../io/local-file-io.ts';
import type { Row, Schema } from '../spec/types.ts';
import { createDataFileWriter } from './data-file-writer.ts';
import type { ParquetCodec } from './parquet-file-writer.ts';
import { ALL_PRIMITIVES_ROWS, ALL_PRIMITIVES_SCHEMA } from './test-tables.ts';

async function writeLocal(dir: string, schema: Schema, rows: Row[], rowGroupRows?: number, codec: ParquetCodec = 'zstd'): Promise<string> {
  const path = join(dir, `f-${rows.length}-${codec}.parquet`);
  const w = createDataFileWriter({ io: new LocalFileIO(), schema, codec, locationFor: () => path, ...(rowGroupRows ? { rowGroupRows } : {}) });
  for (let i = 0; i < rows.length; i += 5000) await w.writeRows(rows.slice(i, i + 5000));
  const files = await w.complete();
  assert.equal(files.length, 1);
  return path;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    con.closeSync();
  }
}

/** Decimal text of an unscaled value, as DuckDB prints DECIMAL(p, s). */
function decimalText(v: bigint | null, scale: number): string | null {
  if (v === null) return null;
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${text}` : text;
}

const hex = (v: unknown): string | null => (v === null ? null : Buffer.from(v as Uint8Array).toString('hex').toUpperCase());

test('DuckDB reads every primitive type of a flat-encoded file exactly (zstd and snappy), with the Iceberg field ids', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-duckdb-'));
  try {
    for (const codec of ['zstd', 'snappy'] as const) await checkAllPrimitives(await writeLocal(dir, ALL_PRIMITIVES_SCHEMA, ALL_PRIMITIVES_ROWS, undefined, codec));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** DuckDB's values and field ids of a file of ALL_PRIMITIVES_ROWS equal what was written. */
async function checkAllPrimitives(path: string): Promise<void> {
  const got = await query(`SELECT id, b, i, l, f, d, dec9::VARCHAR AS dec9, dec18::VARCHAR AS dec18, dec38::VARCHAR AS dec38,
      (day - DATE '1970-01-01')::INTEGER AS day, epoch_us(DATE '1970-01-01' + tod) AS tod, epoch_us(ts) AS ts, epoch_us(tstz) AS tstz,
      s, u::VARCHAR AS u, hex(bin) AS bin, hex(fx) AS fx
    FROM read_parquet('${path}') ORDER BY id`);
  const expected: Record<string, unknown>[] = ALL_PRIMITIVES_ROWS.map((r) => ({
    ...r,
    dec9: decimalText(r.dec9 as bigint | null, 2),
    dec18: decimalText(r.dec18 as bigint | null, 0),
    dec38: decimalText(r.dec38 as bigint | null, 10),
    bin: hex(r.bin),
    fx: hex(r.fx),
  }));
  assert.deepEqual(got, expected);
  assert.ok(Object.is(got[0]!.d, -0) && Number.isNaN(got[2]!.f));
  const ids = await query(`SELECT name, field_id::INTEGER AS field_id FROM parquet_schema('${path}') WHERE field_id IS NOT NULL ORDER BY field_id`);
  assert.deepEqual(ids, ALL_PRIMITIVES_SCHEMA.fields.map((f) => ({ name: f.name, field_id: f.id })));
}

test('DuckDB agrees on counts, sums and footer statistics across pages and row groups', async () => {
  const schema: Schema = {
    schemaId: 0, identifierFieldIds: [], fields: [
      { id: 1, name: 'id', required: true, type: { type: 'long' } },
      { id: 2, name: 'q', required: false, type: { type: 'int' } },
      { id: 3, name: 'name', required: false, type: { type: 'string' } },
      { id: 4, name: 'ok', required: false, type: { type: 'boolean' } },
    ],
  };
  const rows: Row[] = Array.from({ length: 300_000 }, (_, i) => ({
    id: BigInt(i),
    q: i % 13 === 0 ? null : (i * 7919) % 100_000 - 50_000,
    name: i % 29 === 0 ? null : `name-${i % 5000}-${'é'.repeat(i % 3)}`,
    ok: i % 5 === 0 ? null : i % 2 === 0,
  }));
  const dir = await mkdtemp(join(tmpdir(), 'floe-duckdb-'));
  try {
    const path = await writeLocal(dir, schema, rows, 100_000);
    const [agg] = await query(`SELECT count(*)::INTEGER AS n, count(q)::INTEGER AS nq, sum(q)::BIGINT AS sq, sum(id)::BIGINT AS sid,
        count(name)::INTEGER AS nn, sum(length(name))::BIGINT AS ln, count_if(ok)::INTEGER AS t, count(ok)::INTEGER AS nok FROM read_parquet('${path}')`);
    const nonNull = <T>(k: string): T[] => rows.map((r) => r[k]).filter((v) => v !== null) as T[];
    assert.deepEqual(agg, {
      n: rows.length,
      nq: nonNull<number>('q').length,
      sq: BigInt(nonNull<number>('q').reduce((a, b) => a + b, 0)),
      sid: BigInt((rows.length * (rows.length - 1)) / 2),
      nn: nonNull<string>('name').length,
      ln: BigInt(nonNull<string>('name').reduce((a, s) => a + [...s].length, 0)),
      t: nonNull<boolean>('ok').filter((v) => v).length,
      nok: nonNull<boolean>('ok').length,
    });
    const stats = await query(`SELECT row_group_id::INTEGER AS g, stats_min_value AS lo, stats_max_value AS hi, stats_null_count::INTEGER AS nulls
      FROM parquet_metadata('${path}') WHERE path_in_schema = 'q' ORDER BY g`);
    assert.equal(stats.length, 3);
    stats.forEach((s, g) => {
      const qs = rows.slice(g * 100_000, (g + 1) * 100_000).map((r) => r.q);
      const vals = qs.filter((v): v is number => v !== null);
      assert.deepEqual(s, { g, lo: String(Math.min(...vals)), hi: String(Math.max(...vals)), nulls: qs.length - vals.length });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
