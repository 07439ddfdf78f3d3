/** Golden metadata files (test/fixtures/metadata/X.metadata.json + X.expect.json), round trips and errors. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CorruptFileError, UnsupportedTypeError } from '../../core/errors.ts';
import { parseJsonLossless, stringifyJsonLossless } from './lossless-json.ts';
import { parseTableMetadata, serializeTableMetadata } from './metadata-json.ts';
import { schemaFromJson, schemaToJson, typeFromJson, typeToJson } from './schema-json.ts';
import type { IcebergType, TableMetadata } from './types.ts';

const dir = join(import.meta.dirname, '../../../test/fixtures/metadata');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.metadata.json')).sort();

/** The facts an expectation file pins down, as plain JSON (ids as strings). */
function summarize(m: TableMetadata): unknown {
  const schema = m.schemas.find((s) => s.schemaId === m.currentSchemaId)!;
  const spec = m.partitionSpecs.find((s) => s.specId === m.defaultSpecId)!;
  return {
    formatVersion: m.formatVersion,
    tableUuid: m.tableUuid,
    location: m.location,
    lastSequenceNumber: m.lastSequenceNumber,
    lastColumnId: m.lastColumnId,
    currentSchemaId: m.currentSchemaId,
    fields: schema.fields.map((f) => `${f.id}:${f.name}:${JSON.stringify(typeToJson(f.type))}:${f.required ? 'required' : 'optional'}`),
    identifierFieldIds: schema.identifierFieldIds,
    partitionFields: spec.fields.map((f) => `${f.fieldId}:${f.name}:${f.transform}(${f.sourceId})`),
    lastPartitionId: m.lastPartitionId,
    sortOrder: m.sortOrders.find((o) => o.orderId === m.defaultSortOrderId)!.fields.map((f) => `${f.transform}(${f.sourceId}) ${f.direction} ${f.nullOrder}`),
    properties: m.properties,
    currentSnapshotId: m.currentSnapshotId?.toString() ?? null,
    snapshots: m.snapshots.map((s) => `${s.snapshotId}<-${s.parentSnapshotId ?? 'none'} seq ${s.sequenceNumber} ${s.summary.operation}`),
    refs: Object.fromEntries(Object.entries(m.refs).map(([k, r]) => [k, `${r.type} ${r.snapshotId}`])),
    snapshotLog: m.snapshotLog.length,
    metadataLog: m.metadataLog.length,
  };
}

describe('table metadata golden files', () => {
  assert.ok(fixtures.length >= 4, `expected fixtures in ${dir}`);
  for (const f of fixtures) {
    const file = join(dir, f);
    const expectFile = file.replace(/\.metadata\.json$/, '.expect.json');
    it(`${f}: parses to the facts in its .expect.json`, () => {
      const got = summarize(parseTableMetadata(readFileSync(file, 'utf8'), file));
      if (process.env.FLOE_UPDATE_GOLDEN === '1') writeFileSync(expectFile, `${JSON.stringify(got, null, 2)}\n`);
      assert.deepEqual(got, JSON.parse(readFileSync(expectFile, 'utf8')));
    });
    it(`${f}: serialize → parse round-trips exactly, keeping every 64-bit id digit`, () => {
      const text = readFileSync(file, 'utf8');
      const m = parseTableMetadata(text, file);
      const out = serializeTableMetadata(m);
      assert.deepEqual(parseTableMetadata(out, 'round-trip'), m);
      for (const s of m.snapshots) assert.ok(out.includes(`"snapshot-id":${s.snapshotId}`), `${s.snapshotId} written verbatim`);
      assert.equal(serializeTableMetadata(parseTableMetadata(out, 'again')), out);
    });
  }
});

describe('metadata json details', () => {
  const base = readFileSync(join(dir, 'pyiceberg-v2-snapshots.metadata.json'), 'utf8');

  it('keeps snapshot ids above 2^53 exact', () => {
    const m = parseTableMetadata(base, 'x');
    assert.equal(m.currentSnapshotId, 8964312216982833686n);
    assert.equal(m.snapshots[1]!.parentSnapshotId, 7354132080866484748n);
  });

  it('writes v2 fields Java requires and -1 for no current snapshot', () => {
    const m = parseTableMetadata(readFileSync(join(dir, 'pyiceberg-v2-nested.metadata.json'), 'utf8'), 'x');
    const o = parseJsonLossless(serializeTableMetadata(m), 'out') as Record<string, unknown>;
    for (const k of ['format-version', 'table-uuid', 'location', 'last-sequence-number', 'last-updated-ms', 'last-column-id', 'schemas', 'current-schema-id', 'partition-specs', 'default-spec-id', 'last-partition-id', 'sort-orders', 'default-sort-order-id']) {
      assert.ok(k in o, k);
    }
    assert.equal(o['current-snapshot-id'], -1);
    assert.equal(o['schema'], undefined);
  });

  it('reads a v1 file into v2 shapes and writes it back as v1', () => {
    const file = join(dir, 'pyiceberg-conftest-v1-minimal.metadata.json');
    const m = parseTableMetadata(readFileSync(file, 'utf8'), file);
    assert.equal(m.lastSequenceNumber, 0);
    assert.equal(m.snapshots[0]!.sequenceNumber, 0);
    assert.equal(m.partitionSpecs[0]!.specId, 0);
    const o = parseJsonLossless(serializeTableMetadata(m), 'out') as Record<string, unknown>;
    assert.ok('schema' in o && 'partition-spec' in o);
    assert.equal(o['last-sequence-number'], undefined);
  });

  const mutate = (edit: (o: Record<string, unknown>) => void): string => {
    const o = parseJsonLossless(base, 'b') as Record<string, unknown>;
    edit(o);
    return stringifyJsonLossless(o);
  };

  it('names the file on corrupt JSON', () => {
    assert.throws(() => parseTableMetadata('{"format-version": 2,', '/w/m.json'), (e: unknown) => e instanceof CorruptFileError && e.message.includes('/w/m.json'));
  });

  it('rejects unknown format versions naming the field', () => {
    assert.throws(
      () => parseTableMetadata(mutate((o) => (o['format-version'] = 3)), '/w/v3.json'),
      (e: unknown) => e instanceof CorruptFileError && /\/w\/v3\.json.*format-version.*3/.test(e.message),
    );
  });

  it('names the bad field path', () => {
    const bad = mutate((o) => ((o.schemas as { fields: { id: unknown }[] }[])[0]!.fields[1]!.id = 'two'));
    assert.throws(() => parseTableMetadata(bad, 'f.json'), (e: unknown) => e instanceof CorruptFileError && e.message.includes('schemas[0].fields[1].id'));
    const missing = mutate((o) => delete o['last-sequence-number']);
    assert.throws(() => parseTableMetadata(missing, 'f.json'), /last-sequence-number: is missing/);
    const dangling = mutate((o) => (o['current-snapshot-id'] = 5));
    assert.throws(() => parseTableMetadata(dangling, 'f.json'), /current-snapshot-id 5 names no snapshot/);
  });

  it('reports unknown types as unsupported, naming the field', () => {
    const bad = mutate((o) => ((o.schemas as { fields: { type: unknown }[] }[])[0]!.fields[1]!.type = 'variant'));
    assert.throws(() => parseTableMetadata(bad, 'f.json'), (e: unknown) => e instanceof UnsupportedTypeError && e.message.includes('"variant"'));
  });
});

describe('schema json', () => {
  it('round-trips every type form', () => {
    const types: IcebergType[] = [
      { type: 'decimal', precision: 38, scale: 0 },
      { type: 'fixed', length: 16 },
      { type: 'uuid' },
      { type: 'list', elementId: 5, elementRequired: true, element: { type: 'map', keyId: 6, key: { type: 'string' }, valueId: 7, valueRequired: false, value: { type: 'long' } } },
      { type: 'struct', fields: [{ id: 8, name: 'a', required: false, type: { type: 'timestamp' }, doc: 'd' }] },
    ];
    for (const t of types) assert.deepEqual(typeFromJson(typeToJson(t), 't'), t);
    assert.equal(typeToJson({ type: 'decimal', precision: 10, scale: 2 }), 'decimal(10,2)');
    assert.deepEqual(typeFromJson('decimal(10, 2)', 't'), { type: 'decimal', precision: 10, scale: 2 });
  });

  it('round-trips a schema with identifier fields', () => {
    const s = { schemaId: 3, identifierFieldIds: [1], fields: [{ id: 1, name: 'id', required: true, type: { type: 'long' } as const }] };
    assert.deepEqual(schemaFromJson(schemaToJson(s), 's'), s);
  });
});
