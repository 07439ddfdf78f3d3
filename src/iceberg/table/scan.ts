/**
 * Table scans: rows of a snapshot with position deletes applied, exact values, chosen columns,
 * one row group at a time. Planning lives in scan-planner.ts.
 */
import type { FileIO } from '../../io/file-io.ts';
import { readDataFile, readPositionDeletes } from '../parquet/parquet-reader.ts';
import type { Row, Schema, TableMetadata } from '../spec/types.ts';
import { currentSchema } from './metadata-access.ts';
import { rowMatches, type Filter } from './predicate.ts';
import { liveFiles, planTasks, type FileScanTask } from './scan-planner.ts';


export interface ScanOptions {
  /** Defaults to the current snapshot of main. */
  readonly snapshotId?: bigint;
  /** Top-level column names to return; defaults to all. */
  readonly columns?: readonly string[];
  readonly filter?: Filter;
}

/** Deleted row positions of one data file, gathered from its candidate delete files. */
export async function deletedPositions(io: FileIO, task: FileScanTask): Promise<Set<number>> {
  const positions = new Set<number>();
  for (const deleteFile of task.deletes) {
    for (const d of await readPositionDeletes(io, deleteFile.filePath)) {
      if (d.filePath === task.dataFile.filePath) positions.add(Number(d.pos));
    }
  }
  return positions;
}

function project(schema: Schema, columns: readonly string[] | undefined): Schema {
  if (columns === undefined) return schema;
  const fields = columns.map((name) => {
    const field = schema.fields.find((f) => f.name === name);
    if (field === undefined) throw new Error(`iceberg scan: no column '${name}' in schema ${schema.schemaId}`);
    return field;
  });
  return { ...schema, fields };
}

/**
 * Rows of a snapshot, in batches (one row group at a time), with deletes applied. Rows carry
 * the requested columns plus any the filter needs; values follow the contract in spec/types.ts.
 */
export async function* scanRows(io: FileIO, metadata: TableMetadata, options: ScanOptions = {}): AsyncGenerator<Row[]> {
  const schema = currentSchema(metadata);
  const filter = options.filter ?? [];
  const wanted = options.columns === undefined ? undefined : [...new Set([...options.columns, ...filter.map((t) => t.field)])];
  const readSchema = project(schema, wanted);
  const tasks = planTasks(metadata, await liveFiles(io, metadata, options.snapshotId), filter);
  for (const task of tasks) {
    const deleted = await deletedPositions(io, task);
    for await (const batch of readDataFile(io, task.dataFile.filePath, readSchema)) {
      const rows: Row[] = [];
      batch.rows.forEach((row, i) => {
        if (!deleted.has(batch.firstRowPosition + i) && rowMatches(schema, filter, row)) rows.push(row);
      });
      if (rows.length > 0) yield rows;
    }
  }
}

/** Every matching row of a snapshot in memory: for tests, checks and small tables. */
export async function readAllRows(io: FileIO, metadata: TableMetadata, options: ScanOptions = {}): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of scanRows(io, metadata, options)) out.push(...batch);
  return out;
}

/** A live row and where it sits: what row-level deletes need. */
export interface LocatedRow {
  readonly row: Row;
  readonly position: { readonly dataFile: FileScanTask['dataFile']; readonly pos: number };
}

/** Every live row of a snapshot with its file and position (deleted positions skipped). */
export async function* scanRowsWithPositions(io: FileIO, metadata: TableMetadata, options: ScanOptions = {}): AsyncGenerator<LocatedRow[]> {
  const schema = project(currentSchema(metadata), options.columns);
  for (const task of planTasks(metadata, await liveFiles(io, metadata, options.snapshotId))) {
    const deleted = await deletedPositions(io, task);
    for await (const batch of readDataFile(io, task.dataFile.filePath, schema)) {
      const out: LocatedRow[] = [];
      batch.rows.forEach((row, i) => {
        const pos = batch.firstRowPosition + i;
        if (!deleted.has(pos)) out.push({ row, position: { dataFile: task.dataFile, pos } });
      });
      if (out.length > 0) yield out;
    }
  }
}
