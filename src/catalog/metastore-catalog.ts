/**
 * The part every pointer-swapping catalog shares (pyiceberg's MetastoreCatalog): table
 * locations, metadata file names, create/load/commit. A backend only stores namespaces and
 * one metadata pointer per table and swaps it atomically.
 */
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, CommitConflictError, CommitStateUnknownError, ConfigError, NotFoundError } from '../core/errors.ts';
import { parseTableMetadata, serializeTableMetadata } from '../iceberg/spec/metadata-json.ts';
import type { TableIdentifier, TableMetadata, TableRequirement, TableUpdate } from '../iceberg/spec/types.ts';
import { applyUpdates, checkRequirements, newTableMetadata } from '../iceberg/table/metadata-updates.ts';
import type { FileIO } from '../io/file-io.ts';
import { fileIOFor } from '../io/registry.ts';
import { namespaceFromString, namespaceToString, tableName, type Catalog, type CreateTableOptions, type LoadedTable, type Namespace } from './catalog.ts';

/** Storage of namespaces and table pointers. Namespaces are dotted strings (`a.b`). */
export interface MetastoreBackend {
  /** Inserts the namespace with its properties; AlreadyExistsError when present. */
  createNamespace(ns: string, properties: Readonly<Record<string, string>>): Promise<void>;
  namespaceExists(ns: string): Promise<boolean>;
  namespaceProperties(ns: string): Promise<Record<string, string>>;
  /** Every namespace string known (created ones and those holding tables). */
  allNamespaces(): Promise<string[]>;
  getPointer(ns: string, table: string): Promise<string | undefined>;
  /** Registers a new table; AlreadyExistsError when the name is taken. */
  insertPointer(ns: string, table: string, metadataLocation: string): Promise<void>;
  /** Sets the pointer to `next` only if it is `expected`; false when it was not. Throws CommitStateUnknownError when the outcome is unknown. */
  swapPointer(ns: string, table: string, expected: string, next: string): Promise<boolean>;
  deletePointer(ns: string, table: string): Promise<boolean>;
  tableNames(ns: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Catalog options shared by memory and SQL catalogs. */
export interface MetastoreOptions {
  readonly name: string;
  readonly warehouse?: string; // base URI for default table locations: <warehouse>/<ns>/<table>
  readonly io?: FileIO; // defaults to fileIOFor(location)
  readonly now?: () => number; // ms clock, for tests
}

const PREVIOUS_VERSIONS_MAX = 'write.metadata.previous-versions-max';
const DELETE_AFTER_COMMIT = 'write.metadata.delete-after-commit.enabled';
const METADATA_PATH = 'write.metadata.path';

/** Version number in a `<00001>-<uuid>.metadata.json` name, -1 when the name has another form. */
export function metadataVersion(location: string): number {
  const m = /\/(\d+)-[^/]*\.metadata\.json$/.exec(location);
  return m ? Number(m[1]) : -1;
}

/** `<location>/metadata/<5-digit version>-<uuid>.metadata.json` (or under write.metadata.path). */
export function metadataFileLocation(m: TableMetadata, version: number): string {
  const dir = m.properties[METADATA_PATH]?.replace(/\/+$/, '') ?? `${m.location}/metadata`;
  return `${dir}/${String(version).padStart(5, '0')}-${randomUUID()}.metadata.json`;
}

/** A catalog over a MetastoreBackend. */
export class MetastoreCatalog implements Catalog {
  readonly name: string;
  private readonly now: () => number;

  constructor(
    private readonly backend: MetastoreBackend,
    private readonly options: MetastoreOptions,
  ) {
    this.name = options.name;
    this.now = options.now ?? Date.now;
  }

  private io(location: string): FileIO {
    return this.options.io ?? fileIOFor(location);
  }

  async createNamespace(ns: Namespace, properties: Readonly<Record<string, string>> = {}): Promise<void> {
    const s = namespaceToString(ns);
    if (await this.backend.namespaceExists(s)) throw new AlreadyExistsError(`catalog ${this.name}: namespace ${s} already exists`);
    // pyiceberg and Java store at least one row per namespace.
    await this.backend.createNamespace(s, Object.keys(properties).length > 0 ? properties : { exists: 'true' });
  }

  async listNamespaces(parent: Namespace = []): Promise<Namespace[]> {
    const depth = parent.length + 1;
    const seen = new Set<string>();
    for (const s of await this.backend.allNamespaces()) {
      const levels = namespaceFromString(s);
      if (levels.length >= depth && parent.every((p, i) => levels[i] === p)) seen.add(levels.slice(0, depth).join('.'));
    }
    return [...seen].sort().map(namespaceFromString);
  }

  async namespaceExists(ns: Namespace): Promise<boolean> {
    return this.backend.namespaceExists(namespaceToString(ns));
  }

  async namespaceProperties(ns: Namespace): Promise<Record<string, string>> {
    const s = namespaceToString(ns);
    if (!(await this.backend.namespaceExists(s))) throw new NotFoundError(`catalog ${this.name}: namespace ${s} does not exist`);
    return this.backend.namespaceProperties(s);
  }

  private async defaultLocation(ns: string, table: string): Promise<string> {
    const nsLocation = (await this.backend.namespaceProperties(ns)).location;
    if (nsLocation) return `${nsLocation.replace(/\/+$/, '')}/${table}`;
    const wh = this.options.warehouse;
    if (!wh) throw new ConfigError(`catalog ${this.name}: no warehouse configured and no location given for table ${ns}.${table}`);
    return `${wh.replace(/\/+$/, '')}/${ns}/${table}`;
  }

  async createTable(id: TableIdentifier, o: CreateTableOptions): Promise<LoadedTable> {
    const ns = namespaceToString(id.namespace);
    if (!(await this.backend.namespaceExists(ns))) throw new NotFoundError(`catalog ${this.name}: namespace ${ns} does not exist`);
    if ((await this.backend.getPointer(ns, id.name)) !== undefined) {
      throw new AlreadyExistsError(`catalog ${this.name}: table ${tableName(id)} already exists`);
    }
    const location = o.location ?? (await this.defaultLocation(ns, id.name));
    const metadata = newTableMetadata({ ...o, location, nowMs: this.now() });
    const metadataLocation = metadataFileLocation(metadata, 0);
    const io = this.io(metadataLocation);
    await io.writeNew(metadataLocation, new TextEncoder().encode(serializeTableMetadata(metadata)));
    try {
      await this.backend.insertPointer(ns, id.name, metadataLocation);
    } catch (err) {
      await io.delete(metadataLocation).catch(() => undefined);
      throw err;
    }
    return { identifier: id, metadata, metadataLocation };
  }

  private async pointer(id: TableIdentifier): Promise<string> {
    const ptr = await this.backend.getPointer(namespaceToString(id.namespace), id.name);
    if (ptr === undefined) throw new NotFoundError(`catalog ${this.name}: table ${tableName(id)} does not exist`);
    return ptr;
  }

  private async read(id: TableIdentifier, metadataLocation: string): Promise<LoadedTable> {
    const bytes = await this.io(metadataLocation).read(metadataLocation);
    return { identifier: id, metadata: parseTableMetadata(new TextDecoder().decode(bytes), metadataLocation), metadataLocation };
  }

  async loadTable(id: TableIdentifier): Promise<LoadedTable> {
    return this.read(id, await this.pointer(id));
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.backend.getPointer(namespaceToString(id.namespace), id.name)) !== undefined;
  }

  async listTables(ns: Namespace): Promise<TableIdentifier[]> {
    const s = namespaceToString(ns);
    if (!(await this.backend.namespaceExists(s))) throw new NotFoundError(`catalog ${this.name}: namespace ${s} does not exist`);
    return (await this.backend.tableNames(s)).sort().map((name) => ({ namespace: [...ns], name }));
  }

  async dropTable(id: TableIdentifier): Promise<void> {
    if (!(await this.backend.deletePointer(namespaceToString(id.namespace), id.name))) {
      throw new NotFoundError(`catalog ${this.name}: table ${tableName(id)} does not exist`);
    }
  }

  async commitTable(id: TableIdentifier, requirements: readonly TableRequirement[], updates: readonly TableUpdate[]): Promise<LoadedTable> {
    const name = tableName(id);
    const base = await this.loadTable(id);
    checkRequirements(base.metadata, requirements, name);
    const applied = applyUpdates(base.metadata, updates, this.now());
    if (applied === base.metadata) return base;
    const metadata = withMetadataLog(applied, base);
    const next = metadataFileLocation(metadata, metadataVersion(base.metadataLocation) + 1);
    const io = this.io(next);
    await io.writeNew(next, new TextEncoder().encode(serializeTableMetadata(metadata)));
    let swapped: boolean;
    try {
      swapped = await this.backend.swapPointer(namespaceToString(id.namespace), id.name, base.metadataLocation, next);
    } catch (err) {
      // When the swap may have landed, the new file may be the table's current metadata: keep it.
      if (!(err instanceof CommitStateUnknownError)) await io.delete(next).catch(() => undefined);
      throw err;
    }
    if (!swapped) {
      await io.delete(next).catch(() => undefined);
      throw new CommitConflictError(`commit to ${name}: the table changed concurrently (pointer is no longer ${base.metadataLocation})`);
    }
    if (metadata.properties[DELETE_AFTER_COMMIT] === 'true') await deleteDroppedMetadataFiles(io, base.metadata, metadata);
    return { identifier: id, metadata, metadataLocation: next };
  }

  async close(): Promise<void> {
    await this.backend.close();
  }
}

/** Appends the previous metadata file to metadata-log, keeping write.metadata.previous-versions-max (default 100) entries. */
function withMetadataLog(m: TableMetadata, base: LoadedTable): TableMetadata {
  const max = Number(m.properties[PREVIOUS_VERSIONS_MAX] ?? 100);
  const log = [...m.metadataLog, { timestampMs: base.metadata.lastUpdatedMs, metadataFile: base.metadataLocation }];
  return { ...m, metadataLog: log.slice(Math.max(0, log.length - Math.max(1, max))) };
}

/**
 * With write.metadata.delete-after-commit.enabled, the metadata files that fell out of
 * metadata-log in this commit (Java's deleteRemovedMetadataFiles). After the swap, best effort:
 * a file left behind is an orphan no reader uses.
 */
async function deleteDroppedMetadataFiles(io: FileIO, base: TableMetadata, next: TableMetadata): Promise<void> {
  const kept = new Set(next.metadataLog.map((e) => e.metadataFile));
  for (const e of base.metadataLog) if (!kept.has(e.metadataFile)) await io.delete(e.metadataFile).catch(() => undefined);
}
