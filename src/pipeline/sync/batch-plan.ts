/** Pure helpers of the sync loop: routing a batch's changes per table, merging checkpoints. */
import type { Change } from '../../core/change.ts';
import type { CheckpointSummary } from './change-source.ts';

/**
 * The changes per target table, each list in source order. `sourceToTarget` maps
 * `Change.table` (`schema.table`) to the target; an unmapped table is an error (a source bug).
 */
export function groupByTable(changes: readonly Change[], sourceToTarget: ReadonlyMap<string, string>): Map<string, Change[]> {
  const out = new Map<string, Change[]>();
  for (const c of changes) {
    const target = sourceToTarget.get(c.table);
    if (target === undefined) throw new Error(`sync: change for source table ${c.table}, which no configured table reads`);
    const list = out.get(target);
    if (list === undefined) out.set(target, [c]);
    else list.push(c);
  }
  return out;
}

/** Later checkpoints win per table: each one already covers everything before it. */
export function mergeCheckpoints(into: Map<string, CheckpointSummary>, later: ReadonlyMap<string, CheckpointSummary>): void {
  for (const [target, summary] of later) into.set(target, summary);
}
