/**
 * The bulk load's writes to the Iceberg table, all through `catalog.commitTable`: one commit
 * per chunk on the load's branch (refused when the branch already holds the chunk, so two runs
 * never add it twice), the plan file, dropping abandoned branches, and publishing: main moves
 * to the branch head, the branch goes and `floe.load.complete-run` is set, in ONE commit.
 */
import { tableName, type Catalog, type LoadedTable } from '../../catalog/catalog.ts';
import type { EventBus } from '../../core/events.ts';
import { commitWithRetry } from '../../iceberg/table/commit.ts';
import { commitChange, type CommittedSnapshot } from '../../iceberg/table/snapshot-producer.ts';
import { publishBranch } from '../../iceberg/table/table-updates.ts';
import type { DataFile, TableIdentifier } from '../../iceberg/spec/types.ts';
import type { FileIO } from '../../io/file-io.ts';
import { chunkSummary, doneChunks, LOAD_KEYS, loadBranch, parsePlan, type LoadPlan, type Watermark } from './load-state.ts';

/** The branch already holds this chunk (a concurrent run committed it): drop our copy. */
export class ChunkAlreadyCommittedError extends Error {
  override name = 'ChunkAlreadyCommittedError';
}

/** Where a load's plan file lives. */
export function planLocation(table: LoadedTable, loadId: string): string {
  return `${table.metadata.location}/metadata/floe-load-${loadId}-plan.json`;
}

/** Writes the plan once (AlreadyExistsError if a plan of that load exists). */
export async function writePlan(io: FileIO, path: string, plan: LoadPlan): Promise<void> {
  await io.writeNew(path, new TextEncoder().encode(JSON.stringify(plan)));
}

/** Reads and checks a plan file. */
export async function readPlan(io: FileIO, path: string): Promise<LoadPlan> {
  return parsePlan(new TextDecoder().decode(await io.read(path)), path);
}

export interface ChunkCommit {
  readonly plan: LoadPlan;
  readonly planPath: string;
  readonly chunkId: string;
  readonly files: readonly DataFile[];
  readonly readAt: Watermark;
  /** First commit of a reload: the branch starts by removing every file main has. */
  readonly removeAll: boolean;
}

/** Commits one chunk's files as one snapshot on the load's branch. */
export async function commitChunk(catalog: Catalog, io: FileIO, id: TableIdentifier, c: ChunkCommit, events?: EventBus): Promise<CommittedSnapshot> {
  const branch = loadBranch(c.plan.loadId);
  const chunk = c.plan.chunks.find((x) => x.id === c.chunkId);
  if (chunk === undefined) throw new Error(`load ${c.plan.loadId}: chunk ${c.chunkId} is not in the plan`);
  return commitChange(
    catalog,
    io,
    id,
    {
      addedFiles: c.files,
      branch,
      removeAll: c.removeAll,
      summary: chunkSummary(c.plan, c.planPath, c.chunkId, chunk.range, c.readAt),
      validate: (base) => {
        const head = base.metadata.refs[branch]?.snapshotId;
        if (head !== undefined && doneChunks(base.metadata, head, c.plan.loadId).has(c.chunkId)) {
          throw new ChunkAlreadyCommittedError(`table ${tableName(id)}: chunk ${c.chunkId} of load ${c.plan.loadId} is already on ${branch}`);
        }
      },
    },
    events === undefined ? {} : { events },
  );
}

/** Removes branches (abandoned loads) in one metadata commit. */
export async function dropBranches(catalog: Catalog, id: TableIdentifier, branches: readonly string[]): Promise<LoadedTable> {
  return commitWithRetry(
    catalog,
    id,
    async (base) => {
      const present = branches.filter((b) => base.metadata.refs[b] !== undefined);
      return {
        requirements: [{ type: 'assert-table-uuid', uuid: base.metadata.tableUuid }],
        updates: present.map((refName) => ({ action: 'remove-snapshot-ref' as const, refName })),
      };
    },
    { commitId: `drop-${branches.join(',')}`, landed: (m) => branches.every((b) => m.refs[b] === undefined) },
  );
}

/**
 * Makes the load visible: main → branch head, branch removed, `floe.load.complete-run` set,
 * in one atomic commit that requires main to still be `expectedMain` (the state the load
 * replaced or extended). A lost race against another writer of main → CommitConflictError.
 */
export async function publishLoad(catalog: Catalog, id: TableIdentifier, loadId: string, expectedMain: bigint | null, events?: EventBus): Promise<LoadedTable> {
  return publishBranch(catalog, id, loadBranch(loadId), expectedMain, {
    commitId: `publish-${loadId}`,
    properties: { [LOAD_KEYS.completeRun]: loadId },
    ...(events === undefined ? {} : { events }),
  });
}
