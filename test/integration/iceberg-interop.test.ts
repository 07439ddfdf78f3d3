/**
 * floe's Iceberg write path checked by an independent reader: floe writes tables through the
 * SQL catalog (SQLite) and pyiceberg reads every snapshot through the same catalog; the
 * reverse too. Values compare exactly (see test/support/canonical.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlCatalog } from '../../src/catalog/sql/sql-catalog.ts';
import { SqliteDriver } from '../../src/catalog/sql/sqlite-driver.ts';
import { LocalFileIO, toLocalPath } from '../../src/io/local-file-io.ts';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { EntryStatus, type PartitionSpec, type Row, type Schema, type TableIdentifier } from '../../src/iceberg/spec/types.ts';
import { readManifestList } from '../../src/iceberg/manifest/manifest-list.ts';
import { readManifest } from '../../src/iceberg/manifest/manifest-reader.ts';
import { isoToMicros, isoDateToDays, isoTimeToMicros } from '../../src/iceberg/spec/values.ts';
import { appendRows, deleteRowsAt } from '../../src/iceberg/table/table-writer.ts';
import { readAllRows, scanRowsWithPositions, type LocatedRow } from '../../src/iceberg/table/scan.ts';
import { updateSchema } from '../../src/iceberg/table/table-updates.ts';
import { commitChange } from '../../src/iceberg/table/snapshot-producer.ts';
import { currentSchema } from '../../src/iceberg/table/metadata-access.ts';
import { liveFiles } from '../../src/iceberg/table/scan-planner.ts';
import type { Change } from '../../src/core/change.ts';
import { openTableApplier } from '../../src/cdc/apply/apply-batch.ts';
import { checkpointSummary } from '../../src/cdc/apply/checkpoint.ts';
import { canonicalRows, sortCanonical } from '../support/canonical.ts';
import { pyicebergInfo, pyicebergScan, pyicebergWriteSample, type SqlCatalogSpec } from '../support/pyiceberg.ts';

let dir: string;
let spec: SqlCatalogSpec;
let catalog: Catalog;
const io = new LocalFileIO();

async function openCatalog(): Promise<Catalog> {
  return SqlCatalog.open({ name: 'floe_test', driver: new SqliteDriver(join(dir, 'catalog.db')), warehouse: spec.warehouse, io });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-interop-'));
  spec = { name: 'floe_test', uri: `sqlite:///${join(dir, 'catalog.db')}`, warehouse: `file://${join(dir, 'warehouse')}` };
  catalog = await openCatalog();
  await catalog.createNamespace(['db']);
});

after(async () => {
  await catalog.close();
  await rm(dir, { recursive: true, force: true });
});

const field = (id: number, name: string, type: Schema['fields'][number]['type'], required = false) => ({ id, name, required, type });

const everyType: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    field(1, 'id', { type: 'long' }, true),
    field(2, 'b', { type: 'boolean' }),
    field(3, 'i', { type: 'int' }),
    field(4, 'f', { type: 'float' }),
    field(5, 'd', { type: 'double' }),
    field(6, 'dec38', { type: 'decimal', precision: 38, scale: 10 }),
    field(7, 'dec9', { type: 'decimal', precision: 9, scale: 2 }),
    field(8, 'day', { type: 'date' }),
    field(9, 't', { type: 'time' }),
    field(10, 'ts', { type: 'timestamp' }),
    field(11, 'tstz', { type: 'timestamptz' }),
    field(12, 's', { type: 'string' }),
    field(13, 'u', { type: 'uuid' }),
    field(14, 'bin', { type: 'binary' }),
    field(15, 'fx', { type: 'fixed', length: 4 }),
    field(16, 'st', { type: 'struct', fields: [field(19, 'x', { type: 'int' }), field(20, 'y', { type: 'string' })] }),
    field(17, 'li', { type: 'list', elementId: 21, elementRequired: false, element: { type: 'long' } }),
    field(18, 'mp', { type: 'map', keyId: 22, key: { type: 'string' }, valueId: 23, valueRequired: false, value: { type: 'double' } }),
  ],
};

const MAX_DEC38 = 10n ** 38n - 1n;

function edgeRows(): Row[] {
  const base: Row[] = [
    {
      id: 1n, b: true, i: 2147483647, f: Number.NaN, d: -0, dec38: MAX_DEC38, dec9: 99999999n, day: isoDateToDays('1969-12-31'),
      t: isoTimeToMicros('23:59:59.999999'), ts: isoToMicros('1900-01-01T00:00:00.000001'), tstz: isoToMicros('2262-04-11T23:47:16.854775Z'),
      s: '', u: '00000000-0000-0000-0000-000000000000', bin: new Uint8Array([]), fx: new Uint8Array([0, 1, 2, 255]),
      st: { x: -1, y: 'ünï' }, li: [1n, null, -9223372036854775808n], mp: new Map([['a', 1.5], ['b', null]]),
    },
    {
      id: -9223372036854775808n, b: false, i: -2147483648, f: Infinity, d: Number.MAX_VALUE, dec38: -MAX_DEC38, dec9: -1n, day: isoDateToDays('9999-12-31'),
      t: 0n, ts: isoToMicros('1970-01-01T00:00:00'), tstz: isoToMicros('0001-01-01T00:00:00Z'), s: '名前 — "quoted" \\ back',
      u: 'ffffffff-ffff-ffff-ffff-ffffffffffff', bin: new Uint8Array([0, 0, 0]), fx: new Uint8Array([9, 9, 9, 9]),
      st: null, li: [], mp: new Map(),
    },
    {
      id: 9223372036854775807n, b: null, i: null, f: -0, d: Number.NaN, dec38: 0n, dec9: null, day: isoDateToDays('0001-01-01'),
      t: null, ts: null, tstz: isoToMicros('1969-12-31T23:59:59.999999Z'), s: null, u: null, bin: null, fx: null,
      st: { x: null, y: null }, li: null, mp: null,
    },
  ];
  const more: Row[] = Array.from({ length: 50 }, (_, k) => ({
    id: BigInt(k + 10), b: k % 2 === 0, i: k, f: k / 4, d: k * 1.1, dec38: BigInt(k) * 12345678901n, dec9: BigInt(k), day: k,
    t: BigInt(k) * 1_000_001n, ts: BigInt(k) * 86_400_000_000n, tstz: BigInt(k) * 3_600_000_001n, s: `row-${k}`,
    u: `${String(k).padStart(8, '0')}-1234-5678-9abc-def012345678`, bin: new Uint8Array([k]), fx: new Uint8Array([k, k, k, k]),
    st: { x: k, y: `y${k}` }, li: [BigInt(k)], mp: new Map([[`k${k}`, k]]),
  }));
  return [...base, ...more];
}

test('floe writes every type with edge values; pyiceberg reads each snapshot exactly', async () => {
  const id: TableIdentifier = { namespace: ['db'], name: 'every_type' };
  await catalog.createTable(id, { schema: everyType });
  const rows = edgeRows();
  const first = await appendRows(catalog, io, id, rows.slice(0, 30));
  const second = await appendRows(catalog, io, id, rows.slice(30));
  const schema = currentSchema(second.table.metadata);

  assert.deepEqual(await pyicebergScan(spec, 'db.every_type', first.snapshot.snapshotId), canonicalRows(schema, rows.slice(0, 30)));
  assert.deepEqual(await pyicebergScan(spec, 'db.every_type'), canonicalRows(schema, rows));
  assert.deepEqual(canonicalRows(schema, await readAllRows(io, second.table.metadata)), canonicalRows(schema, rows));

  const info = await pyicebergInfo(spec, 'db.every_type');
  assert.equal(info.format_version, 2);
  assert.equal(info.snapshots.length, 2);
  assert.equal(info.snapshots[1]!.summary['total-records'], String(rows.length));
});

test('row deltas (position deletes + new rows) and schema changes read right in pyiceberg', async () => {
  const id: TableIdentifier = { namespace: ['db'], name: 'deltas' };
  const schema: Schema = { schemaId: 0, identifierFieldIds: [1], fields: [field(1, 'id', { type: 'long' }, true), field(2, 'v', { type: 'int' }), field(3, 'f', { type: 'float' })] };
  await catalog.createTable(id, { schema });
  const rows: Row[] = Array.from({ length: 20 }, (_, k) => ({ id: BigInt(k), v: k, f: k / 2 }));
  const appended = await appendRows(catalog, io, id, rows);

  // Delete ids 3 and 7 and update id 5 (delete + insert), in one snapshot.
  const located: LocatedRow[] = [];
  for await (const batch of scanRowsWithPositions(io, appended.table.metadata)) located.push(...batch);
  const victims = located.filter((r) => [3n, 5n, 7n].includes(r.row['id'] as bigint));
  const delta = await deleteRowsAt(catalog, io, id, victims.map((v) => v.position), [{ id: 5n, v: 500, f: 2.5 }]);
  assert.equal(delta.snapshot.summary.operation, 'overwrite');
  let expected = rows.filter((r) => ![3n, 5n, 7n].includes(r['id'] as bigint)).concat([{ id: 5n, v: 500, f: 2.5 }]);
  assert.deepEqual(await pyicebergScan(spec, 'db.deltas'), canonicalRows(schema, expected));
  assert.deepEqual(await pyicebergScan(spec, 'db.deltas', appended.snapshot.snapshotId), canonicalRows(schema, rows));

  // Widen int -> long and float -> double, add a column; old rows read the new column as null.
  const evolved = await updateSchema(catalog, id, [
    { kind: 'update-column-type', name: 'v', type: { type: 'long' } },
    { kind: 'update-column-type', name: 'f', type: { type: 'double' } },
    { kind: 'add-column', name: 'note', type: { type: 'string' } },
    { kind: 'rename-column', name: 'f', newName: 'ratio' },
  ]);
  const schema2 = currentSchema(evolved.metadata);
  await appendRows(catalog, io, id, [{ id: 100n, v: 5_000_000_000n, ratio: 0.1, note: 'new' }]);
  expected = expected.map((r) => ({ id: r['id']!, v: BigInt(r['v'] as number), ratio: r['f']!, note: null }));
  expected.push({ id: 100n, v: 5_000_000_000n, ratio: 0.1, note: 'new' });
  assert.deepEqual(await pyicebergScan(spec, 'db.deltas'), canonicalRows(schema2, expected));
  const latest = await catalog.loadTable(id);
  assert.deepEqual(canonicalRows(schema2, await readAllRows(io, latest.metadata)), canonicalRows(schema2, expected));
});

test('merged manifests (data and deletes, min-count lowered) read right in pyiceberg, every snapshot', async () => {
  const id: TableIdentifier = { namespace: ['db'], name: 'merged' };
  const schema: Schema = { schemaId: 0, identifierFieldIds: [1], fields: [field(1, 'id', { type: 'long' }, true), field(2, 'v', { type: 'int' })] };
  await catalog.createTable(id, { schema, properties: { 'commit.manifest.min-count-to-merge': '3' } });
  const model = new Map<bigint, Row>();
  const snapshots: { snapshotId: bigint; rows: Row[] }[] = [];
  let next = 0;
  let table = await catalog.loadTable(id);
  for (let round = 0; round < 8; round++) {
    const rows: Row[] = Array.from({ length: 4 }, () => ({ id: BigInt(next), v: next++ }));
    for (const r of rows) model.set(r['id'] as bigint, r);
    const appended = await appendRows(catalog, io, id, rows);
    snapshots.push({ snapshotId: appended.snapshot.snapshotId, rows: [...model.values()] });
    const live: LocatedRow[] = [];
    for await (const batch of scanRowsWithPositions(io, appended.table.metadata)) live.push(...batch);
    // delete one row and update another (delete + insert), both usually in files of earlier snapshots
    const victim = live[(round * 5) % live.length]!;
    const update = live[(round * 5 + 2) % live.length]!;
    const updated: Row = { id: update.row['id']!, v: 1000 + round };
    model.delete(victim.row['id'] as bigint);
    model.set(updated['id'] as bigint, updated);
    const delta = await deleteRowsAt(catalog, io, id, [victim.position, update.position], [updated]);
    snapshots.push({ snapshotId: delta.snapshot.snapshotId, rows: [...model.values()] });
    table = delta.table;
  }
  // The current list was merged: fewer manifests than commits, some entries EXISTING.
  const current = table.metadata.snapshots.find((s) => s.snapshotId === table.metadata.currentSnapshotId)!;
  const manifests = await readManifestList(io, current.manifestList);
  assert.ok(manifests.length <= 6, `${manifests.length} manifests after 16 commits`);
  const statuses = new Set<number>();
  for (const m of manifests) for (const e of await readManifest(io, m)) statuses.add(e.status);
  assert.ok(statuses.has(EntryStatus.Existing), 'merged manifests hold EXISTING entries');
  for (const { snapshotId, rows } of snapshots) {
    assert.deepEqual(await pyicebergScan(spec, 'db.merged', snapshotId), canonicalRows(schema, rows), `snapshot ${snapshotId}`);
  }
  assert.deepEqual(canonicalRows(schema, await readAllRows(io, table.metadata)), canonicalRows(schema, [...model.values()]));
});

test('after sync expired snapshots and deleted their files, pyiceberg reads every kept snapshot and the current rows', async () => {
  const id: TableIdentifier = { namespace: ['db'], name: 'expired' };
  const schema: Schema = { schemaId: 0, identifierFieldIds: [1], fields: [field(1, 'id', { type: 'long' }, true), field(2, 'v', { type: 'string' })] };
  await catalog.createTable(id, { schema, properties: { 'commit.manifest.min-count-to-merge': '4', 'write.metadata.delete-after-commit.enabled': 'true', 'write.metadata.previous-versions-max': '5' } });
  let clock = Date.now();
  const applier = await openTableApplier({ catalog, io, id, indexPath: join(dir, 'expired.sqlite'), now: () => clock, snapshotRetention: { maxAgeMs: 10 * 60_000, minSnapshotsToKeep: 3 } });
  const model = new Map<bigint, Row>();
  const states = new Map<bigint, Row[]>();
  try {
    for (let i = 0; i < 30; i++) {
      clock += 60_000;
      const changes: Change[] = [
        { table: 't', op: 'upsert', key: { id: BigInt(i % 9) }, after: { id: BigInt(i % 9), v: `v${i}` }, before: null, unchanged: [], position: {} },
        { table: 't', op: 'delete', key: { id: BigInt((i + 4) % 9) }, after: null, before: null, unchanged: [], position: {} },
      ];
      if (i === 15) changes.splice(0, 2, { table: 't', op: 'truncate', key: null, after: null, before: null, unchanged: [], position: {} });
      const r = await applier.apply(changes, { summary: checkpointSummary(new Map([['pg.db.t', new Map([[0, BigInt(i)]])]]), null) });
      for (const c of changes) {
        if (c.op === 'truncate') model.clear();
        else if (c.op === 'delete') model.delete(c.key!['id'] as bigint);
        else model.set(c.after!['id'] as bigint, c.after!);
      }
      states.set(r.snapshot!.snapshotId, [...model.values()]);
    }
  } finally {
    await applier.close();
  }
  const info = await pyicebergInfo(spec, 'db.expired');
  assert.ok(info.snapshots.length < 15, `${info.snapshots.length} snapshots kept of 30`);
  for (const s of info.snapshots) {
    const snapshotId = BigInt(s.snapshot_id);
    assert.deepEqual(await pyicebergScan(spec, 'db.expired', snapshotId), canonicalRows(schema, states.get(snapshotId)!), `snapshot ${snapshotId}`);
  }
  assert.deepEqual(await pyicebergScan(spec, 'db.expired'), canonicalRows(schema, [...model.values()]));
  const metadataFiles = (await readdir(join(dir, 'warehouse', 'db', 'expired', 'metadata'))).filter((f) => f.endsWith('.metadata.json'));
  assert.equal(metadataFiles.length, 6, 'the current metadata file and the 5 in metadata-log');
});

test('partitioned tables (identity, bucket, day, month, truncate) read right in pyiceberg', async () => {
  const id: TableIdentifier = { namespace: ['db'], name: 'parted' };
  const schema: Schema = {
    schemaId: 0,
    identifierFieldIds: [],
    fields: [field(1, 'id', { type: 'long' }, true), field(2, 'region', { type: 'string' }), field(3, 'at', { type: 'timestamptz' }), field(4, 'day', { type: 'date' }), field(5, 'code', { type: 'string' })],
  };
  const partitionSpec: PartitionSpec = {
    specId: 0,
    fields: [
      { sourceId: 2, fieldId: 1000, name: 'region', transform: 'identity' },
      { sourceId: 1, fieldId: 1001, name: 'id_bucket', transform: 'bucket[4]' },
      { sourceId: 3, fieldId: 1002, name: 'at_day', transform: 'day' },
      { sourceId: 4, fieldId: 1003, name: 'day_month', transform: 'month' },
      { sourceId: 5, fieldId: 1004, name: 'code_trunc', transform: 'truncate[2]' },
    ],
  };
  const created = await catalog.createTable(id, { schema, spec: partitionSpec });
  const rows: Row[] = Array.from({ length: 40 }, (_, k) => ({
    id: BigInt(k),
    region: k % 3 === 0 ? null : ['eu/west', 'us east', 'ä'][k % 3]!,
    at: isoToMicros('1969-12-30T12:00:00Z') + BigInt(k) * 21_600_000_000n,
    day: isoDateToDays('1999-11-15') + k * 9,
    code: `c${k % 5}xyz`,
  }));
  const result = await appendRows(catalog, io, id, rows);
  const files = (await liveFiles(io, result.table.metadata)).data;
  assert.ok(files.length > 5, `expected one file per partition, got ${files.length}`);
  assert.ok(files.every((f) => f.dataFile.filePath.includes('/data/region=')), 'files sit under Hive-style partition paths');
  assert.deepEqual(await pyicebergScan(spec, 'db.parted'), canonicalRows(currentSchema(created.metadata), rows));
});

test('floe reads and appends to a table pyiceberg wrote', async () => {
  const written = await pyicebergWriteSample(spec, 'db.from_py');
  const id: TableIdentifier = { namespace: ['db'], name: 'from_py' };
  const table = await catalog.loadTable(id);
  const schema = currentSchema(table.metadata);
  assert.deepEqual(canonicalRows(schema, await readAllRows(io, table.metadata)), sortCanonical(written));
  const extra: Row = { id: 4n, name: 'floe', amount: 12345n };
  await appendRows(catalog, io, id, [extra]);
  const after = await pyicebergScan(spec, 'db.from_py');
  assert.deepEqual(after, sortCanonical([...written, ...canonicalRows(schema, [extra])]));
});

test('two writers committing at once: no snapshot lost, both writes present', async () => {
  const id: TableIdentifier = { namespace: ['db'], name: 'racing' };
  const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields: [field(1, 'writer', { type: 'int' }, true), field(2, 'n', { type: 'int' }, true)] };
  await catalog.createTable(id, { schema });
  const other = await openCatalog();
  try {
    const write = async (c: Catalog, writer: number) => {
      for (let n = 0; n < 5; n += 1) await appendRows(c, io, id, [{ writer, n }]);
    };
    await Promise.all([write(catalog, 1), write(other, 2)]);
  } finally {
    await other.close();
  }
  const rows = await pyicebergScan(spec, 'db.racing');
  assert.equal(rows.length, 10);
  const info = await pyicebergInfo(spec, 'db.racing');
  assert.equal(info.snapshots.length, 10);
});

test('bad input: corrupt metadata, a missing manifest, an unknown format version name the file', async () => {
  const id: TableIdentifier = { namespace: ['db'], name: 'broken' };
  const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields: [field(1, 'x', { type: 'int' })] };
  await catalog.createTable(id, { schema });
  const good = await appendRows(catalog, io, id, [{ x: 1 }, { x: 2 }]);

  // A commit abandoned mid-way leaves the table as it was.
  await assert.rejects(
    commitChange(catalog, io, id, { addedFiles: [], removeAll: true, validate: () => { throw new Error('changed my mind'); } }),
    /changed my mind/,
  );
  const still = await catalog.loadTable(id);
  assert.equal(still.metadataLocation, good.table.metadataLocation);
  assert.equal((await readAllRows(io, still.metadata)).length, 2);

  const metadataPath = toLocalPath(good.table.metadataLocation);
  const original = await readFile(metadataPath, 'utf8');
  try {
    await writeFile(metadataPath, original.slice(0, original.length / 2));
    await assert.rejects(catalog.loadTable(id), (e: Error) => e.message.includes(good.table.metadataLocation) || e.message.includes(metadataPath));
    await writeFile(metadataPath, original.replace('"format-version":2', '"format-version":7').replace('"format-version" : 2', '"format-version" : 7'));
    await assert.rejects(catalog.loadTable(id), /format-version|format version/);
  } finally {
    await writeFile(metadataPath, original);
  }
  const manifestList = good.snapshot.manifestList;
  const manifestPath = toLocalPath(manifestList);
  const listBytes = await readFile(manifestPath);
  try {
    await rm(manifestPath);
    await assert.rejects(readAllRows(io, good.table.metadata), (e: Error) => e.message.includes(manifestList) || e.message.includes(manifestPath));
  } finally {
    await writeFile(manifestPath, listBytes);
  }
  assert.equal((await readAllRows(io, (await catalog.loadTable(id)).metadata)).length, 2, 'the table stays readable');
});
