/**
 * The v2 Avro schemas of manifests (`manifest_entry` with `data_file`) and manifest lists
 * (`manifest_file`), as data, with the spec's field ids. Record names follow Java's
 * convention (`r<field id>`, `k<key id>_v<value id>`) so files look like Java's to any reader.
 */
import { intKeyMap, list, optionalField, record, requiredField, type AvroRecord } from '../avro/avro-schema.ts';

/** `data_file` (field 2) for v2, with the manifest's partition struct (field 102). */
export function dataFileSchema(partition: AvroRecord): AvroRecord {
  return record('r2', [
    requiredField('content', 134, 'int'),
    requiredField('file_path', 100, 'string'),
    requiredField('file_format', 101, 'string'),
    requiredField('partition', 102, partition),
    requiredField('record_count', 103, 'long'),
    requiredField('file_size_in_bytes', 104, 'long'),
    optionalField('column_sizes', 108, intKeyMap(117, 118, 'long')),
    optionalField('value_counts', 109, intKeyMap(119, 120, 'long')),
    optionalField('null_value_counts', 110, intKeyMap(121, 122, 'long')),
    optionalField('nan_value_counts', 137, intKeyMap(138, 139, 'long')),
    optionalField('lower_bounds', 125, intKeyMap(126, 127, 'bytes')),
    optionalField('upper_bounds', 128, intKeyMap(129, 130, 'bytes')),
    optionalField('key_metadata', 131, 'bytes'),
    optionalField('split_offsets', 132, list(133, 'long')),
    optionalField('equality_ids', 135, list(136, 'int')),
    optionalField('sort_order_id', 140, 'int'),
    optionalField('referenced_data_file', 143, 'string'),
  ]);
}

/** `manifest_entry` for v2: status, optional snapshot id and sequence numbers, the data file. */
export function manifestEntrySchema(partition: AvroRecord): AvroRecord {
  return record('manifest_entry', [
    requiredField('status', 0, 'int'),
    optionalField('snapshot_id', 1, 'long'),
    optionalField('sequence_number', 3, 'long'),
    optionalField('file_sequence_number', 4, 'long'),
    requiredField('data_file', 2, dataFileSchema(partition)),
  ]);
}

/** `field_summary` (list element 508 of `partitions`). */
const FIELD_SUMMARY = record('r508', [
  requiredField('contains_null', 509, 'boolean'),
  optionalField('contains_nan', 518, 'boolean'),
  optionalField('lower_bound', 510, 'bytes'),
  optionalField('upper_bound', 511, 'bytes'),
]);

/** `manifest_file` for v2 manifest lists: every count and sequence number required. */
export const MANIFEST_FILE_SCHEMA: AvroRecord = record('manifest_file', [
  requiredField('manifest_path', 500, 'string'),
  requiredField('manifest_length', 501, 'long'),
  requiredField('partition_spec_id', 502, 'int'),
  requiredField('content', 517, 'int'),
  requiredField('sequence_number', 515, 'long'),
  requiredField('min_sequence_number', 516, 'long'),
  requiredField('added_snapshot_id', 503, 'long'),
  requiredField('added_files_count', 504, 'int'),
  requiredField('existing_files_count', 505, 'int'),
  requiredField('deleted_files_count', 506, 'int'),
  requiredField('added_rows_count', 512, 'long'),
  requiredField('existing_rows_count', 513, 'long'),
  requiredField('deleted_rows_count', 514, 'long'),
  optionalField('partitions', 507, list(508, FIELD_SUMMARY)),
  optionalField('key_metadata', 519, 'bytes'),
]);

/**
 * Canonical field names by field id, for reading files whose writers named fields differently
 * (old Java v1 lists say `added_data_files_count`); readers match on ids, as the spec requires.
 */
export const NAMES_BY_FIELD_ID: ReadonlyMap<number, string> = new Map([
  // manifest_entry
  [0, 'status'], [1, 'snapshot_id'], [2, 'data_file'], [3, 'sequence_number'], [4, 'file_sequence_number'],
  // data_file
  [100, 'file_path'], [101, 'file_format'], [102, 'partition'], [103, 'record_count'], [104, 'file_size_in_bytes'],
  [105, 'block_size_in_bytes'], [108, 'column_sizes'], [109, 'value_counts'], [110, 'null_value_counts'],
  [125, 'lower_bounds'], [128, 'upper_bounds'], [131, 'key_metadata'], [132, 'split_offsets'], [134, 'content'],
  [135, 'equality_ids'], [137, 'nan_value_counts'], [140, 'sort_order_id'], [143, 'referenced_data_file'],
  // manifest_file and field_summary
  [500, 'manifest_path'], [501, 'manifest_length'], [502, 'partition_spec_id'], [503, 'added_snapshot_id'],
  [504, 'added_files_count'], [505, 'existing_files_count'], [506, 'deleted_files_count'], [507, 'partitions'],
  [509, 'contains_null'], [510, 'lower_bound'], [511, 'upper_bound'], [512, 'added_rows_count'],
  [513, 'existing_rows_count'], [514, 'deleted_rows_count'], [515, 'sequence_number'], [516, 'min_sequence_number'],
  [517, 'content'], [518, 'contains_nan'], [519, 'key_metadata'],
]);
