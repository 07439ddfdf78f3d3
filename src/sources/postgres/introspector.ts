/**
 * Schema discovery of one table from pg_catalog: columns (types with domains unwrapped, enum and
 * array element types, typmods), the PRIMARY KEY constraint's columns in key order, estimated
 * rows and size. Every query is parameterized; names are compared, never interpolated.
 */
import { NotFoundError } from '../../core/errors.ts';
import type { PgColumn, PgRelationKind, PgTable, PgType, PgTypeKind } from './pg-table.ts';

/** What the introspector needs from a client: `pg.Client`, `pg.Pool` and `pg.PoolClient` all fit. */
export interface Queryable {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

const RELATION_SQL = `
SELECT c.oid::int8 AS oid, c.relkind, c.relreplident,
       CASE WHEN c.relkind = 'p' THEN (SELECT sum(greatest(p.reltuples, 0)) FROM pg_partition_tree(c.oid) t
                                       JOIN pg_class p ON p.oid = t.relid WHERE t.isleaf)
            WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples END::float8 AS reltuples,
       CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(pg_relation_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t)
            WHEN c.relkind IN ('r', 'm', 't') THEN pg_relation_size(c.oid) ELSE 0 END::int8 AS size_bytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`;

const COLUMNS_SQL = `
SELECT a.attnum, a.attname, a.attnotnull, a.atttypid::int8 AS typid, a.atttypmod,
       format_type(a.atttypid, a.atttypmod) AS declared
FROM pg_attribute a
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

const TYPES_SQL = `
SELECT t.oid::int8 AS oid, t.typname, n.nspname, t.typtype, t.typcategory, t.typelem::int8 AS typelem,
       t.typbasetype::int8 AS typbasetype, t.typtypmod, t.typnotnull
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.oid = ANY($1::oid[])`;

const PK_SQL = `
SELECT a.attname
FROM pg_constraint con
CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
WHERE con.conrelid = $1 AND con.contype = 'p'
ORDER BY k.ord`;

interface TypeRow {
  oid: string;
  typname: string;
  nspname: string;
  typtype: string;
  typcategory: string;
  typelem: string;
  typbasetype: string;
  typtypmod: number;
  typnotnull: boolean;
}

const RELKIND: Record<string, PgRelationKind> = { r: 'table', p: 'partitioned table', v: 'view', m: 'materialized view', f: 'foreign table' };
const REPLIDENT: Record<string, PgTable['replicaIdentity']> = { d: 'default', n: 'nothing', f: 'full', i: 'index' };

/** Loads every pg_type row reachable from `oids` through domain bases and array elements. */
async function loadTypes(db: Queryable, oids: Iterable<string>): Promise<Map<string, TypeRow>> {
  const types = new Map<string, TypeRow>();
  let wanted = [...new Set(oids)];
  while (wanted.length > 0) {
    const { rows } = await db.query<TypeRow>(TYPES_SQL, [wanted]);
    for (const row of rows) types.set(row.oid, row);
    wanted = [...new Set(rows.flatMap((t) => [t.typbasetype, t.typelem]).filter((o) => o !== '0' && !types.has(o)))];
  }
  return types;
}

/** Unwraps domains; returns the type, the first typmod met on the way (−1 if none), and NOT NULL. */
function resolveType(types: Map<string, TypeRow>, oid: string): { type: PgType; typmod: number; notNull: boolean } {
  let row = types.get(oid);
  let typmod = -1;
  let notNull = false;
  while (row?.typtype === 'd') {
    if (typmod === -1) typmod = row.typtypmod;
    notNull ||= row.typnotnull;
    row = types.get(row.typbasetype);
  }
  if (!row) throw new NotFoundError(`postgres type oid ${oid} not found in pg_type`);
  const isArray = row.typcategory === 'A' && row.typelem !== '0';
  const kind: PgTypeKind = isArray
    ? 'array'
    : ({ b: 'base', e: 'enum', c: 'composite', r: 'range', m: 'multirange', p: 'pseudo' } as const)[row.typtype as 'b'] ?? 'base';
  const type: PgType = { oid: Number(row.oid), name: row.typname, schema: row.nspname, kind };
  if (!isArray) return { type, typmod, notNull };
  return { type: { ...type, element: resolveType(types, row.typelem).type }, typmod, notNull };
}

/** numeric typmod → declared precision and scale (scale is an 11-bit signed field since PG 15). */
export function numericTypmod(typmod: number): { precision: number; scale: number } | undefined {
  if (typmod < 4) return undefined;
  const t = typmod - 4;
  return { precision: (t >> 16) & 0xffff, scale: ((t & 0x7ff) ^ 1024) - 1024 };
}

/**
 * Describes `schema.table` (exact names). Throws NotFoundError naming it when there is no such
 * table, view, materialized view or foreign table.
 */
export async function introspectTable(db: Queryable, schema: string, table: string): Promise<PgTable> {
  const rel = (
    await db.query<{ oid: string; relkind: string; relreplident: string; reltuples: number | null; size_bytes: string }>(RELATION_SQL, [schema, table])
  ).rows[0];
  if (!rel) throw new NotFoundError(`postgres table ${JSON.stringify(schema)}.${JSON.stringify(table)} not found`);
  const cols = (
    await db.query<{ attnum: number; attname: string; attnotnull: boolean; typid: string; atttypmod: number; declared: string }>(COLUMNS_SQL, [rel.oid])
  ).rows;
  const types = await loadTypes(db, cols.map((c) => c.typid));
  const columns = cols.map((c): PgColumn => {
    const resolved = resolveType(types, c.typid);
    const typmod = c.atttypmod !== -1 ? c.atttypmod : resolved.typmod;
    const scalar = resolved.type.kind === 'array' ? resolved.type.element! : resolved.type;
    const numeric = scalar.name === 'numeric' && scalar.schema === 'pg_catalog' ? numericTypmod(typmod) : undefined;
    return {
      name: c.attname,
      attnum: c.attnum,
      nullable: !(c.attnotnull || resolved.notNull),
      type: resolved.type,
      typmod,
      ...(numeric ? { numeric } : {}),
      declaredType: c.declared,
    };
  });
  const primaryKey = (await db.query<{ attname: string }>(PK_SQL, [rel.oid])).rows.map((r) => r.attname);
  return {
    oid: Number(rel.oid),
    schema,
    name: table,
    kind: RELKIND[rel.relkind] ?? 'table',
    columns,
    primaryKey,
    estimatedRows: rel.reltuples,
    sizeBytes: Number(rel.size_bytes),
    replicaIdentity: REPLIDENT[rel.relreplident] ?? 'default',
  };
}
