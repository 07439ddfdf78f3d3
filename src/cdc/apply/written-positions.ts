/**
 * Where written rows landed: the data file writer keeps input order within each partition and
 * finishes a partition's files in order, so row i's file and position follow from the rows'
 * partition tuples and the files' record counts. Pure; checks the counts add up.
 */
import { partitionTuple } from '../../iceberg/spec/transforms.ts';
import type { DataFile, PartitionSpec, PartitionTuple, Row, Schema } from '../../iceberg/spec/types.ts';
import type { RowPosition } from '../../iceberg/table/table-writer.ts';

const tupleKey = (t: PartitionTuple): string =>
  JSON.stringify(t, (_k, v: unknown) => (typeof v === 'bigint' ? `n${v}` : v instanceof Uint8Array ? `b${Buffer.from(v).toString('hex')}` : v));

/** The position of each of `rows` (same order) in `files`, the files `writeRows` returned for them. */
export function writtenPositions(spec: PartitionSpec, schema: Schema, rows: readonly Row[], files: readonly DataFile[]): RowPosition[] {
  if (spec.fields.length === 0) return sequentialPositions(rows.length, files);
  const queues = new Map<string, DataFile[]>();
  for (const f of files) {
    const key = spec.fields.length === 0 ? '' : tupleKey(f.partition);
    const q = queues.get(key) ?? [];
    q.push(f);
    queues.set(key, q);
  }
  const cursor = new Map<string, { file: number; pos: number }>();
  const out: RowPosition[] = [];
  for (const row of rows) {
    const key = spec.fields.length === 0 ? '' : tupleKey(partitionTuple(spec, schema, row));
    const q = queues.get(key);
    const at = cursor.get(key) ?? { file: 0, pos: 0 };
    while (q !== undefined && at.file < q.length && at.pos >= q[at.file]!.recordCount) {
      at.file += 1;
      at.pos = 0;
    }
    const file = q?.[at.file];
    if (file === undefined) throw new Error(`written files hold fewer rows than were written (partition ${key || 'unpartitioned'})`);
    out.push({ dataFile: file, pos: at.pos });
    at.pos += 1;
    cursor.set(key, at);
  }
  const total = files.reduce((n, f) => n + f.recordCount, 0);
  if (total !== rows.length) throw new Error(`written files hold ${total} rows, ${rows.length} were written`);
  return out;
}

/** Unpartitioned: the files hold the rows in order, each file's `recordCount` of them. */
function sequentialPositions(rows: number, files: readonly DataFile[]): RowPosition[] {
  const out = new Array<RowPosition>(rows);
  let at = 0;
  for (const file of files) {
    const n = Math.min(file.recordCount, rows - at);
    for (let pos = 0; pos < n; pos++) out[at + pos] = { dataFile: file, pos };
    at += n;
  }
  if (at < rows) throw new Error('written files hold fewer rows than were written (partition unpartitioned)');
  const total = files.reduce((n, f) => n + f.recordCount, 0);
  if (total !== rows) throw new Error(`written files hold ${total} rows, ${rows} were written`);
  return out;
}
