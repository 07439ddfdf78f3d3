/**
 * Column facts the relation decoder checks against a Relation message: each column's type OID
 * as pg_attribute stores it (domains not unwrapped, as pgoutput sends it) and, for arrays, the
 * element type's delimiter (`;` for box, else `,`).
 */
import type { Queryable } from '../../sources/postgres/introspector.ts';

/** Per column name: type OID and array element delimiter. */
export interface CatalogColumns {
  readonly typeOids: ReadonlyMap<string, number>;
  readonly delimiters: ReadonlyMap<string, string>;
}

/** Reads the live columns of relation `oid`. */
export async function catalogColumns(db: Queryable, oid: number): Promise<CatalogColumns> {
  const rows = (
    await db.query<{ attname: string; typid: string; delim: string | null }>(
      `SELECT a.attname, a.atttypid::int8::text AS typid, e.typdelim::text AS delim
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
         LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped`,
      [oid],
    )
  ).rows;
  return {
    typeOids: new Map(rows.map((r) => [r.attname, Number(r.typid)])),
    delimiters: new Map(rows.filter((r) => r.delim !== null).map((r) => [r.attname, r.delim!])),
  };
}
