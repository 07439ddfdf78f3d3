/**
 * A PostgreSQL table as introspector.ts discovers it, as plain data. Domains are resolved to
 * their base type (the domain's name is kept for messages); names are exact catalog names.
 */

/** Kind of a resolved type (pg_type.typtype / typcategory). */
export type PgTypeKind = 'base' | 'enum' | 'array' | 'composite' | 'range' | 'multirange' | 'pseudo';

/** A type after domains are unwrapped. */
export interface PgType {
  readonly oid: number;
  readonly name: string; // pg_type.typname, e.g. int8, _int4, citext, my_enum
  readonly schema: string; // namespace of the type, e.g. pg_catalog, public
  readonly kind: PgTypeKind;
  readonly element?: PgType; // arrays: the element type (domains unwrapped too)
}

export interface PgColumn {
  readonly name: string;
  readonly attnum: number; // pg_attribute.attnum, 1-based, gaps where columns were dropped
  readonly nullable: boolean; // false when the column or its domain is NOT NULL
  readonly type: PgType;
  /** Effective type modifier: the column's, else the domain's; −1 when none. For arrays it applies to the element. */
  readonly typmod: number;
  /** numeric(p,s) only: declared precision and scale (PostgreSQL 15 allows s < 0 and s > p). */
  readonly numeric?: { readonly precision: number; readonly scale: number };
  /** format_type of the declared type, e.g. `numeric(12,2)`, `character varying(40)`, `my_domain`. */
  readonly declaredType: string;
}

export type PgRelationKind = 'table' | 'partitioned table' | 'view' | 'materialized view' | 'foreign table';

export interface PgTable {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly kind: PgRelationKind;
  readonly columns: readonly PgColumn[]; // in attnum order
  /** Columns of the PRIMARY KEY constraint in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  /** pg_class.reltuples (summed over partitions); null when never analyzed. */
  readonly estimatedRows: number | null;
  /** Heap size in bytes (pg_relation_size, summed over partitions). */
  readonly sizeBytes: number;
  /** REPLICA IDENTITY: what CDC sees of a row's old values. */
  readonly replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
}
