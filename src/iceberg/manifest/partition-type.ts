/**
 * The partition struct of a manifest (`data_file.partition`, field 102): one optional field per
 * partition field, named after it, with the partition field id and the transform's result type.
 * Writing derives it from the spec and table schema; reading takes it from the file's schema.
 */
import { CorruptFileError, UnsupportedTypeError } from '../../core/errors.ts';
import { isObjectSchema, optionalField, record, type AvroRecord, type AvroSchema } from '../avro/avro-schema.ts';
import { fieldNamed } from '../avro/field-ids.ts';
import { avroSchemaOf, fromAvroValue, primitiveOfAvro, toAvroValue } from '../avro/primitive-codec.ts';
import { transformResultType } from '../spec/transforms.ts';
import type { IcebergType, NestedField, PartitionSpec, PartitionTuple, PrimitiveType, Schema } from '../spec/types.ts';

/** One field of the partition struct. */
export interface PartitionFieldType {
  readonly fieldId: number; // partition field id (1000+)
  readonly name: string; // Avro-safe name used in the file
  readonly type: PrimitiveType; // transform result type
}

/** Avro names match [A-Za-z_][A-Za-z0-9_]*; others are escaped as Java does (`_x2E` for `.`). */
export function avroSafeName(name: string): string {
  let out = '';
  for (const [i, ch] of [...name].entries()) {
    const ok = /[A-Za-z_]/.test(ch) || (i > 0 && /[0-9]/.test(ch));
    if (ok) out += ch;
    else if (i === 0 && /[0-9]/.test(ch)) out += `_${ch}`;
    else out += `_x${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase()}`;
  }
  return out === '' ? '_' : out;
}

function findField(fields: readonly NestedField[], id: number): NestedField | undefined {
  for (const f of fields) {
    if (f.id === id) return f;
    if (f.type.type === 'struct') {
      const inner = findField(f.type.fields, id);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function isPrimitive(t: IcebergType): t is PrimitiveType {
  return t.type !== 'struct' && t.type !== 'list' && t.type !== 'map';
}

/** The partition struct of `spec` over `schema`. Throws UnsupportedTypeError for a bad source. */
export function partitionType(spec: PartitionSpec, schema: Schema): PartitionFieldType[] {
  return spec.fields.map((pf) => {
    const source = findField(schema.fields, pf.sourceId);
    let type: PrimitiveType;
    if (source === undefined) {
      if (pf.transform !== 'void') {
        throw new UnsupportedTypeError(`partition spec ${spec.specId} field ${pf.name}: source column ${pf.sourceId} is not in schema ${schema.schemaId}`);
      }
      type = { type: 'int' }; // a void field of a dropped column: always null
    } else if (!isPrimitive(source.type)) {
      throw new UnsupportedTypeError(`partition spec ${spec.specId} field ${pf.name}: source column ${source.name} is a ${source.type.type}, not a primitive`);
    } else {
      type = transformResultType(pf.transform, source.type);
    }
    return { fieldId: pf.fieldId, name: avroSafeName(pf.name), type };
  });
}

/** The Avro record (`r102`) of a partition struct. */
export function partitionRecordSchema(fields: readonly PartitionFieldType[]): AvroRecord {
  return record(
    'r102',
    fields.map((f) => optionalField(f.name, f.fieldId, avroSchemaOf(f.type, `fixed_${f.fieldId}`))),
  );
}

/** A partition tuple as the Avro record value; throws if its arity does not match the struct. */
export function encodePartition(fields: readonly PartitionFieldType[], tuple: PartitionTuple, where: string): Record<string, unknown> {
  if (tuple.length !== fields.length) {
    throw new Error(`${where}: partition tuple has ${tuple.length} values, the spec has ${fields.length} fields`);
  }
  const out: Record<string, unknown> = {};
  fields.forEach((f, i) => {
    out[f.name] = toAvroValue(f.type, tuple[i] ?? null);
  });
  return out;
}

/** The partition struct recorded in a manifest's writer schema (`manifest_entry.data_file.partition`). */
export function partitionTypeOfFile(entrySchema: AvroSchema, file: string): PartitionFieldType[] {
  const dataFile = fieldNamed(entrySchema, 'data_file');
  const partition = dataFile === undefined ? undefined : fieldNamed(dataFile.type, 'partition');
  if (partition === undefined || !isObjectSchema(partition.type) || partition.type.type !== 'record') {
    throw new CorruptFileError(`manifest ${file}: schema has no data_file.partition record`);
  }
  return partition.type.fields.map((f, i) => ({
    fieldId: f['field-id'] ?? 1000 + i,
    name: f.name,
    type: primitiveOfAvro(f.type, `manifest ${file} partition field ${f.name}`),
  }));
}

/** A decoded partition record back to a tuple in struct order. */
export function decodePartition(fields: readonly PartitionFieldType[], value: unknown): PartitionTuple {
  const rec = (value ?? {}) as Record<string, unknown>;
  return fields.map((f) => fromAvroValue(f.type, rec[f.name]));
}
