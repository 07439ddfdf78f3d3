/**
 * The Catalog contract as one test body; memory, SQLite and PostgreSQL run it against themselves.
 * `open(name, io?)` returns a catalog for catalog name `name`; two calls with the same name must
 * see the same tables (two processes). Each test uses a fresh name, so runs never collide.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { AlreadyExistsError, CommitConflictError, NotFoundError } from '../../src/core/errors.ts';
import { parseTableMetadata } from '../../src/iceberg/spec/metadata-json.ts';
import type { Schema, Snapshot, TableIdentifier, TableRequirement, TableUpdate } from '../../src/iceberg/spec/types.ts';
import type { FileIO } from '../../src/io/file-io.ts';

/** One catalog implementation under test. */
export interface CatalogTarget {
  readonly name: string;
  readonly warehouse: string; // must match where open() writes tables by default
  readonly io: FileIO; // what open() uses when no io is given
  open(catalogName: string, io?: FileIO): Promise<Catalog>;
}

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'amount', required: false, type: { type: 'decimal', precision: 12, scale: 2 } },
  ],
};

let seq = 0;
const snapshot = (id: bigint, sequenceNumber: number, parent?: bigint): Snapshot => ({
  snapshotId: id,
  sequenceNumber,
  timestampMs: 1_700_000_000_000 + sequenceNumber,
  manifestList: `memory://nowhere/snap-${id}.avro`,
  summary: { operation: 'append', 'floe.commit-id': `c${++seq}` },
  ...(parent === undefined ? {} : { parentSnapshotId: parent }),
});

/** Updates that append snapshot `id` on main, built on `parent`, with the requirement that main is still `parent`. */
function appendOn(parent: bigint | null, id: bigint, sequenceNumber: number): [TableRequirement[], TableUpdate[]] {
  return [
    [{ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: parent }],
    [
      { action: 'add-snapshot', snapshot: snapshot(id, sequenceNumber, parent ?? undefined) },
      { action: 'set-snapshot-ref', refName: 'main', snapshotId: id, type: 'branch' },
    ],
  ];
}

/** A FileIO that runs `hook` once, just before the first writeNew, and records every writeNew path. */
function interleavingIO(io: FileIO, hook: () => Promise<void>): { io: FileIO; written: string[] } {
  let fired = false;
  const written: string[] = [];
  const wrapped = Object.assign(Object.create(io) as FileIO, {
    writeNew: async (path: string, data: Uint8Array) => {
      if (!fired) {
        fired = true;
        await hook();
      }
      written.push(path);
      return io.writeNew(path, data);
    },
  });
  return { io: wrapped, written };
}

/** Registers the conformance tests for one catalog. */
export function catalogConformance(t: CatalogTarget): void {
  const fresh = async (): Promise<{ cat: Catalog; name: string; id: TableIdentifier }> => {
    const name = `c_${randomUUID().slice(0, 8)}`;
    const cat = await t.open(name);
    await cat.createNamespace(['ns']);
    return { cat, name, id: { namespace: ['ns'], name: 'orders' } };
  };

  describe(`Catalog conformance: ${t.name}`, () => {
    it('creates, lists and checks namespaces', async () => {
      const cat = await t.open(`c_${randomUUID().slice(0, 8)}`);
      try {
        await cat.createNamespace(['sales'], { owner: 'ana' });
        await cat.createNamespace(['org', 'eu']);
        assert.equal(await cat.namespaceExists(['sales']), true);
        assert.equal(await cat.namespaceExists(['org']), true, 'parent of a nested namespace exists');
        assert.equal(await cat.namespaceExists(['nope']), false);
        assert.deepEqual(await cat.listNamespaces(), [['org'], ['sales']]);
        assert.deepEqual(await cat.listNamespaces(['org']), [['org', 'eu']]);
        assert.deepEqual(await cat.namespaceProperties(['sales']), { owner: 'ana' });
        assert.deepEqual(await cat.namespaceProperties(['org', 'eu']), { exists: 'true' });
        await assert.rejects(cat.createNamespace(['sales']), AlreadyExistsError);
        await assert.rejects(cat.namespaceProperties(['nope']), NotFoundError);
      } finally {
        await cat.close();
      }
    });

    it('creates a table at <warehouse>/<ns>/<table> and loads it back', async () => {
      const { cat, id } = await fresh();
      try {
        const created = await cat.createTable(id, { schema, properties: { owner: 'floe' } });
        assert.equal(created.metadata.location, `${t.warehouse}/ns/orders`);
        assert.match(created.metadataLocation, new RegExp(`^${t.warehouse}/ns/orders/metadata/00000-[0-9a-f-]{36}\\.metadata\\.json$`));
        const loaded = await cat.loadTable(id);
        assert.deepEqual(loaded.metadata, created.metadata);
        assert.equal(loaded.metadataLocation, created.metadataLocation);
        assert.deepEqual(loaded.metadata.properties, { owner: 'floe' });
        assert.equal(await cat.tableExists(id), true);
        assert.deepEqual(await cat.listTables(['ns']), [id]);
        await assert.rejects(cat.createTable(id, { schema }), AlreadyExistsError);
        await assert.rejects(cat.createTable({ namespace: ['missing'], name: 'x' }, { schema }), NotFoundError);
      } finally {
        await cat.close();
      }
    });

    it('honours an explicit location and the namespace location property', async () => {
      const { cat } = await fresh();
      try {
        const a = await cat.createTable({ namespace: ['ns'], name: 'a' }, { schema, location: `${t.warehouse}/custom/a/` });
        assert.equal(a.metadata.location, `${t.warehouse}/custom/a`);
        await cat.createNamespace(['placed'], { location: `${t.warehouse}/elsewhere` });
        const b = await cat.createTable({ namespace: ['placed'], name: 'b' }, { schema });
        assert.equal(b.metadata.location, `${t.warehouse}/elsewhere/b`);
      } finally {
        await cat.close();
      }
    });

    it('drops a table (unknown afterwards) and reports missing tables', async () => {
      const { cat, id } = await fresh();
      try {
        await cat.createTable(id, { schema });
        await cat.dropTable(id);
        assert.equal(await cat.tableExists(id), false);
        await assert.rejects(cat.loadTable(id), (e: unknown) => e instanceof NotFoundError && e.message.includes('ns.orders'));
        await assert.rejects(cat.dropTable(id), NotFoundError);
        await assert.rejects(cat.commitTable(id, [], [{ action: 'set-properties', updates: { a: 'b' } }]), NotFoundError);
      } finally {
        await cat.close();
      }
    });

    it('commits: new numbered metadata file, metadata-log, exact 64-bit ids', async () => {
      const { cat, id } = await fresh();
      try {
        const created = await cat.createTable(id, { schema });
        const big = 9_123_456_789_012_345_678n;
        const [reqs, ups] = appendOn(null, big, 1);
        const c1 = await cat.commitTable(id, reqs, ups);
        assert.match(c1.metadataLocation, /\/metadata\/00001-[0-9a-f-]{36}\.metadata\.json$/);
        assert.equal(c1.metadata.currentSnapshotId, big);
        assert.deepEqual(c1.metadata.metadataLog.map((e) => e.metadataFile), [created.metadataLocation]);
        const [r2, u2] = appendOn(big, big + 1n, 2);
        const c2 = await cat.commitTable(id, r2, u2);
        assert.match(c2.metadataLocation, /\/metadata\/00002-/);
        const loaded = await cat.loadTable(id);
        assert.equal(loaded.metadataLocation, c2.metadataLocation);
        assert.equal(loaded.metadata.currentSnapshotId, big + 1n);
        assert.equal(loaded.metadata.lastSequenceNumber, 2);
        assert.equal(loaded.metadata.metadataLog.length, 2);
        const text = new TextDecoder().decode(await t.io.read(c2.metadataLocation));
        assert.ok(text.includes(`"current-snapshot-id":${big + 1n}`));
        assert.deepEqual(parseTableMetadata(text, c2.metadataLocation), loaded.metadata);
      } finally {
        await cat.close();
      }
    });

    it('a failed requirement is a CommitConflictError naming it, and changes nothing', async () => {
      const { cat, id } = await fresh();
      try {
        const created = await cat.createTable(id, { schema });
        await assert.rejects(
          cat.commitTable(id, [{ type: 'assert-current-schema-id', currentSchemaId: 5 }], [{ action: 'set-properties', updates: { x: '1' } }]),
          (e: unknown) => e instanceof CommitConflictError && e.message.includes('assert-current-schema-id') && e.message.includes('ns.orders'),
        );
        assert.equal((await cat.loadTable(id)).metadataLocation, created.metadataLocation);
      } finally {
        await cat.close();
      }
    });

    it('race: two commits built on the same base, exactly one wins', async () => {
      const { cat, name, id } = await fresh();
      const other = await t.open(name);
      try {
        await cat.createTable(id, { schema });
        const [ra, ua] = appendOn(null, 101n, 1);
        const [rb, ub] = appendOn(null, 202n, 1);
        const results = await Promise.allSettled([cat.commitTable(id, ra, ua), other.commitTable(id, rb, ub)]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
        assert.equal(won.length, 1, `exactly one wins: ${lost.map(String).join('; ')}`);
        assert.ok(lost[0] instanceof CommitConflictError, String(lost[0]));
        const winner = results[0]!.status === 'fulfilled' ? 101n : 202n;
        assert.equal((await cat.loadTable(id)).metadata.currentSnapshotId, winner);
      } finally {
        await other.close();
        await cat.close();
      }
    });

    it('compare-and-swap: a commit that lands between load and swap makes ours fail, and our file is removed', async () => {
      const { cat, name, id } = await fresh();
      await cat.createTable(id, { schema });
      const rival = await t.open(name);
      let rivalLocation = '';
      const hook = interleavingIO(t.io, async () => {
        rivalLocation = (await rival.commitTable(id, [], [{ action: 'set-properties', updates: { rival: 'yes' } }])).metadataLocation;
      });
      const hooked = await t.open(name, hook.io);
      try {
        // No requirements: only the swap itself can detect the rival commit.
        await assert.rejects(hooked.commitTable(id, [], [{ action: 'set-properties', updates: { mine: 'yes' } }]), CommitConflictError);
        const now = await cat.loadTable(id);
        assert.equal(now.metadataLocation, rivalLocation);
        assert.deepEqual(now.metadata.properties, { rival: 'yes' });
        assert.equal(hook.written.length, 1);
        assert.notEqual(hook.written[0], rivalLocation);
        assert.equal(await t.io.exists(hook.written[0]!), false, 'the losing metadata file was deleted');
      } finally {
        await hooked.close();
        await rival.close();
        await cat.close();
      }
    });
  });
}
