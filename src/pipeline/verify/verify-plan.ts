/**
 * What verify compares, decided from plain data (pure): the source columns the table config
 * selects, matched by name to the Iceberg table's current schema; each with its loader codec,
 * Iceberg type and canonical SQL; the key (config, else the one the load recorded, else the
 * source's PK, else the Iceberg identifier fields; none: rows are compared as a multiset).
 */
import { ConfigError } from '../../core/errors.ts';
import type { NestedField, Schema, TableIdentifier } from '../../iceberg/spec/types.ts';
import type { PgTable } from '../../sources/postgres/pg-table.ts';
import { quoteIdent } from '../../sources/postgres/sql.ts';
import { mapTable, type MappingOptions } from '../../sources/postgres/type-mapping.ts';
import { canonicalSql, type CanonicalColumnSpec } from './canonical-sql.ts';

/** Alias of the source table in verify's SQL (column references are qualified with it). */
export const SOURCE_ALIAS = 'floe_src';

/** A column compared on both sides. */
export interface VerifyColumn extends CanonicalColumnSpec {
  readonly field: NestedField; // the Iceberg field (current schema)
  readonly sql: string; // canonical-text expression over SOURCE_ALIAS
}

/** Everything both sides need to compute the same checksums. */
export interface VerifyPlan {
  readonly source: { readonly schema: string; readonly table: string };
  readonly target: TableIdentifier;
  readonly columns: readonly VerifyColumn[];
  /** Indexes into `columns` of the key, in key order; empty for a keyless comparison. */
  readonly keyIndexes: readonly number[];
  /** Selected source columns absent from the Iceberg schema, and Iceberg fields absent from the source. */
  readonly missingInIceberg: readonly string[];
  readonly extraInIceberg: readonly string[];
}

/** The table settings verify honours (from TableConfig). */
export interface PlanTableSettings {
  readonly primaryKey?: readonly string[] | undefined;
  /** The key the load used, from the Iceberg table property `floe.primary-key` ([] = keyless). */
  readonly loadedKey?: readonly string[] | undefined;
  readonly columns?: { readonly include?: readonly string[]; readonly exclude?: readonly string[] };
}

function selectColumns(table: PgTable, settings: PlanTableSettings): PgTable['columns'] {
  const label = `${table.schema}.${table.name}`;
  const names = new Set(table.columns.map((c) => c.name));
  const { include, exclude } = settings.columns ?? {};
  for (const name of [...(include ?? []), ...(exclude ?? [])]) {
    if (!names.has(name)) throw new ConfigError(`verify ${label}: column ${JSON.stringify(name)} in columns.include/exclude does not exist in the source`);
  }
  return table.columns.filter((c) => (include === undefined || include.includes(c.name)) && !(exclude ?? []).includes(c.name));
}

/**
 * Plans the comparison of `table` (introspected source) with the Iceberg `schema`. Throws
 * ConfigError for include/exclude or key names that do not exist, UnsupportedTypeError (from
 * the type mapping or canonical SQL) for a column that cannot be compared.
 */
export function planVerify(table: PgTable, schema: Schema, target: TableIdentifier, options: MappingOptions, settings: PlanTableSettings = {}): VerifyPlan {
  const label = `${table.schema}.${table.name}`;
  const selected = selectColumns(table, settings);
  const { columns: mapped } = mapTable({ ...table, columns: selected, primaryKey: [] }, options);
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const columns: VerifyColumn[] = [];
  const missingInIceberg: string[] = [];
  for (const m of mapped) {
    const field = byName.get(m.column.name);
    if (field === undefined) {
      missingInIceberg.push(m.column.name);
      continue;
    }
    const spec: CanonicalColumnSpec = { name: m.column.name, pgType: m.column.type, codec: m.codec, iceberg: field.type };
    columns.push({ ...spec, field, sql: canonicalSql(`${SOURCE_ALIAS}.${quoteIdent(m.column.name)}`, spec, options, label) });
  }
  const sourceNames = new Set(selected.map((c) => c.name));
  const extraInIceberg = schema.fields.filter((f) => !sourceNames.has(f.name)).map((f) => f.name);
  const identifierNames = schema.identifierFieldIds.map((id) => schema.fields.find((f) => f.id === id)?.name ?? '');
  const keyNames = settings.primaryKey ?? settings.loadedKey ?? (table.primaryKey.length > 0 ? table.primaryKey : identifierNames);
  const keyIndexes = keyNames.map((name) => {
    const i = columns.findIndex((c) => c.name === name);
    if (i < 0) throw new ConfigError(`verify ${label}: key column ${JSON.stringify(name)} is not compared (absent from the source selection or from the Iceberg table)`);
    return i;
  });
  return { source: { schema: table.schema, table: table.name }, target, columns, keyIndexes, missingInIceberg, extraInIceberg };
}
