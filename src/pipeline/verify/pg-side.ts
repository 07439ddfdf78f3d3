/**
 * The PostgreSQL side of verify: one READ ONLY, REPEATABLE READ transaction, so the checksums,
 * the bucket rows and the key values all see the same snapshot, whose position is reported.
 */
import type pg from 'pg';
import { ConfigError } from '../../core/errors.ts';
import { BUCKET_HEX_DIGITS, type BucketChecksum, type Checksums } from './checksum.ts';
import { VERIFY_SESSION_SQL } from './canonical-sql.ts';
import type { SourceKeyedRow } from './diff.ts';
import type { VerifyPlan } from './verify-plan.ts';
import { bucketRowsSql, checksumSql, keyValuesSql, POSITION_SQL } from './verify-sql.ts';

/** Where the source stood when verify read it. */
export interface SourcePosition {
  readonly snapshot: string; // pg_current_snapshot() text
  readonly lsn: string | null; // WAL insert position after the snapshot, pg_lsn text (replay position on a standby)
}

const names = (buckets: Iterable<number>): string[] => [...buckets].map((b) => b.toString(16).padStart(BUCKET_HEX_DIGITS, '0'));

/** A verify transaction on a connected client; `end` commits (read only) and must always run. */
export class PgVerifySession {
  private constructor(private readonly client: pg.ClientBase, readonly position: SourcePosition) {}

  /** Starts the transaction; ConfigError before PostgreSQL 14 (numeric extract and infinity are needed). */
  static async begin(client: pg.ClientBase): Promise<PgVerifySession> {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      for (const sql of VERIFY_SESSION_SQL) await client.query(sql);
      const { rows } = await client.query<{ snapshot: string; lsn: string | null; version: number }>(POSITION_SQL);
      const row = rows[0]!;
      if (row.version < 140000) throw new ConfigError(`verify needs PostgreSQL 14 or later; the source runs ${row.version}`);
      return new PgVerifySession(client, { snapshot: row.snapshot, lsn: row.lsn });
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async rows(text: string, values: unknown[] = []): Promise<string[][]> {
    const result = await this.client.query<string[]>({ text, values, rowMode: 'array' });
    return result.rows;
  }

  /** Per-bucket checksums of the source table. */
  async checksums(plan: VerifyPlan): Promise<Checksums> {
    const out = new Map<number, BucketChecksum>();
    for (const r of await this.rows(checksumSql(plan))) {
      const columns = plan.columns.map((_, i) => ({ nonNull: BigInt(r[3 + 2 * i]!), sum: BigInt(r[4 + 2 * i]!) }));
      out.set(parseInt(r[0]!, 16), { rows: BigInt(r[1]!), rowSum: BigInt(r[2]!), columns });
    }
    return out;
  }

  /** Keyed rows (key text, row md5, column md5s) of the given buckets. */
  async keyedRows(plan: VerifyPlan, buckets: Iterable<number>): Promise<SourceKeyedRow[]> {
    const rows = await this.rows(bucketRowsSql(plan), [names(buckets)]);
    return rows.map((r) => ({ key: r[0]!, rowMd5: r[1]!, columnMd5s: r.slice(2) }));
  }

  /** Keyless rows (row text, row md5) of the given buckets. */
  async keylessRows(plan: VerifyPlan, buckets: Iterable<number>): Promise<{ rowText: string; rowMd5: string }[]> {
    const rows = await this.rows(bucketRowsSql(plan), [names(buckets)]);
    return rows.map((r) => ({ rowText: r[0]!, rowMd5: r[1]! }));
  }

  /** Canonical texts (cut to maxChars + 1) of the given keys, which lie in the given buckets. */
  async keyValues(plan: VerifyPlan, buckets: Iterable<number>, keys: readonly string[], maxChars: number): Promise<Map<string, (string | null)[]>> {
    if (keys.length === 0) return new Map();
    const rows = await this.rows(keyValuesSql(plan, maxChars), [names(buckets), keys]);
    return new Map(rows.map((r) => [r[0]!, r.slice(1)]));
  }

  /** Ends the transaction (nothing was written). */
  async end(): Promise<void> {
    await this.client.query('COMMIT');
  }
}
