/** Pure helpers of the sync loop: routing a batch's changes per table, merging checkpoints. */
import type { Change } from '../../core/change.ts';
import type { CheckpointSummary } from './change-source.ts';

/**
 * The changes per target table, each list in source order. `sourceToTarget` maps
 * `Change.table` (`schema.table`) to the target; an unmapped table is an error (a source bug).
 * A batch of one source table (the usual case) comes back as `changes` itself, not a copy.
 */
export function groupByTable(changes: readonly Change[], sourceToTarget: ReadonlyMap<string, string>): Map<string, readonly Change[]> {
  const out = new Map<string, Change[]>();
  if (changes.length === 0) return out;
  const first = changes[0]!.table;
  let same = 1;
  while (same < changes.length && changes[same]!.table === first) same += 1;
  if (same === changes.length) return new Map([[targetOf(first, sourceToTarget), changes]]);
  // Changes come in runs of one table: the map is asked once a run, not once a change.
  let runTable: string | undefined;
  let runList: Change[] = [];
  for (const c of changes) {
    if (c.table !== runTable) {
      runTable = c.table;
      const target = targetOf(c.table, sourceToTarget);
      const list = out.get(target);
      if (list === undefined) out.set(target, (runList = []));
      else runList = list;
    }
    runList.push(c);
  }
  return out;
}

function targetOf(table: string, sourceToTarget: ReadonlyMap<string, string>): string {
  const target = sourceToTarget.get(table);
  if (target === undefined) throw new Error(`sync: change for source table ${table}, which no configured table reads`);
  return target;
}

/** Later checkpoints win per table: each one already covers everything before it. */
export function mergeCheckpoints(into: Map<string, CheckpointSummary>, later: ReadonlyMap<string, CheckpointSummary>): void {
  for (const [target, summary] of later) into.set(target, summary);
}
