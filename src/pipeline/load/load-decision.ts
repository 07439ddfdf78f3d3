/**
 * What a `floe load` of one table does, decided from the table's metadata alone (pure):
 * skip a completed load, resume a keyed load left on its branch, or start a fresh load
 * (dropping abandoned branches). The table is the source of truth; nothing else is consulted.
 */
import type { TableMetadata } from '../../iceberg/spec/types.ts';
import { currentSnapshot } from '../../iceberg/table/metadata-access.ts';
import { branchBase, branchLoads, LOAD_KEYS, type BranchLoad, type LoadPlan } from './load-state.ts';

export type LoadDecision =
  | { readonly kind: 'skip'; readonly completeRun: string }
  | { readonly kind: 'resume'; readonly branch: BranchLoad; readonly plan: LoadPlan; readonly expectedMain: bigint | null; readonly drop: readonly string[] }
  | { readonly kind: 'fresh'; readonly reload: boolean; readonly expectedMain: bigint | null; readonly drop: readonly string[]; readonly why: string }
  | { readonly kind: 'refuse'; readonly message: string };

export interface DecisionInput {
  readonly reload: boolean;
  /** Loaded source columns and key columns as the config gives them now. */
  readonly columns: readonly string[];
  readonly keyColumns: readonly string[];
  /** False when the load must read in a snapshot given from outside (a new replication slot's): branches from before it cannot be resumed gaplessly. */
  readonly resumable: boolean;
  /** The plan of the newest load branch, when it could be read. */
  readonly newestPlan: LoadPlan | undefined;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Decides; `label` names the table in the refusal message. */
export function decideLoad(metadata: TableMetadata, input: DecisionInput, label: string): LoadDecision {
  const branches = branchLoads(metadata);
  const main = currentSnapshot(metadata)?.snapshotId ?? null;
  const all = branches.map((b) => b.branch);
  const fresh = (why: string): LoadDecision => ({ kind: 'fresh', reload: main !== null, expectedMain: main, drop: all, why });
  if (input.reload) return fresh('--reload');
  const newest = branches[0];
  if (newest !== undefined) {
    const plan = input.newestPlan;
    if (!input.resumable) return fresh(`load ${newest.loadId} predates the replication slot's snapshot: restarting`);
    if (plan === undefined || plan.loadId !== newest.loadId) return fresh(`load ${newest.loadId} left no readable plan: restarting`);
    if (plan.strategy !== 'pk') return fresh(`load ${newest.loadId} was split by ctid, which cannot resume: restarting`);
    if (!same(plan.columns, input.columns) || !same(plan.keyColumns, input.keyColumns)) return fresh(`load ${newest.loadId} had other columns or key: restarting`);
    const base = branchBase(metadata, newest.headSnapshotId, newest.loadId);
    if (base !== main) return fresh(`main moved since load ${newest.loadId} began: restarting`);
    return { kind: 'resume', branch: newest, plan, expectedMain: base, drop: all.filter((b) => b !== newest.branch) };
  }
  const completeRun = metadata.properties[LOAD_KEYS.completeRun];
  if (completeRun !== undefined) return { kind: 'skip', completeRun };
  if (main !== null) {
    return { kind: 'refuse', message: `table ${label} already holds data that no floe load published; rerun with --reload to replace it` };
  }
  return fresh('first load');
}
