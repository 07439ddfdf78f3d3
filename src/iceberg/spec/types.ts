/**
 * The Iceberg table format as plain data: types, schemas, partition specs, data files,
 * manifests, snapshots and table metadata (spec v2; v1 is read too). This file is the table of
 * contents of `src/iceberg`: every other module speaks these shapes.
 *
 * In-memory value representation (`IcebergValue`), by Iceberg type:
 *   boolean            boolean
 *   int                number (32-bit signed)
 *   long               bigint (64-bit signed; exact beyond 2^53)
 *   float, double      number (NaN, ±Infinity and -0 are kept)
 *   decimal(P,S)       bigint: the unscaled value (123.45 in decimal(5,2) is 12345n)
 *   date               number: days since 1970-01-01 (negative before)
 *   time               bigint: microseconds since midnight
 *   timestamp(tz)      bigint: microseconds since 1970-01-01T00:00:00 (UTC for timestamptz)
 *   string             string
 *   uuid               string: lowercase canonical 8-4-4-4-12 form
 *   binary, fixed[L]   Uint8Array
 *   struct             Row (object keyed by field name)
 *   list               IcebergValue[]
 *   map                Map<IcebergValue, IcebergValue>
 *   any, when absent   null
 */

/** Primitive type names that carry no parameters. */
export type SimpleTypeName =
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'string'
  | 'uuid'
  | 'binary';

export type PrimitiveType =
  | { readonly type: SimpleTypeName }
  | { readonly type: 'decimal'; readonly precision: number; readonly scale: number } // precision 1..38
  | { readonly type: 'fixed'; readonly length: number }; // bytes

export interface NestedField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: IcebergType;
  readonly doc?: string;
}

export interface StructType {
  readonly type: 'struct';
  readonly fields: readonly NestedField[];
}

export interface ListType {
  readonly type: 'list';
  readonly elementId: number;
  readonly elementRequired: boolean;
  readonly element: IcebergType;
}

export interface MapType {
  readonly type: 'map';
  readonly keyId: number;
  readonly key: IcebergType;
  readonly valueId: number;
  readonly valueRequired: boolean;
  readonly value: IcebergType;
}

export type IcebergType = PrimitiveType | StructType | ListType | MapType;

/** A table schema: a struct with an id and the ids of the fields that identify a row. */
export interface Schema {
  readonly schemaId: number;
  readonly identifierFieldIds: readonly number[];
  readonly fields: readonly NestedField[];
}

export type IcebergValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly IcebergValue[]
  | ReadonlyMap<IcebergValue, IcebergValue>
  | Row;

/** One row: top-level field name -> value. */
export interface Row {
  readonly [fieldName: string]: IcebergValue;
}

/** Rows column by column: `columns[i]` holds field `schema.fields[i]` for `numRows` rows. */
export interface ColumnBatch {
  readonly numRows: number;
  readonly columns: readonly (readonly IcebergValue[])[];
}

// ---------------------------------------------------------------- partitioning and sorting

/** Transform strings exactly as in metadata JSON: identity, bucket[N], truncate[W], year, ... */
export type Transform =
  | 'identity'
  | `bucket[${number}]`
  | `truncate[${number}]`
  | 'year'
  | 'month'
  | 'day'
  | 'hour'
  | 'void';

export interface PartitionField {
  readonly sourceId: number;
  readonly fieldId: number; // partition field ids start at 1000
  readonly name: string;
  readonly transform: Transform;
}

export interface PartitionSpec {
  readonly specId: number;
  readonly fields: readonly PartitionField[];
}

/** Partition values of one file, in the order of its spec's fields. */
export type PartitionTuple = readonly IcebergValue[];

export interface SortField {
  readonly sourceId: number;
  readonly transform: Transform;
  readonly direction: 'asc' | 'desc';
  readonly nullOrder: 'nulls-first' | 'nulls-last';
}

export interface SortOrder {
  readonly orderId: number; // 0 = unsorted
  readonly fields: readonly SortField[];
}

// ---------------------------------------------------------------- files and manifests

/** EqualityDeletes is read only: floe never writes equality deletes. */
export const FileContent = { Data: 0, PositionDeletes: 1, EqualityDeletes: 2 } as const;
export type FileContent = (typeof FileContent)[keyof typeof FileContent];

/** Reserved field ids of position delete files (spec: "Position Delete Files"). */
export const POSITION_DELETE_FILE_PATH_ID = 2147483546;
export const POSITION_DELETE_POS_ID = 2147483545;

/** A data or delete file as recorded in a manifest (the spec's `data_file` struct). */
export interface DataFile {
  readonly content: FileContent;
  readonly filePath: string; // full URI, e.g. file:///warehouse/ns/t/data/x.parquet
  readonly fileFormat: 'PARQUET' | 'AVRO' | 'ORC';
  readonly specId: number; // not stored in the struct; taken from the manifest
  readonly partition: PartitionTuple;
  readonly recordCount: number;
  readonly fileSizeInBytes: number;
  readonly columnSizes?: ReadonlyMap<number, number>; // field id -> bytes
  readonly valueCounts?: ReadonlyMap<number, number>; // field id -> values incl. nulls
  readonly nullValueCounts?: ReadonlyMap<number, number>;
  readonly nanValueCounts?: ReadonlyMap<number, number>;
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array>; // single-value binary form
  readonly upperBounds?: ReadonlyMap<number, Uint8Array>;
  readonly splitOffsets?: readonly number[];
  readonly equalityIds?: readonly number[];
  readonly sortOrderId?: number;
  /** Position deletes only: the one data file all rows refer to, when there is exactly one. */
  readonly referencedDataFile?: string;
}

export const EntryStatus = { Existing: 0, Added: 1, Deleted: 2 } as const;
export type EntryStatus = (typeof EntryStatus)[keyof typeof EntryStatus];

/** One row of a manifest. Sequence numbers are null until inherited from the manifest list. */
export interface ManifestEntry {
  readonly status: EntryStatus;
  readonly snapshotId: bigint | null;
  readonly sequenceNumber: number | null; // data sequence number
  readonly fileSequenceNumber: number | null;
  readonly dataFile: DataFile;
}

export const ManifestContent = { Data: 0, Deletes: 1 } as const;
export type ManifestContent = (typeof ManifestContent)[keyof typeof ManifestContent];

/** Per partition field summary in a manifest list entry. */
export interface FieldSummary {
  readonly containsNull: boolean;
  readonly containsNan?: boolean;
  readonly lowerBound?: Uint8Array;
  readonly upperBound?: Uint8Array;
}

/** One row of a manifest list (the spec's `manifest_file` struct). */
export interface ManifestFile {
  readonly manifestPath: string;
  readonly manifestLength: number;
  readonly partitionSpecId: number;
  readonly content: ManifestContent;
  readonly sequenceNumber: number;
  readonly minSequenceNumber: number;
  readonly addedSnapshotId: bigint;
  readonly addedFilesCount: number;
  readonly existingFilesCount: number;
  readonly deletedFilesCount: number;
  readonly addedRowsCount: number;
  readonly existingRowsCount: number;
  readonly deletedRowsCount: number;
  readonly partitions?: readonly FieldSummary[];
}

// ---------------------------------------------------------------- snapshots and metadata

export type SnapshotOperation = 'append' | 'replace' | 'overwrite' | 'delete';

export interface Snapshot {
  readonly snapshotId: bigint;
  readonly parentSnapshotId?: bigint;
  readonly sequenceNumber: number; // 0 in v1
  readonly timestampMs: number;
  readonly manifestList: string;
  /** `operation` plus string totals; floe's own keys are prefixed `floe.`. */
  readonly summary: Readonly<Record<string, string>> & { readonly operation: SnapshotOperation };
  readonly schemaId?: number;
}

export interface SnapshotRef {
  readonly snapshotId: bigint;
  readonly type: 'branch' | 'tag';
  readonly minSnapshotsToKeep?: number;
  readonly maxSnapshotAgeMs?: number;
  readonly maxRefAgeMs?: number;
}

export interface TableMetadata {
  readonly formatVersion: 1 | 2;
  readonly tableUuid: string;
  readonly location: string;
  readonly lastSequenceNumber: number;
  readonly lastUpdatedMs: number;
  readonly lastColumnId: number;
  readonly schemas: readonly Schema[];
  readonly currentSchemaId: number;
  readonly partitionSpecs: readonly PartitionSpec[];
  readonly defaultSpecId: number;
  readonly lastPartitionId: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly currentSnapshotId: bigint | null;
  readonly snapshots: readonly Snapshot[];
  readonly snapshotLog: readonly { readonly timestampMs: number; readonly snapshotId: bigint }[];
  readonly metadataLog: readonly { readonly timestampMs: number; readonly metadataFile: string }[];
  readonly sortOrders: readonly SortOrder[];
  readonly defaultSortOrderId: number;
  readonly refs: Readonly<Record<string, SnapshotRef>>;
}

// ---------------------------------------------------------------- commits (REST-spec shapes)

/** Metadata changes a commit carries; the catalog applies them to the current metadata. */
export type TableUpdate =
  | { readonly action: 'assign-uuid'; readonly uuid: string }
  | { readonly action: 'upgrade-format-version'; readonly formatVersion: 1 | 2 }
  | { readonly action: 'add-schema'; readonly schema: Schema; readonly lastColumnId?: number }
  | { readonly action: 'set-current-schema'; readonly schemaId: number } // -1 = last added
  | { readonly action: 'add-spec'; readonly spec: PartitionSpec }
  | { readonly action: 'set-default-spec'; readonly specId: number } // -1 = last added
  | { readonly action: 'add-sort-order'; readonly sortOrder: SortOrder }
  | { readonly action: 'set-default-sort-order'; readonly sortOrderId: number }
  | { readonly action: 'add-snapshot'; readonly snapshot: Snapshot }
  | {
      readonly action: 'set-snapshot-ref';
      readonly refName: string;
      readonly snapshotId: bigint;
      readonly type: 'branch' | 'tag';
    }
  | { readonly action: 'remove-snapshots'; readonly snapshotIds: readonly bigint[] }
  | { readonly action: 'remove-snapshot-ref'; readonly refName: string }
  | { readonly action: 'set-location'; readonly location: string }
  | { readonly action: 'set-properties'; readonly updates: Readonly<Record<string, string>> }
  | { readonly action: 'remove-properties'; readonly removals: readonly string[] };

/** Preconditions checked against the current metadata inside the catalog's atomic swap. */
export type TableRequirement =
  | { readonly type: 'assert-create' }
  | { readonly type: 'assert-table-uuid'; readonly uuid: string }
  | { readonly type: 'assert-ref-snapshot-id'; readonly ref: string; readonly snapshotId: bigint | null }
  | { readonly type: 'assert-last-assigned-field-id'; readonly lastAssignedFieldId: number }
  | { readonly type: 'assert-current-schema-id'; readonly currentSchemaId: number }
  | { readonly type: 'assert-last-assigned-partition-id'; readonly lastAssignedPartitionId: number }
  | { readonly type: 'assert-default-spec-id'; readonly defaultSpecId: number }
  | { readonly type: 'assert-default-sort-order-id'; readonly defaultSortOrderId: number };

/** `namespace` has one or more levels; `name` is the table name. */
export interface TableIdentifier {
  readonly namespace: readonly string[];
  readonly name: string;
}
