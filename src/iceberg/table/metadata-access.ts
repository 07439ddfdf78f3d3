/** Lookups into table metadata that every table operation needs. Pure. */
import { CorruptFileError } from '../../core/errors.ts';
import type { PartitionSpec, Schema, Snapshot, TableMetadata } from '../spec/types.ts';

/** The schema readers of the current snapshot use. */
export function currentSchema(metadata: TableMetadata): Schema {
  return schemaById(metadata, metadata.currentSchemaId);
}

/** A schema by id; throws naming the table location when absent. */
export function schemaById(metadata: TableMetadata, schemaId: number): Schema {
  const schema = metadata.schemas.find((s) => s.schemaId === schemaId);
  if (schema === undefined) throw new CorruptFileError(`iceberg table ${metadata.location}: schema ${schemaId} not in metadata`);
  return schema;
}

/** A partition spec by id; throws naming the table location when absent. */
export function specById(metadata: TableMetadata, specId: number): PartitionSpec {
  const spec = metadata.partitionSpecs.find((s) => s.specId === specId);
  if (spec === undefined) throw new CorruptFileError(`iceberg table ${metadata.location}: partition spec ${specId} not in metadata`);
  return spec;
}

/** The default spec new files are written with. */
export function defaultSpec(metadata: TableMetadata): PartitionSpec {
  return specById(metadata, metadata.defaultSpecId);
}

/** The snapshot main points at, or undefined for an empty table. */
export function currentSnapshot(metadata: TableMetadata): Snapshot | undefined {
  const id = metadata.refs['main']?.snapshotId ?? metadata.currentSnapshotId;
  if (id === null || id === undefined) return undefined;
  return snapshotById(metadata, id);
}

/** A snapshot by id; throws naming the table location when absent. */
export function snapshotById(metadata: TableMetadata, snapshotId: bigint): Snapshot {
  const snapshot = metadata.snapshots.find((s) => s.snapshotId === snapshotId);
  if (snapshot === undefined) throw new CorruptFileError(`iceberg table ${metadata.location}: snapshot ${snapshotId} not in metadata`);
  return snapshot;
}
