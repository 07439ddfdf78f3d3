/**
 * Pure metadata transitions: a new table's first metadata, the requirement check a catalog
 * runs inside its atomic swap, and applying REST-style updates. No I/O; the catalog writes files.
 */
import { randomUUID } from 'node:crypto';
import { CommitConflictError } from '../../core/errors.ts';
import type {
  IcebergType,
  NestedField,
  PartitionSpec,
  Schema,
  SnapshotRef,
  SortOrder,
  TableMetadata,
  TableRequirement,
  TableUpdate,
} from '../spec/types.ts';

/** What a new table starts from; ids in `schema` are reassigned, and spec/sort order follow by source id. */
export interface NewTableOptions {
  readonly schema: Schema;
  readonly spec?: PartitionSpec;
  readonly sortOrder?: SortOrder;
  readonly location: string;
  readonly properties?: Readonly<Record<string, string>>;
  readonly formatVersion?: 2;
  readonly nowMs?: number; // defaults to Date.now()
  readonly tableUuid?: string; // defaults to a random UUID
}

/** Reassigns field ids as Iceberg does (each struct's fields first, then their children, from 1); fills `idMap` old → new. */
function freshType(t: IcebergType, next: () => number, idMap: Map<number, number>): IcebergType {
  const remember = (old: number): number => {
    const id = next();
    idMap.set(old, id);
    return id;
  };
  switch (t.type) {
    case 'struct':
      return { type: 'struct', fields: freshFields(t.fields, next, idMap) };
    case 'list': {
      const elementId = remember(t.elementId);
      return { ...t, elementId, element: freshType(t.element, next, idMap) };
    }
    case 'map': {
      const keyId = remember(t.keyId);
      const valueId = remember(t.valueId);
      return { ...t, keyId, valueId, key: freshType(t.key, next, idMap), value: freshType(t.value, next, idMap) };
    }
    default:
      return t;
  }
}

function freshFields(fields: readonly NestedField[], next: () => number, idMap: Map<number, number>): NestedField[] {
  const ids = fields.map((f) => {
    const id = next();
    idMap.set(f.id, id);
    return id;
  });
  return fields.map((f, i) => ({ ...f, id: ids[i]!, type: freshType(f.type, next, idMap) }));
}

function mapped(idMap: Map<number, number>, old: number, what: string): number {
  const id = idMap.get(old);
  if (id === undefined) throw new RangeError(`new table: ${what} refers to source id ${old}, which is not in the schema`);
  return id;
}

/** First metadata of a new table: table uuid, fresh column ids (last-column-id), spec ids from 1000 (last-partition-id 999 when unpartitioned), sort order id 1 (0 when unsorted). */
export function newTableMetadata(o: NewTableOptions): TableMetadata {
  let last = 0;
  const idMap = new Map<number, number>();
  const fields = freshFields(o.schema.fields, () => ++last, idMap);
  const schema: Schema = {
    schemaId: 0,
    identifierFieldIds: o.schema.identifierFieldIds.map((id) => mapped(idMap, id, 'identifier-field-ids')),
    fields,
  };
  const specFields = (o.spec?.fields ?? []).map((f, i) => ({ ...f, sourceId: mapped(idMap, f.sourceId, `partition field ${f.name}`), fieldId: 1000 + i }));
  const sortFields = (o.sortOrder?.fields ?? []).map((f) => ({ ...f, sourceId: mapped(idMap, f.sourceId, 'sort field') }));
  const orderId = sortFields.length === 0 ? 0 : 1;
  const { 'format-version': _ignored, ...properties } = o.properties ?? {};
  return {
    formatVersion: o.formatVersion ?? 2,
    tableUuid: o.tableUuid ?? randomUUID(),
    location: o.location.replace(/\/+$/, ''),
    lastSequenceNumber: 0,
    lastUpdatedMs: o.nowMs ?? Date.now(),
    lastColumnId: last,
    schemas: [schema],
    currentSchemaId: 0,
    partitionSpecs: [{ specId: 0, fields: specFields }],
    defaultSpecId: 0,
    lastPartitionId: 999 + specFields.length,
    properties,
    currentSnapshotId: null,
    snapshots: [],
    snapshotLog: [],
    metadataLog: [],
    sortOrders: [{ orderId, fields: sortFields }],
    defaultSortOrderId: orderId,
    refs: {},
  };
}

/** Throws CommitConflictError naming `table` and the first failed requirement; `current` undefined = table absent. */
export function checkRequirements(current: TableMetadata | undefined, reqs: readonly TableRequirement[], table: string): void {
  for (const r of reqs) {
    const fail = (msg: string): never => {
      throw new CommitConflictError(`commit to ${table}: requirement ${r.type} failed: ${msg}`);
    };
    if (r.type === 'assert-create') {
      if (current !== undefined) fail('table already exists');
      continue;
    }
    if (current === undefined) return fail('table does not exist');
    const m = current;
    switch (r.type) {
      case 'assert-table-uuid':
        if (m.tableUuid !== r.uuid) fail(`expected uuid ${r.uuid}, found ${m.tableUuid}`);
        break;
      case 'assert-ref-snapshot-id': {
        const ref = m.refs[r.ref];
        if (r.snapshotId === null && ref !== undefined) fail(`expected ref ${r.ref} to be absent, found snapshot ${ref.snapshotId}`);
        if (r.snapshotId !== null && ref?.snapshotId !== r.snapshotId) {
          fail(`expected ref ${r.ref} at snapshot ${r.snapshotId}, found ${ref ? ref.snapshotId : 'no ref'}`);
        }
        break;
      }
      case 'assert-last-assigned-field-id':
        if (m.lastColumnId !== r.lastAssignedFieldId) fail(`expected ${r.lastAssignedFieldId}, found ${m.lastColumnId}`);
        break;
      case 'assert-current-schema-id':
        if (m.currentSchemaId !== r.currentSchemaId) fail(`expected ${r.currentSchemaId}, found ${m.currentSchemaId}`);
        break;
      case 'assert-last-assigned-partition-id':
        if (m.lastPartitionId !== r.lastAssignedPartitionId) fail(`expected ${r.lastAssignedPartitionId}, found ${m.lastPartitionId}`);
        break;
      case 'assert-default-spec-id':
        if (m.defaultSpecId !== r.defaultSpecId) fail(`expected ${r.defaultSpecId}, found ${m.defaultSpecId}`);
        break;
      case 'assert-default-sort-order-id':
        if (m.defaultSortOrderId !== r.defaultSortOrderId) fail(`expected ${r.defaultSortOrderId}, found ${m.defaultSortOrderId}`);
        break;
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const sameFields = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function maxFieldId(t: IcebergType): number {
  switch (t.type) {
    case 'struct':
      return Math.max(0, ...t.fields.map((f) => Math.max(f.id, maxFieldId(f.type))));
    case 'list':
      return Math.max(t.elementId, maxFieldId(t.element));
    case 'map':
      return Math.max(t.keyId, t.valueId, maxFieldId(t.key), maxFieldId(t.value));
    default:
      return 0;
  }
}

/** Applies `updates` in order to `base` (pure). Ids of added schemas/specs/sort orders are reused when identical or assigned max+1; -1 means "last added". A snapshot whose sequence number is not above last-sequence-number, or whose id exists, → CommitConflictError. Bad references → RangeError. `lastUpdatedMs` becomes `nowMs` when anything is applied. */
export function applyUpdates(base: TableMetadata, updates: readonly TableUpdate[], nowMs: number): TableMetadata {
  if (updates.length === 0) return base;
  const refs: Record<string, SnapshotRef> = { ...base.refs };
  const properties: Record<string, string> = { ...base.properties };
  const m: Mutable<TableMetadata> = { ...base, refs, properties };
  const last = { schema: undefined as number | undefined, spec: undefined as number | undefined, order: undefined as number | undefined };
  const addedSnapshots = new Map<bigint, number>();
  const bad = (u: TableUpdate, msg: string): never => {
    throw new RangeError(`table ${base.location}: update ${u.action}: ${msg}`);
  };
  const resolve = (u: TableUpdate, id: number, lastAdded: number | undefined, ids: number[], what: string): number => {
    const v = id === -1 ? lastAdded : id;
    if (v === undefined) return bad(u, `no ${what} was added in this commit, so -1 is meaningless`);
    if (!ids.includes(v)) bad(u, `${what} ${v} does not exist`);
    return v;
  };
  for (const u of updates) {
    switch (u.action) {
      case 'assign-uuid':
        m.tableUuid = u.uuid;
        break;
      case 'upgrade-format-version':
        if (u.formatVersion < m.formatVersion) bad(u, `cannot downgrade from v${m.formatVersion} to v${u.formatVersion}`);
        m.formatVersion = u.formatVersion;
        break;
      case 'add-schema': {
        const same = m.schemas.find((s) => sameFields(s.fields, u.schema.fields) && sameFields(s.identifierFieldIds, u.schema.identifierFieldIds));
        const schemaId = same?.schemaId ?? Math.max(...m.schemas.map((s) => s.schemaId)) + 1;
        if (!same) m.schemas = [...m.schemas, { ...u.schema, schemaId }];
        m.lastColumnId = Math.max(m.lastColumnId, u.lastColumnId ?? 0, maxFieldId({ type: 'struct', fields: u.schema.fields }));
        last.schema = schemaId;
        break;
      }
      case 'set-current-schema':
        m.currentSchemaId = resolve(u, u.schemaId, last.schema, m.schemas.map((s) => s.schemaId), 'schema');
        break;
      case 'add-spec': {
        const same = m.partitionSpecs.find((s) => sameFields(s.fields, u.spec.fields));
        const specId = same?.specId ?? Math.max(...m.partitionSpecs.map((s) => s.specId)) + 1;
        if (!same) m.partitionSpecs = [...m.partitionSpecs, { ...u.spec, specId }];
        m.lastPartitionId = Math.max(m.lastPartitionId, ...u.spec.fields.map((f) => f.fieldId));
        last.spec = specId;
        break;
      }
      case 'set-default-spec':
        m.defaultSpecId = resolve(u, u.specId, last.spec, m.partitionSpecs.map((s) => s.specId), 'partition spec');
        break;
      case 'add-sort-order': {
        const same = m.sortOrders.find((o) => sameFields(o.fields, u.sortOrder.fields));
        const orderId = same?.orderId ?? (u.sortOrder.fields.length === 0 ? 0 : Math.max(0, ...m.sortOrders.map((o) => o.orderId)) + 1);
        if (!same) m.sortOrders = [...m.sortOrders, { ...u.sortOrder, orderId }];
        last.order = orderId;
        break;
      }
      case 'set-default-sort-order':
        m.defaultSortOrderId = resolve(u, u.sortOrderId, last.order, m.sortOrders.map((o) => o.orderId), 'sort order');
        break;
      case 'add-snapshot': {
        const s = u.snapshot;
        if (m.snapshots.some((x) => x.snapshotId === s.snapshotId)) {
          throw new CommitConflictError(`table ${base.location}: snapshot ${s.snapshotId} already exists`);
        }
        if (m.formatVersion >= 2 && s.sequenceNumber <= m.lastSequenceNumber) {
          throw new CommitConflictError(
            `table ${base.location}: snapshot ${s.snapshotId} has sequence number ${s.sequenceNumber}, not above last-sequence-number ${m.lastSequenceNumber}`,
          );
        }
        m.snapshots = [...m.snapshots, s];
        if (m.formatVersion >= 2) m.lastSequenceNumber = s.sequenceNumber;
        addedSnapshots.set(s.snapshotId, s.timestampMs);
        break;
      }
      case 'set-snapshot-ref': {
        if (!m.snapshots.some((s) => s.snapshotId === u.snapshotId)) bad(u, `snapshot ${u.snapshotId} does not exist`);
        if (u.refName === 'main' && u.type !== 'branch') bad(u, 'main must be a branch');
        const prev = refs[u.refName];
        const ref: SnapshotRef = prev && prev.type === u.type ? { ...prev, snapshotId: u.snapshotId } : { snapshotId: u.snapshotId, type: u.type };
        refs[u.refName] = ref;
        if (u.refName === 'main' && m.currentSnapshotId !== u.snapshotId) {
          m.currentSnapshotId = u.snapshotId;
          m.snapshotLog = [...m.snapshotLog, { timestampMs: addedSnapshots.get(u.snapshotId) ?? nowMs, snapshotId: u.snapshotId }];
        }
        break;
      }
      case 'remove-snapshots': {
        const gone = new Set(u.snapshotIds);
        m.snapshots = m.snapshots.filter((s) => !gone.has(s.snapshotId));
        m.snapshotLog = m.snapshotLog.filter((e) => !gone.has(e.snapshotId));
        for (const [name, ref] of Object.entries(refs)) if (gone.has(ref.snapshotId)) delete refs[name];
        if (m.currentSnapshotId !== null && gone.has(m.currentSnapshotId)) m.currentSnapshotId = null;
        break;
      }
      case 'remove-snapshot-ref':
        delete refs[u.refName];
        if (u.refName === 'main') m.currentSnapshotId = null;
        break;
      case 'set-location':
        m.location = u.location.replace(/\/+$/, '');
        break;
      case 'set-properties':
        Object.assign(properties, u.updates);
        break;
      case 'remove-properties':
        for (const k of u.removals) delete properties[k];
        break;
    }
  }
  m.lastUpdatedMs = nowMs;
  return m;
}
