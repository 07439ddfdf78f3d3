/**
 * The catalog interface: namespaces, tables, and the one write path to a table,
 * `commitTable(id, requirements, updates)`, an atomic swap of the metadata pointer.
 */
import { ConfigError } from '../core/errors.ts';
import type { PartitionSpec, Schema, SortOrder, TableIdentifier, TableMetadata, TableRequirement, TableUpdate } from '../iceberg/spec/types.ts';

/** A namespace: one or more levels, e.g. `['sales']` or `['org', 'sales']`. */
export type Namespace = readonly string[];

/** A table as the catalog last saw it. */
export interface LoadedTable {
  readonly identifier: TableIdentifier;
  readonly metadata: TableMetadata;
  readonly metadataLocation: string; // URI of the metadata JSON the pointer names
}

/** Options of createTable; the table location defaults to `<namespace location or warehouse/ns>/<table>`. */
export interface CreateTableOptions {
  readonly schema: Schema;
  readonly spec?: PartitionSpec;
  readonly sortOrder?: SortOrder;
  readonly location?: string;
  readonly properties?: Readonly<Record<string, string>>;
}

/** One interface for memory, SQL (SQLite, PostgreSQL) and later REST catalogs. */
export interface Catalog {
  readonly name: string;
  /** Creates a namespace; AlreadyExistsError when it exists. */
  createNamespace(ns: Namespace, properties?: Readonly<Record<string, string>>): Promise<void>;
  /** Direct children of `parent` (top level when omitted), sorted. */
  listNamespaces(parent?: Namespace): Promise<Namespace[]>;
  /** True when the namespace was created or holds tables (or sub-namespaces). */
  namespaceExists(ns: Namespace): Promise<boolean>;
  /** The namespace's properties; NotFoundError when it does not exist. */
  namespaceProperties(ns: Namespace): Promise<Record<string, string>>;
  /** Writes the first metadata file and registers the table; AlreadyExistsError / NotFoundError (namespace). */
  createTable(id: TableIdentifier, options: CreateTableOptions): Promise<LoadedTable>;
  /** Reads the current metadata; NotFoundError naming the table. */
  loadTable(id: TableIdentifier): Promise<LoadedTable>;
  tableExists(id: TableIdentifier): Promise<boolean>;
  /** Tables directly in `ns`, sorted by name. */
  listTables(ns: Namespace): Promise<TableIdentifier[]>;
  /** Unregisters the table (files stay); NotFoundError when absent. */
  dropTable(id: TableIdentifier): Promise<void>;
  /**
   * Checks `requirements` against the current metadata, applies `updates`, writes a new
   * metadata file and swaps the pointer. Lost race or failed requirement → CommitConflictError;
   * outcome unknown → CommitStateUnknownError; NotFoundError when the table is absent.
   */
  commitTable(id: TableIdentifier, requirements: readonly TableRequirement[], updates: readonly TableUpdate[]): Promise<LoadedTable>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** `a.b` for namespace levels; a level that is empty or contains '.' → ConfigError (the SQL catalog stores dotted strings). */
export function namespaceToString(ns: Namespace): string {
  if (ns.length === 0) throw new ConfigError('catalog: a namespace needs at least one level');
  for (const level of ns) {
    if (level.trim() === '' || level.includes('.')) {
      throw new ConfigError(`catalog: namespace level "${level}" in [${ns.join(', ')}] is empty or contains '.'`);
    }
  }
  return ns.join('.');
}

/** Levels of a dotted namespace string. */
export function namespaceFromString(s: string): Namespace {
  return s.split('.');
}

/** `ns.table`, for messages. */
export function tableName(id: TableIdentifier): string {
  return `${id.namespace.join('.')}.${id.name}`;
}
