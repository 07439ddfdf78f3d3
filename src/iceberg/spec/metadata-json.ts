/**
 * Table metadata JSON (spec "Table Metadata Fields"): reads format v1 and v2, writes the
 * version the metadata carries (v2 for new tables; a v1 table keeps its v1 legacy fields).
 * 64-bit snapshot ids go through lossless-json.ts, so no digit is lost.
 */
import { CorruptFileError } from '../../core/errors.ts';
import { JsonReader } from './json-reader.ts';
import { parseJsonLossless, stringifyJsonLossless, type JsonObject } from './lossless-json.ts';
import {
  partitionFieldsFromJson,
  partitionFieldsToJson,
  partitionSpecFromJson,
  partitionSpecToJson,
  schemaFromReader,
  schemaToJson,
  sortOrderFromJson,
  sortOrderToJson,
} from './schema-json.ts';
import type { PartitionSpec, Schema, Snapshot, SnapshotOperation, SnapshotRef, SortOrder, TableMetadata } from './types.ts';

const OPERATIONS: ReadonlySet<string> = new Set<SnapshotOperation>(['append', 'replace', 'overwrite', 'delete']);

/** Parses metadata JSON text read from `file`. Corrupt JSON, a bad field or an unknown format-version → CorruptFileError naming the file and the field. */
export function parseTableMetadata(json: string, file: string): TableMetadata {
  const where = `table metadata ${file}`;
  const r = JsonReader.of(parseJsonLossless(json, file), where);
  const formatVersion = r.int('format-version');
  if (formatVersion !== 1 && formatVersion !== 2) {
    throw r.error(`unknown format-version ${formatVersion} (floe reads 1 and 2)`, 'format-version');
  }
  const v1 = formatVersion === 1;

  const schemas = readSchemas(r, v1);
  const currentSchemaId = r.optInt('current-schema-id') ?? (v1 ? schemas[0]!.schemaId : r.int('current-schema-id'));
  const partitionSpecs = readSpecs(r, v1);
  const defaultSpecId = r.optInt('default-spec-id') ?? (v1 ? partitionSpecs[0]!.specId : r.int('default-spec-id'));
  const maxPartitionFieldId = Math.max(999, ...partitionSpecs.flatMap((s) => s.fields.map((f) => f.fieldId)));
  const sortOrders: SortOrder[] =
    r.has('sort-orders') || !v1
      ? r.arr('sort-orders').map((v, i) => sortOrderFromJson(v, where, `sort-orders[${i}]`))
      : [{ orderId: 0, fields: [] }];
  const snapshots = r.has('snapshots') ? r.objects('snapshots').map((s) => readSnapshot(s, v1)) : [];
  const rawCurrent = r.optLong('current-snapshot-id');
  const currentSnapshotId = rawCurrent === undefined || rawCurrent === -1n ? null : rawCurrent;

  const m: TableMetadata = {
    formatVersion,
    tableUuid: r.optStr('table-uuid') ?? (v1 ? '' : r.str('table-uuid')),
    location: r.str('location'),
    lastSequenceNumber: v1 ? 0 : r.int('last-sequence-number'),
    lastUpdatedMs: r.int('last-updated-ms'),
    lastColumnId: r.int('last-column-id'),
    schemas,
    currentSchemaId,
    partitionSpecs,
    defaultSpecId,
    lastPartitionId: r.optInt('last-partition-id') ?? (v1 ? maxPartitionFieldId : r.int('last-partition-id')),
    properties: r.has('properties') ? r.strMap('properties') : {},
    currentSnapshotId,
    snapshots,
    snapshotLog: r.has('snapshot-log')
      ? r.objects('snapshot-log').map((e) => ({ timestampMs: e.int('timestamp-ms'), snapshotId: e.long('snapshot-id') }))
      : [],
    metadataLog: r.has('metadata-log')
      ? r.objects('metadata-log').map((e) => ({ timestampMs: e.int('timestamp-ms'), metadataFile: e.str('metadata-file') }))
      : [],
    sortOrders,
    defaultSortOrderId: r.optInt('default-sort-order-id') ?? (v1 ? sortOrders[0]!.orderId : r.int('default-sort-order-id')),
    refs: readRefs(r, currentSnapshotId),
  };
  validate(m, where);
  return m;
}

function readSchemas(r: JsonReader, v1: boolean): Schema[] {
  if (r.has('schemas')) {
    const list = r.objects('schemas').map(schemaFromReader);
    if (list.length === 0) throw r.error('is empty', 'schemas');
    return list;
  }
  if (!v1) r.arr('schemas');
  return [schemaFromReader(r.child('schema'))];
}

function readSpecs(r: JsonReader, v1: boolean): PartitionSpec[] {
  if (r.has('partition-specs')) {
    const list = r.arr('partition-specs').map((v, i) => partitionSpecFromJson(v, r.where, `partition-specs[${i}]`));
    if (list.length === 0) throw r.error('is empty', 'partition-specs');
    return list;
  }
  if (!v1) r.arr('partition-specs');
  return [{ specId: 0, fields: partitionFieldsFromJson(r.arr('partition-spec'), r.where, 'partition-spec') }];
}

function readSnapshot(s: JsonReader, v1: boolean): Snapshot {
  if (!s.has('manifest-list')) {
    // v1 allowed an inline `manifests` list instead of a manifest list file.
    throw s.error(s.has('manifests') ? 'inline "manifests" (pre-manifest-list v1) is not supported' : 'is missing', 'manifest-list');
  }
  let summary: Snapshot['summary'] = { operation: 'append' };
  if (s.has('summary') || !v1) {
    const raw = s.strMap('summary');
    const op = raw.operation;
    if (op === undefined || !OPERATIONS.has(op)) throw s.error(`unknown operation ${JSON.stringify(op)}`, 'summary');
    summary = { ...raw, operation: op as SnapshotOperation };
  }
  const snap: Snapshot = {
    snapshotId: s.long('snapshot-id'),
    sequenceNumber: v1 ? (s.optInt('sequence-number') ?? 0) : s.int('sequence-number'),
    timestampMs: s.int('timestamp-ms'),
    manifestList: s.str('manifest-list'),
    summary,
  };
  const parent = s.optLong('parent-snapshot-id');
  const schemaId = s.optInt('schema-id');
  return {
    ...snap,
    ...(parent === undefined ? {} : { parentSnapshotId: parent }),
    ...(schemaId === undefined ? {} : { schemaId }),
  };
}

function readRefs(r: JsonReader, current: bigint | null): Record<string, SnapshotRef> {
  const refs: Record<string, SnapshotRef> = {};
  if (r.has('refs')) {
    const o = r.child('refs');
    for (const name of Object.keys(o.obj)) {
      const e = o.child(name);
      const type = e.str('type');
      if (type !== 'branch' && type !== 'tag') throw e.error(`expected "branch" or "tag", got "${type}"`, 'type');
      const ref: { -readonly [K in keyof SnapshotRef]: SnapshotRef[K] } = { snapshotId: e.long('snapshot-id'), type };
      const keep = e.optInt('min-snapshots-to-keep');
      const age = e.optInt('max-snapshot-age-ms');
      const refAge = e.optInt('max-ref-age-ms');
      if (keep !== undefined) ref.minSnapshotsToKeep = keep;
      if (age !== undefined) ref.maxSnapshotAgeMs = age;
      if (refAge !== undefined) ref.maxRefAgeMs = refAge;
      refs[name] = ref;
    }
  }
  // Spec: when refs lack main, current-snapshot-id implies a main branch.
  if (refs.main === undefined && current !== null) refs.main = { snapshotId: current, type: 'branch' };
  return refs;
}

function validate(m: TableMetadata, where: string): void {
  const bad = (msg: string): never => {
    throw new CorruptFileError(`${where}: ${msg}`);
  };
  if (!m.schemas.some((s) => s.schemaId === m.currentSchemaId)) bad(`current-schema-id ${m.currentSchemaId} names no schema`);
  if (!m.partitionSpecs.some((s) => s.specId === m.defaultSpecId)) bad(`default-spec-id ${m.defaultSpecId} names no partition spec`);
  if (!m.sortOrders.some((s) => s.orderId === m.defaultSortOrderId)) {
    bad(`default-sort-order-id ${m.defaultSortOrderId} names no sort order`);
  }
  if (m.currentSnapshotId !== null && !m.snapshots.some((s) => s.snapshotId === m.currentSnapshotId)) {
    bad(`current-snapshot-id ${m.currentSnapshotId} names no snapshot`);
  }
}

/** Metadata JSON text, compact, keys in Java's order. v1 metadata also gets the legacy `schema`/`partition-spec` fields and no sequence numbers. */
export function serializeTableMetadata(m: TableMetadata): string {
  return stringifyJsonLossless(tableMetadataToJson(m));
}

/** Metadata as a JSON object (bigint ids), for callers that embed it (REST responses). */
export function tableMetadataToJson(m: TableMetadata): JsonObject {
  const v1 = m.formatVersion === 1;
  const current = m.schemas.find((s) => s.schemaId === m.currentSchemaId);
  const defaultSpec = m.partitionSpecs.find((s) => s.specId === m.defaultSpecId);
  const o: JsonObject = { 'format-version': m.formatVersion, 'table-uuid': m.tableUuid, location: m.location };
  if (!v1) o['last-sequence-number'] = m.lastSequenceNumber;
  o['last-updated-ms'] = m.lastUpdatedMs;
  o['last-column-id'] = m.lastColumnId;
  if (v1 && current) o.schema = schemaToJson(current);
  o['current-schema-id'] = m.currentSchemaId;
  o.schemas = m.schemas.map(schemaToJson);
  if (v1 && defaultSpec) o['partition-spec'] = partitionFieldsToJson(defaultSpec.fields);
  o['default-spec-id'] = m.defaultSpecId;
  o['partition-specs'] = m.partitionSpecs.map(partitionSpecToJson);
  o['last-partition-id'] = m.lastPartitionId;
  o['default-sort-order-id'] = m.defaultSortOrderId;
  o['sort-orders'] = m.sortOrders.map(sortOrderToJson);
  o.properties = { ...m.properties };
  // -1 rather than null: older readers (Java < 1.4, pyiceberg 0.x) expect a number.
  o['current-snapshot-id'] = m.currentSnapshotId ?? -1;
  o.refs = Object.fromEntries(Object.entries(m.refs).map(([k, ref]) => [k, refToJson(ref)]));
  o.snapshots = m.snapshots.map((s) => snapshotToJson(s, v1));
  o['snapshot-log'] = m.snapshotLog.map((e) => ({ 'timestamp-ms': e.timestampMs, 'snapshot-id': e.snapshotId }));
  o['metadata-log'] = m.metadataLog.map((e) => ({ 'timestamp-ms': e.timestampMs, 'metadata-file': e.metadataFile }));
  return o;
}

function refToJson(ref: SnapshotRef): JsonObject {
  const o: JsonObject = { 'snapshot-id': ref.snapshotId, type: ref.type };
  if (ref.minSnapshotsToKeep !== undefined) o['min-snapshots-to-keep'] = ref.minSnapshotsToKeep;
  if (ref.maxSnapshotAgeMs !== undefined) o['max-snapshot-age-ms'] = ref.maxSnapshotAgeMs;
  if (ref.maxRefAgeMs !== undefined) o['max-ref-age-ms'] = ref.maxRefAgeMs;
  return o;
}

function snapshotToJson(s: Snapshot, v1: boolean): JsonObject {
  const o: JsonObject = { 'snapshot-id': s.snapshotId };
  if (s.parentSnapshotId !== undefined) o['parent-snapshot-id'] = s.parentSnapshotId;
  if (!v1) o['sequence-number'] = s.sequenceNumber;
  o['timestamp-ms'] = s.timestampMs;
  o.summary = { ...s.summary };
  o['manifest-list'] = s.manifestList;
  if (s.schemaId !== undefined) o['schema-id'] = s.schemaId;
  return o;
}
