/**
 * The SQL catalog, with exactly the tables of Iceberg's JDBC catalog and pyiceberg's SqlCatalog
 * (pyiceberg/catalog/sql.py), so floe, pyiceberg and Java open the same tables:
 *   iceberg_tables(catalog_name, table_namespace, table_name, metadata_location,
 *                  previous_metadata_location, iceberg_type)        -- iceberg_type: 'TABLE' (v1 schema)
 *   iceberg_namespace_properties(catalog_name, namespace, property_key, property_value)
 * Namespaces are dotted strings ('a.b'); a catalog created without properties stores exists=true.
 * The commit is `UPDATE ... WHERE metadata_location = <expected>`: 0 rows = lost race.
 */
import { AlreadyExistsError, CommitStateUnknownError, RetryableError } from '../../core/errors.ts';
import { MetastoreCatalog, type MetastoreBackend, type MetastoreOptions } from '../metastore-catalog.ts';
import type { SqlDriver } from './sql-driver.ts';

const DDL = [
  `CREATE TABLE IF NOT EXISTS iceberg_tables (
    catalog_name VARCHAR(255) NOT NULL,
    table_namespace VARCHAR(255) NOT NULL,
    table_name VARCHAR(255) NOT NULL,
    metadata_location VARCHAR(1000),
    previous_metadata_location VARCHAR(1000),
    iceberg_type VARCHAR(5),
    PRIMARY KEY (catalog_name, table_namespace, table_name))`,
  `CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
    catalog_name VARCHAR(255) NOT NULL,
    namespace VARCHAR(255) NOT NULL,
    property_key VARCHAR(255) NOT NULL,
    property_value VARCHAR(1000) NOT NULL,
    PRIMARY KEY (catalog_name, namespace, property_key))`,
];

/** LIKE pattern for sub-namespaces of `ns`, escaped with '!' as pyiceberg does. */
function childPattern(ns: string): string {
  return `${ns.replace(/!/g, '!!').replace(/_/g, '!_').replace(/%/g, '!%')}.%`;
}

/** Namespaces and pointers in the two SQL tables, for one catalog_name. */
class SqlBackend implements MetastoreBackend {
  constructor(
    private readonly db: SqlDriver,
    private readonly catalog: string,
    private readonly hasType: boolean, // iceberg_type column present (v1 schema)
  ) {}

  /** Only table rows: Java and iceberg-rust store views in the same table. */
  private get typeFilter(): string {
    return this.hasType ? ` AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)` : '';
  }

  async createNamespace(ns: string, properties: Readonly<Record<string, string>>): Promise<void> {
    const entries = Object.entries(properties);
    const values = entries.map(() => '(?, ?, ?, ?)').join(', ');
    try {
      await this.db.run(
        `INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES ${values}`,
        entries.flatMap(([k, v]) => [this.catalog, ns, k, v]),
      );
    } catch (err) {
      if (this.db.isUniqueViolation(err)) throw new AlreadyExistsError(`sql catalog ${this.catalog}: namespace ${ns} already exists`, { cause: err });
      throw err;
    }
  }

  async namespaceExists(ns: string): Promise<boolean> {
    const like = childPattern(ns);
    const t = await this.db.query(
      `SELECT 1 AS x FROM iceberg_tables WHERE catalog_name = ? AND (table_namespace = ? OR table_namespace LIKE ? ESCAPE '!') LIMIT 1`,
      [this.catalog, ns, like],
    );
    if (t.length > 0) return true;
    const n = await this.db.query(
      `SELECT 1 AS x FROM iceberg_namespace_properties WHERE catalog_name = ? AND (namespace = ? OR namespace LIKE ? ESCAPE '!') LIMIT 1`,
      [this.catalog, ns, like],
    );
    return n.length > 0;
  }

  async namespaceProperties(ns: string): Promise<Record<string, string>> {
    const rows = await this.db.query(
      `SELECT property_key, property_value FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?`,
      [this.catalog, ns],
    );
    return Object.fromEntries(rows.map((r) => [String(r.property_key), String(r.property_value)]));
  }

  async allNamespaces(): Promise<string[]> {
    const rows = await this.db.query(
      `SELECT table_namespace AS ns FROM iceberg_tables WHERE catalog_name = ?
       UNION SELECT namespace AS ns FROM iceberg_namespace_properties WHERE catalog_name = ?`,
      [this.catalog, this.catalog],
    );
    return rows.map((r) => String(r.ns));
  }

  async getPointer(ns: string, table: string): Promise<string | undefined> {
    const rows = await this.db.query(
      `SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?${this.typeFilter}`,
      [this.catalog, ns, table],
    );
    const loc = rows[0]?.metadata_location;
    return typeof loc === 'string' && loc !== '' ? loc : undefined;
  }

  async insertPointer(ns: string, table: string, metadataLocation: string): Promise<void> {
    const cols = `catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location${this.hasType ? ', iceberg_type' : ''}`;
    const params = [this.catalog, ns, table, metadataLocation, null, ...(this.hasType ? ['TABLE'] : [])];
    try {
      await this.db.run(`INSERT INTO iceberg_tables (${cols}) VALUES (${params.map(() => '?').join(', ')})`, params);
    } catch (err) {
      if (this.db.isUniqueViolation(err)) throw new AlreadyExistsError(`sql catalog ${this.catalog}: table ${ns}.${table} already exists`, { cause: err });
      throw err;
    }
  }

  async swapPointer(ns: string, table: string, expected: string, next: string): Promise<boolean> {
    let changed: number;
    try {
      changed = await this.db.run(
        `UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ?
         WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ?`,
        [next, expected, this.catalog, ns, table, expected],
      );
    } catch (err) {
      const what = `sql catalog ${this.catalog}: swapping ${ns}.${table} from ${expected} to ${next}`;
      if (this.db.failedDefinitely(err)) throw new RetryableError(`${what} failed: ${(err as Error).message}`, { cause: err });
      throw new CommitStateUnknownError(`${what}: outcome unknown: ${(err as Error).message}`, { cause: err });
    }
    return changed > 0;
  }

  async deletePointer(ns: string, table: string): Promise<boolean> {
    const n = await this.db.run(
      `DELETE FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?${this.typeFilter}`,
      [this.catalog, ns, table],
    );
    return n > 0;
  }

  async tableNames(ns: string): Promise<string[]> {
    const rows = await this.db.query(
      `SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ?${this.typeFilter}`,
      [this.catalog, ns],
    );
    return rows.map((r) => String(r.table_name));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** Creates the two catalog tables when absent (tolerating a concurrent creator); returns whether iceberg_type exists. */
async function initSchema(db: SqlDriver): Promise<boolean> {
  for (const ddl of DDL) {
    try {
      await db.run(ddl, []);
    } catch (err) {
      // Two processes racing CREATE TABLE IF NOT EXISTS on PostgreSQL: one gets a duplicate error.
      const code = (err as { code?: unknown }).code;
      if (!db.isUniqueViolation(err) && code !== '42P07') throw err;
    }
  }
  try {
    await db.query('SELECT iceberg_type FROM iceberg_tables WHERE 1 = 0', []);
    return true;
  } catch {
    return false; // a v0 catalog made by older pyiceberg/Java: works without the column
  }
}

/** Options of a SQL catalog: the driver is closed with the catalog. */
export interface SqlCatalogOptions extends MetastoreOptions {
  readonly driver: SqlDriver;
}

/** A catalog in a SQL database (SQLite or PostgreSQL), interoperable with pyiceberg's SqlCatalog and Java's JdbcCatalog. */
export class SqlCatalog extends MetastoreCatalog {
  private constructor(backend: SqlBackend, options: SqlCatalogOptions) {
    super(backend, options);
  }

  /** Opens the catalog, creating its tables when absent. */
  static async open(options: SqlCatalogOptions): Promise<SqlCatalog> {
    const hasType = await initSchema(options.driver);
    return new SqlCatalog(new SqlBackend(options.driver, options.name, hasType), options);
  }
}
