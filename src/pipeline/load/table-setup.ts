/**
 * Getting one configured table ready to load: its key (configured, else the PRIMARY KEY
 * constraint, never guessed), its columns (include/exclude), its Iceberg schema and partition
 * spec, and the Iceberg table itself — created when missing, checked when present.
 */
import { AlreadyExistsError, ConfigError } from '../../core/errors.ts';
import type { Catalog, LoadedTable } from '../../catalog/catalog.ts';
import type { LoadConfig, TableConfig } from '../../config/types.ts';
import { isPrimitive, typeToString } from '../../iceberg/spec/schema.ts';
import { canTransform, parseTransform } from '../../iceberg/spec/transforms.ts';
import type { PartitionSpec, Schema, TableIdentifier } from '../../iceberg/spec/types.ts';
import { currentSchema } from '../../iceberg/table/metadata-access.ts';
import type { PgTable } from '../../sources/postgres/pg-table.ts';
import { mapTable, type MappedColumn } from '../../sources/postgres/type-mapping.ts';
import { LOAD_KEYS } from './load-state.ts';

/** A table ready to plan: source columns filtered, key resolved, types mapped. */
export interface PreparedTable {
  readonly config: TableConfig;
  readonly sourceName: string;
  readonly target: TableIdentifier;
  /** `ns.table` for logs and events. */
  readonly label: string;
  readonly pg: PgTable;
  /** Key columns in key order; empty: keyless. */
  readonly keyColumns: readonly string[];
  readonly schema: Schema;
  readonly columns: readonly MappedColumn[];
}

/** `namespace.table` of a config table. */
export function targetLabel(t: TableConfig): string {
  return [...t.target.namespace, t.target.name].join('.');
}

function unknownColumn(t: TableConfig, what: string, column: string): ConfigError {
  return new ConfigError(`table ${t.source.schema}.${t.source.table}: ${what} names column ${JSON.stringify(column)}, which the source table does not have`);
}

/** Filters columns, resolves the key and maps types. ConfigError names the table and column. */
export function prepareTable(sourceName: string, pg: PgTable, t: TableConfig, load: LoadConfig): PreparedTable {
  const names = new Set(pg.columns.map((c) => c.name));
  for (const c of t.columns.include ?? []) if (!names.has(c)) throw unknownColumn(t, 'columns.include', c);
  for (const c of t.columns.exclude ?? []) if (!names.has(c)) throw unknownColumn(t, 'columns.exclude', c);
  for (const c of t.primaryKey ?? []) if (!names.has(c)) throw unknownColumn(t, 'primaryKey', c);
  const keyColumns = t.primaryKey ?? pg.primaryKey;
  const include = t.columns.include;
  const exclude = new Set(t.columns.exclude ?? []);
  const columns = pg.columns.filter((c) => (include === undefined || include.includes(c.name)) && !exclude.has(c.name));
  for (const k of keyColumns) {
    if (!columns.some((c) => c.name === k)) {
      throw new ConfigError(`table ${t.source.schema}.${t.source.table}: key column ${JSON.stringify(k)} is excluded by columns.include/exclude`);
    }
  }
  const filtered: PgTable = { ...pg, columns, primaryKey: keyColumns };
  const mapped = mapTable(filtered, load);
  return { config: t, sourceName, target: t.target, label: targetLabel(t), pg: filtered, keyColumns, schema: mapped.schema, columns: mapped.columns };
}

const SUFFIX: Record<string, string> = { bucket: 'bucket', truncate: 'trunc', year: 'year', month: 'month', day: 'day', hour: 'hour', void: 'null' };

/** The partition spec of `partitionBy` over `schema` (Iceberg's default field names: `col`, `col_day`, `col_bucket`, …). */
export function partitionSpecFor(schema: Schema, t: TableConfig): PartitionSpec {
  const fields = t.partitionBy.map((p, i) => {
    const source = schema.fields.find((f) => f.name === p.column);
    if (source === undefined) throw unknownColumn(t, 'partitionBy', p.column);
    if (!isPrimitive(source.type) || !canTransform(p.transform, source.type)) {
      throw new ConfigError(`table ${t.source.schema}.${t.source.table}: partitionBy ${p.transform}(${p.column}) cannot apply to type ${typeToString(source.type)}`);
    }
    const kind = parseTransform(p.transform).kind;
    return { sourceId: source.id, fieldId: 1000 + i, name: kind === 'identity' ? p.column : `${p.column}_${SUFFIX[kind]}`, transform: p.transform };
  });
  return { specId: 0, fields };
}

/** Table properties floe sets when it creates the table. */
export function tableProperties(p: PreparedTable, load: LoadConfig): Record<string, string> {
  return {
    [LOAD_KEYS.source]: JSON.stringify({ name: p.sourceName, schema: p.pg.schema, table: p.pg.name }),
    [LOAD_KEYS.primaryKey]: JSON.stringify(p.keyColumns),
    'write.target-file-size-bytes': String(load.targetFileSizeMiB * 1024 * 1024),
    'write.parquet.compression-codec': load.codec,
    // Every commit writes a new metadata file; keep the newest 100 and delete the rest, as
    // Java does with these properties. Otherwise a sync committing every 5 s leaves 17 k a day.
    'write.metadata.delete-after-commit.enabled': 'true',
    'write.metadata.previous-versions-max': '100',
  };
}

/**
 * Throws ConfigError when an existing table cannot take the source's rows: other columns,
 * order or types, a required column the source may leave null, or another primary key.
 * (Schema evolution comes later.)
 */
export function checkCompatible(existing: LoadedTable, p: PreparedTable): void {
  const have = currentSchema(existing.metadata);
  const label = p.label;
  const show = (s: Schema) => s.fields.map((f) => `${f.name} ${typeToString(f.type)}`).join(', ');
  const mismatch = (why: string) =>
    new ConfigError(`table ${label} exists with an incompatible schema (${why}); table has [${show(have)}], source gives [${show(p.schema)}]; drop the table or adjust columns`);
  if (have.fields.length !== p.schema.fields.length) throw mismatch(`${have.fields.length} columns vs ${p.schema.fields.length}`);
  p.schema.fields.forEach((want, i) => {
    const got = have.fields[i]!;
    if (got.name !== want.name) throw mismatch(`column ${i + 1} is ${JSON.stringify(got.name)}, source has ${JSON.stringify(want.name)}`);
    if (typeToString(got.type) !== typeToString(want.type)) throw mismatch(`column ${JSON.stringify(want.name)} is ${typeToString(got.type)}, source maps to ${typeToString(want.type)}`);
    if (got.required && !want.required) throw mismatch(`column ${JSON.stringify(want.name)} is required but nullable in the source`);
  });
  const key = existing.metadata.properties[LOAD_KEYS.primaryKey];
  if (key !== undefined && key !== JSON.stringify(p.keyColumns)) {
    throw new ConfigError(`table ${label} was loaded with primary key ${key}, the config now gives ${JSON.stringify(p.keyColumns)}`);
  }
}

/** The Iceberg table for `p`: created (with its namespace) when missing, else checked for compatibility. */
export async function ensureIcebergTable(catalog: Catalog, p: PreparedTable, load: LoadConfig): Promise<{ table: LoadedTable; created: boolean }> {
  if (await catalog.tableExists(p.target)) {
    const table = await catalog.loadTable(p.target);
    checkCompatible(table, p);
    return { table, created: false };
  }
  if (!(await catalog.namespaceExists(p.target.namespace))) {
    await catalog.createNamespace(p.target.namespace).catch((e: unknown) => {
      if (!(e instanceof AlreadyExistsError)) throw e;
    });
  }
  try {
    const table = await catalog.createTable(p.target, { schema: p.schema, spec: partitionSpecFor(p.schema, p.config), properties: tableProperties(p, load) });
    return { table, created: true };
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    const table = await catalog.loadTable(p.target); // a concurrent run created it
    checkCompatible(table, p);
    return { table, created: false };
  }
}
