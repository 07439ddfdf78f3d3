/**
 * Manifest merge planning, as Java Iceberg's merging append and row delta do it: which
 * manifests of a new manifest list to rewrite into one. Pure; the snapshot producer does the
 * reading and writing. Rules (Java's ManifestMergeManager, run once for data manifests and
 * once for delete manifests):
 * - manifests are grouped by partition spec id;
 * - a group is bin-packed by manifest size to the target size, from the end of the list with a
 *   lookback of one, so order is kept and the under-filled bin is the newest one;
 * - a bin of one manifest is kept as it is;
 * - the bin holding the list's first manifest of that content (the one this commit wrote, or
 *   else the newest carried one) is merged only when it holds at least min-count manifests;
 * - any other bin of two or more is merged.
 */
import { ManifestContent, type ManifestFile } from '../spec/types.ts';

export interface ManifestMergeSettings {
  readonly enabled: boolean;
  readonly minCountToMerge: number;
  readonly targetSizeBytes: number;
}

/** Java's defaults for the three commit.manifest* table properties. */
export const DEFAULT_MANIFEST_MERGE: ManifestMergeSettings = { enabled: true, minCountToMerge: 100, targetSizeBytes: 8 * 1024 * 1024 };

/** One planned output of the new list: a manifest kept as is, or manifests to merge into one. */
export type PlannedManifest =
  | { readonly kind: 'keep'; readonly manifest: ManifestFile }
  | { readonly kind: 'merge'; readonly specId: number; readonly content: ManifestContent; readonly manifests: readonly ManifestFile[] };

function intAtLeast(min: number, value: string | undefined, fallback: number): number {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isSafeInteger(n) && n >= min ? n : fallback;
}

/**
 * The merge settings a table's properties ask for: `commit.manifest-merge.enabled`,
 * `commit.manifest.min-count-to-merge`, `commit.manifest.target-size-bytes`. As in Java, the
 * flag is on only when it reads `true` (any case); numbers that are not valid take the default.
 */
export function manifestMergeSettings(properties: Readonly<Record<string, string>>): ManifestMergeSettings {
  const enabled = properties['commit.manifest-merge.enabled'];
  return {
    enabled: enabled === undefined ? DEFAULT_MANIFEST_MERGE.enabled : enabled.trim().toLowerCase() === 'true',
    minCountToMerge: intAtLeast(0, properties['commit.manifest.min-count-to-merge'], DEFAULT_MANIFEST_MERGE.minCountToMerge),
    targetSizeBytes: intAtLeast(1, properties['commit.manifest.target-size-bytes'], DEFAULT_MANIFEST_MERGE.targetSizeBytes),
  };
}

/**
 * Bins of `items` (in order) by `weight`, packed from the end with one open bin: a bin takes
 * the next older item while it stays within `target`; an item heavier than the target gets a
 * bin of its own. Bins and their items come back in the input order.
 */
export function packFromEnd<T>(items: readonly T[], weight: (item: T) => number, target: number): T[][] {
  const bins: T[][] = [];
  let open: T[] | undefined;
  let openWeight = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    const w = weight(item);
    if (open !== undefined && openWeight + w <= target) {
      open.push(item);
      openWeight += w;
    } else {
      open = [item];
      openWeight = w;
      bins.push(open);
    }
  }
  return bins.reverse().map((bin) => bin.reverse());
}

function planContent(manifests: readonly ManifestFile[], settings: ManifestMergeSettings): PlannedManifest[] {
  const first = manifests[0];
  const bySpec = new Map<number, ManifestFile[]>();
  for (const m of manifests) {
    const group = bySpec.get(m.partitionSpecId) ?? [];
    group.push(m);
    bySpec.set(m.partitionSpecId, group);
  }
  const planned: PlannedManifest[] = [];
  // Newest spec first, as Java orders its groups.
  for (const specId of [...bySpec.keys()].sort((a, b) => b - a)) {
    for (const bin of packFromEnd(bySpec.get(specId)!, (m) => m.manifestLength, settings.targetSizeBytes)) {
      const tooFew = bin.length === 1 || (first !== undefined && bin.includes(first) && bin.length < settings.minCountToMerge);
      if (tooFew) planned.push(...bin.map((manifest) => ({ kind: 'keep' as const, manifest })));
      else planned.push({ kind: 'merge', specId, content: bin[0]!.content, manifests: bin });
    }
  }
  return planned;
}

/**
 * The plan for a new manifest list (its manifests newest first, as the producer lists them):
 * data manifests, then delete manifests, each kept or in a bin to merge. With merging
 * disabled every manifest is kept, in the given order.
 */
export function planManifestMerge(manifests: readonly ManifestFile[], settings: ManifestMergeSettings): PlannedManifest[] {
  if (!settings.enabled) return manifests.map((manifest) => ({ kind: 'keep', manifest }));
  const data = manifests.filter((m) => m.content === ManifestContent.Data);
  const deletes = manifests.filter((m) => m.content !== ManifestContent.Data);
  return [...planContent(data, settings), ...planContent(deletes, settings)];
}
