/**
 * A catalog held in process memory, for tests and dry runs. Metadata files go to the given
 * FileIO (default: the shared `memory://` store, warehouse `memory://warehouse`).
 */
import { AlreadyExistsError } from '../../core/errors.ts';
import { MetastoreCatalog, type MetastoreBackend, type MetastoreOptions } from '../metastore-catalog.ts';

/** Namespaces and pointers; share one between MemoryCatalog instances to model two processes. */
export class MemoryCatalogState implements MetastoreBackend {
  private readonly namespaces = new Map<string, Record<string, string>>();
  private readonly pointers = new Map<string, string>();

  private key(ns: string, table: string): string {
    return `${ns}\u0000${table}`;
  }

  async createNamespace(ns: string, properties: Readonly<Record<string, string>>): Promise<void> {
    if (this.namespaces.has(ns)) throw new AlreadyExistsError(`memory catalog: namespace ${ns} already exists`);
    this.namespaces.set(ns, { ...properties });
  }

  async namespaceExists(ns: string): Promise<boolean> {
    return (await this.allNamespaces()).some((s) => s === ns || s.startsWith(`${ns}.`));
  }

  async namespaceProperties(ns: string): Promise<Record<string, string>> {
    return { ...this.namespaces.get(ns) };
  }

  async allNamespaces(): Promise<string[]> {
    const fromTables = [...this.pointers.keys()].map((k) => k.split('\u0000')[0]!);
    return [...new Set([...this.namespaces.keys(), ...fromTables])];
  }

  async getPointer(ns: string, table: string): Promise<string | undefined> {
    return this.pointers.get(this.key(ns, table));
  }

  async insertPointer(ns: string, table: string, metadataLocation: string): Promise<void> {
    const k = this.key(ns, table);
    if (this.pointers.has(k)) throw new AlreadyExistsError(`memory catalog: table ${ns}.${table} already exists`);
    this.pointers.set(k, metadataLocation);
  }

  async swapPointer(ns: string, table: string, expected: string, next: string): Promise<boolean> {
    const k = this.key(ns, table);
    if (this.pointers.get(k) !== expected) return false;
    this.pointers.set(k, next);
    return true;
  }

  async deletePointer(ns: string, table: string): Promise<boolean> {
    return this.pointers.delete(this.key(ns, table));
  }

  async tableNames(ns: string): Promise<string[]> {
    const prefix = `${ns}\u0000`;
    return [...this.pointers.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  async close(): Promise<void> {}
}

/** Options of a memory catalog; `state` lets several instances see the same tables. */
export interface MemoryCatalogOptions extends Partial<MetastoreOptions> {
  readonly state?: MemoryCatalogState;
}

/** An in-memory catalog (name `memory`, warehouse `memory://warehouse` by default). */
export class MemoryCatalog extends MetastoreCatalog {
  constructor(options: MemoryCatalogOptions = {}) {
    super(options.state ?? new MemoryCatalogState(), {
      ...options,
      name: options.name ?? 'memory',
      warehouse: options.warehouse ?? 'memory://warehouse',
    });
  }
}
