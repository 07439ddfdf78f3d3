import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestContent, type ManifestFile } from '../spec/types.ts';
import { DEFAULT_MANIFEST_MERGE, manifestMergeSettings, packFromEnd, planManifestMerge, type PlannedManifest } from './manifest-merge-plan.ts';

function manifest(name: string, length = 100, content: ManifestContent = ManifestContent.Data, specId = 0): ManifestFile {
  return {
    manifestPath: name,
    manifestLength: length,
    partitionSpecId: specId,
    content,
    sequenceNumber: 1,
    minSequenceNumber: 1,
    addedSnapshotId: 1n,
    addedFilesCount: 1,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: 1,
    existingRowsCount: 0,
    deletedRowsCount: 0,
  };
}

/** The plan as names: `a` kept, `[a b]` merged. */
function shape(plan: readonly PlannedManifest[]): string[] {
  return plan.map((p) => (p.kind === 'keep' ? p.manifest.manifestPath : `[${p.manifests.map((m) => m.manifestPath).join(' ')}]`));
}

const settings = { enabled: true, minCountToMerge: 4, targetSizeBytes: 1000 };

test('settings follow the commit.manifest* properties, Java defaults otherwise', () => {
  assert.deepEqual(manifestMergeSettings({}), DEFAULT_MANIFEST_MERGE);
  assert.deepEqual(DEFAULT_MANIFEST_MERGE, { enabled: true, minCountToMerge: 100, targetSizeBytes: 8 * 1024 * 1024 });
  assert.deepEqual(
    manifestMergeSettings({ 'commit.manifest-merge.enabled': 'FALSE', 'commit.manifest.min-count-to-merge': '4', 'commit.manifest.target-size-bytes': '1024' }),
    { enabled: false, minCountToMerge: 4, targetSizeBytes: 1024 },
  );
  assert.equal(manifestMergeSettings({ 'commit.manifest-merge.enabled': 'yes' }).enabled, false, 'only "true" enables, as Boolean.parseBoolean');
  assert.equal(manifestMergeSettings({ 'commit.manifest.min-count-to-merge': 'lots' }).minCountToMerge, 100);
  assert.equal(manifestMergeSettings({ 'commit.manifest.target-size-bytes': '0' }).targetSizeBytes, 8 * 1024 * 1024);
});

test('packing from the end keeps order and leaves the under-filled bin at the front', () => {
  assert.deepEqual(packFromEnd([3, 3, 3, 3, 3], (n) => n, 6), [[3], [3, 3], [3, 3]]);
  assert.deepEqual(packFromEnd([1, 9, 2, 2], (n) => n, 5), [[1], [9], [2, 2]], 'a heavy item gets its own bin');
  assert.deepEqual(packFromEnd([], (n: number) => n, 5), []);
});

test('the bin with the newest manifest waits for min-count; other bins of two or more merge', () => {
  const three = ['n', 'a', 'b'].map((x) => manifest(x));
  assert.deepEqual(shape(planManifestMerge(three, settings)), ['n', 'a', 'b'], 'three < min-count 4');
  const four = ['n', 'a', 'b', 'c'].map((x) => manifest(x));
  assert.deepEqual(shape(planManifestMerge(four, settings)), ['[n a b c]']);
  // target 1000: from the end, [big] alone, then [c d] (two small ones beside an old full one)
  const mixed = [manifest('n'), manifest('big', 950), manifest('c', 400), manifest('d', 400)];
  assert.deepEqual(shape(planManifestMerge(mixed, settings)), ['n', 'big', '[c d]']);
  assert.deepEqual(shape(planManifestMerge(four, { ...settings, enabled: false })), ['n', 'a', 'b', 'c']);
});

test('data and delete manifests, and partition specs, never share a bin', () => {
  const list = [
    manifest('nd'),
    manifest('nx', 100, ManifestContent.Deletes),
    manifest('d1'),
    manifest('x1', 100, ManifestContent.Deletes),
    manifest('d2'),
    manifest('x2', 100, ManifestContent.Deletes),
    manifest('d3'),
    manifest('old1', 100, ManifestContent.Data, 1),
    manifest('old2', 100, ManifestContent.Data, 1),
  ];
  const plan = planManifestMerge(list, settings);
  assert.deepEqual(shape(plan), ['[old1 old2]', '[nd d1 d2 d3]', 'nx', 'x1', 'x2']);
  const merged = plan.filter((p) => p.kind === 'merge');
  assert.deepEqual(merged.map((p) => [p.specId, p.content]), [[1, ManifestContent.Data], [0, ManifestContent.Data]]);
});
