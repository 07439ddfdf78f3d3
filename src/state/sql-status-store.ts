/**
 * The StatusStore over SQL, shared by SQLite and PostgreSQL: each dialect only supplies a
 * StatusSql executor. Statements use `?` placeholders; every value is a parameter and every
 * identifier comes from the fixed column tables in status-records.ts. Updates are single
 * upserts (`INSERT … ON CONFLICT … DO UPDATE` of only the given columns), so concurrent writers
 * never lose each other's fields.
 */
import { hostname } from 'node:os';
import { NotFoundError } from '../core/errors.ts';
import {
  CHUNK_COLUMNS, TABLE_COLUMNS, chunkFromRow, definedFields, mergeChunk, mergeTable, newChunkRecord, newTableRecord, runFromRow,
  tableFromRow, type ChunkFields, type TableFields,
} from './status-records.ts';
import type { ChunkRecord, RunKind, RunRecord, RunState, StatusStore, TableRecord } from './status-store.ts';

/** What the shared store needs from a database connection. */
export interface StatusSql {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows of a statement (SELECT or … RETURNING); `?` placeholders bound in order. */
  all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs a statement; resolves to the number of rows changed. */
  run(sql: string, params: readonly unknown[]): Promise<number>;
  /** True when `err` is a foreign key violation (the run does not exist). */
  isForeignKeyViolation(err: unknown): boolean;
  close(): Promise<void>;
}

const q = (column: string): string => `"${column}"`;
const RECENT = `ORDER BY "started_ms" DESC, "seq" DESC`;

/** A StatusStore on a StatusSql executor (already migrated). */
export class SqlStatusStore implements StatusStore {
  readonly #sql: StatusSql;
  readonly #now: () => number;
  readonly #where: string;

  constructor(sql: StatusSql, where: string, now: () => number = Date.now) {
    this.#sql = sql;
    this.#where = where;
    this.#now = now;
  }

  /** ORDER BY text in code-unit order in both dialects. */
  get #collate(): string {
    return this.#sql.dialect === 'postgres' ? ' COLLATE "C"' : '';
  }

  /** The `seq` value of a new row: SQLite computes it, PostgreSQL's BIGSERIAL default does. */
  #seq(table: string): { column: string; value: string } | undefined {
    return this.#sql.dialect === 'sqlite' ? { column: ', "seq"', value: `, (SELECT COALESCE(MAX("seq"), 0) + 1 FROM ${table})` } : undefined;
  }

  async startRun(kind: RunKind, runId: string): Promise<RunRecord> {
    const seq = this.#seq('floe_runs');
    const rows = await this.#sql.all(
      `INSERT INTO floe_runs ("run_id", "kind", "state", "started_ms", "finished_ms", "host", "pid", "message"${seq?.column ?? ''})
       VALUES (?, ?, 'running', ?, NULL, ?, ?, NULL${seq?.value ?? ''})
       ON CONFLICT ("run_id") DO UPDATE SET "kind" = excluded."kind", "state" = 'running', "finished_ms" = NULL,
         "host" = excluded."host", "pid" = excluded."pid", "message" = NULL
       RETURNING *`,
      [runId, kind, this.#now(), hostname(), process.pid],
    );
    return runFromRow(rows[0]!);
  }

  async putRun(r: RunRecord): Promise<void> {
    const seq = this.#seq('floe_runs');
    await this.#sql.run(
      `INSERT INTO floe_runs ("run_id", "kind", "state", "started_ms", "finished_ms", "host", "pid", "message"${seq?.column ?? ''})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?${seq?.value ?? ''})
       ON CONFLICT ("run_id") DO UPDATE SET "kind" = excluded."kind", "state" = excluded."state", "started_ms" = excluded."started_ms",
         "finished_ms" = excluded."finished_ms", "host" = excluded."host", "pid" = excluded."pid", "message" = excluded."message"`,
      [r.runId, r.kind, r.state, r.startedMs, r.finishedMs, r.host, r.pid, r.message],
    );
  }

  async finishRun(runId: string, state: Exclude<RunState, 'running'>, message: string | null): Promise<void> {
    const changed = await this.#sql.run(`UPDATE floe_runs SET "state" = ?, "message" = ?, "finished_ms" = ? WHERE "run_id" = ?`, [state, message, this.#now(), runId]);
    if (changed === 0) throw new NotFoundError(`status store ${this.#where}: run ${runId} does not exist`);
  }

  async updateTable(runId: string, target: string, fields: TableFields): Promise<void> {
    const record = mergeTable(newTableRecord(runId, target), fields);
    await this.#upsert('floe_tables', TABLE_COLUMNS, record, ['runId', 'target'], Object.keys(definedFields(fields)), runId);
  }

  async updateChunk(runId: string, target: string, chunkId: string, fields: ChunkFields): Promise<void> {
    const record = mergeChunk(newChunkRecord(runId, target, chunkId), fields);
    await this.#upsert('floe_chunks', CHUNK_COLUMNS, record, ['runId', 'target', 'chunkId'], Object.keys(definedFields(fields)), runId);
  }

  /** INSERT the whole new-row `record`; on conflict with `keys`, SET only the `given` fields. */
  async #upsert<R extends object>(table: string, columns: Record<keyof R & string, string>, record: R, keys: (keyof R & string)[], given: string[], runId: string): Promise<void> {
    const names = Object.keys(columns) as (keyof R & string)[];
    const seq = this.#seq(table);
    const updates = given.filter((f) => !keys.includes(f as keyof R & string) && f in columns).map((f) => `${q(columns[f as keyof R & string])} = excluded.${q(columns[f as keyof R & string])}`);
    const sql =
      `INSERT INTO ${table} (${names.map((n) => q(columns[n])).join(', ')}${seq?.column ?? ''}) VALUES (${names.map(() => '?').join(', ')}${seq?.value ?? ''}) ` +
      `ON CONFLICT (${keys.map((k) => q(columns[k])).join(', ')}) DO ${updates.length === 0 ? 'NOTHING' : `UPDATE SET ${updates.join(', ')}`}`;
    try {
      await this.#sql.run(sql, names.map((n) => record[n]));
    } catch (err) {
      if (this.#sql.isForeignKeyViolation(err)) throw new NotFoundError(`status store ${this.#where}: run ${runId} does not exist`, { cause: err });
      throw err;
    }
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    const rows = await this.#sql.all(`SELECT * FROM floe_runs ${RECENT} LIMIT ?`, [Math.max(0, Math.trunc(limit))]);
    return rows.map(runFromRow);
  }

  async listTables(runId?: string): Promise<TableRecord[]> {
    const run = runId === undefined ? `(SELECT "run_id" FROM floe_runs ${RECENT} LIMIT 1)` : '?';
    const rows = await this.#sql.all(`SELECT * FROM floe_tables WHERE "run_id" = ${run} ORDER BY "target"${this.#collate}`, runId === undefined ? [] : [runId]);
    return rows.map(tableFromRow);
  }

  async latestTables(): Promise<TableRecord[]> {
    const rows = await this.#sql.all(
      `SELECT * FROM (
         SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t."target" ORDER BY r."started_ms" DESC, r."seq" DESC) AS floe_rank
         FROM floe_tables t JOIN floe_runs r ON r."run_id" = t."run_id") ranked
       WHERE floe_rank = 1 ORDER BY "target"${this.#collate}`,
      [],
    );
    return rows.map(tableFromRow);
  }

  async listChunks(runId: string, target: string): Promise<ChunkRecord[]> {
    const rows = await this.#sql.all(`SELECT * FROM floe_chunks WHERE "run_id" = ? AND "target" = ? ORDER BY "seq"`, [runId, target]);
    return rows.map(chunkFromRow);
  }

  async close(): Promise<void> {
    await this.#sql.close();
  }
}
