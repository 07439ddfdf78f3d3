/**
 * Metadata-only table changes: schema evolution and properties. Each is one atomic catalog
 * commit built on the freshest metadata and retried on lost races; a retry first checks
 * whether the change already landed (a marker property carries the commit id).
 */
import { randomUUID } from 'node:crypto';
import { tableName, type Catalog, type LoadedTable } from '../../catalog/catalog.ts';
import type { EventBus } from '../../core/events.ts';
import { evolveSchema, type SchemaChange } from '../spec/schema-evolution.ts';
import type { TableIdentifier } from '../spec/types.ts';
import { commitWithRetry, type RetryPolicy } from './commit.ts';
import { currentSchema } from './metadata-access.ts';

/** Property naming the floe commit that last changed table metadata (not snapshots). */
export const METADATA_COMMIT_KEY = 'floe.metadata-commit-id';

export interface MetadataCommitOptions {
  readonly commitId?: string;
  readonly retry?: RetryPolicy;
  readonly events?: EventBus;
}

function landedBy(commitId: string) {
  return (m: { properties: Readonly<Record<string, string>> }): boolean => m.properties[METADATA_COMMIT_KEY] === commitId;
}

/**
 * Evolves the current schema (add, widen, rename, make optional, delete columns; ids stay) and
 * makes the result current. Illegal changes throw before anything is written.
 */
export async function updateSchema(
  catalog: Catalog,
  id: TableIdentifier,
  changes: readonly SchemaChange[],
  options: MetadataCommitOptions = {},
): Promise<LoadedTable> {
  const commitId = options.commitId ?? randomUUID();
  return commitWithRetry(
    catalog,
    id,
    async (base) => {
      const m = base.metadata;
      const schema = currentSchema(m);
      const emptyTable = m.currentSnapshotId === null;
      const nextSchemaId = Math.max(...m.schemas.map((s) => s.schemaId)) + 1;
      const evolved = evolveSchema(schema, m.lastColumnId, changes, { schemaId: nextSchemaId, emptyTable });
      return {
        requirements: [
          { type: 'assert-table-uuid', uuid: m.tableUuid },
          { type: 'assert-current-schema-id', currentSchemaId: m.currentSchemaId },
          { type: 'assert-last-assigned-field-id', lastAssignedFieldId: m.lastColumnId },
        ],
        updates: [
          { action: 'add-schema', schema: evolved.schema, lastColumnId: evolved.lastColumnId },
          { action: 'set-current-schema', schemaId: -1 },
          { action: 'set-properties', updates: { [METADATA_COMMIT_KEY]: commitId } },
        ],
      };
    },
    { commitId, landed: landedBy(commitId), ...pick(options) },
  );
}

/** Sets and removes table properties in one commit. */
export async function updateProperties(
  catalog: Catalog,
  id: TableIdentifier,
  set: Readonly<Record<string, string>>,
  remove: readonly string[] = [],
  options: MetadataCommitOptions = {},
): Promise<LoadedTable> {
  const commitId = options.commitId ?? randomUUID();
  return commitWithRetry(
    catalog,
    id,
    async (base) => ({
      requirements: [{ type: 'assert-table-uuid', uuid: base.metadata.tableUuid }],
      updates: [
        { action: 'set-properties', updates: { ...set, [METADATA_COMMIT_KEY]: commitId } },
        ...(remove.length > 0 ? [{ action: 'remove-properties' as const, removals: remove }] : []),
      ],
    }),
    { commitId, landed: landedBy(commitId), ...pick(options) },
  );
}

function pick(options: MetadataCommitOptions): { retry?: RetryPolicy; events?: EventBus } {
  return {
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.events === undefined ? {} : { events: options.events }),
  };
}

/**
 * Makes main point at the head of `branch` and drops the branch, in one commit: work staged on
 * the branch becomes visible to readers of main all at once, with `properties` set alongside.
 * Fails (CommitConflictError) when main moved since `expectedMain`, as the staged work was
 * built on that state.
 */
export async function publishBranch(
  catalog: Catalog,
  id: TableIdentifier,
  branch: string,
  expectedMain: bigint | null,
  options: MetadataCommitOptions & { readonly properties?: Readonly<Record<string, string>> } = {},
): Promise<LoadedTable> {
  const commitId = options.commitId ?? randomUUID();
  return commitWithRetry(
    catalog,
    id,
    async (base) => {
      const head = base.metadata.refs[branch]?.snapshotId;
      if (head === undefined) throw new Error(`iceberg table ${tableName(id)}: branch ${branch} does not exist`);
      return {
        requirements: [
          { type: 'assert-table-uuid', uuid: base.metadata.tableUuid },
          { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: expectedMain },
          { type: 'assert-ref-snapshot-id', ref: branch, snapshotId: head },
        ],
        updates: [
          { action: 'set-snapshot-ref', refName: 'main', snapshotId: head, type: 'branch' },
          { action: 'remove-snapshot-ref', refName: branch },
          { action: 'set-properties', updates: { ...options.properties, [METADATA_COMMIT_KEY]: commitId } },
        ],
      };
    },
    { commitId, landed: (m) => landedBy(commitId)(m) && m.refs[branch] === undefined, ...pick(options) },
  );
}
