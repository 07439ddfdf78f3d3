/**
 * Row filters for scans, and the pruning they allow: a file is skipped only when its column
 * bounds or partition values prove no row can match. Pure. A filter is an AND of simple terms.
 */
import { compareValues } from '../spec/compare.ts';
import { fromSingleValue } from '../spec/single-value.ts';
import { applyTransform } from '../spec/transforms.ts';
import type { DataFile, IcebergValue, NestedField, PartitionSpec, PrimitiveType, Row, Schema } from '../spec/types.ts';

export type CompareTerm = { readonly field: string; readonly op: '=' | '<' | '<=' | '>' | '>='; readonly value: IcebergValue };
export type InTerm = { readonly field: string; readonly op: 'in'; readonly values: readonly IcebergValue[] };
export type NullTerm = { readonly field: string; readonly op: 'is-null' | 'not-null' };
export type Term = CompareTerm | InTerm | NullTerm;

const isNullTerm = (t: Term): t is NullTerm => t.op === 'is-null' || t.op === 'not-null';
const isInTerm = (t: Term): t is InTerm => t.op === 'in';

/** Terms that must all hold. An empty filter matches everything. */
export type Filter = readonly Term[];

function topField(schema: Schema, name: string): NestedField {
  const field = schema.fields.find((f) => f.name === name);
  if (field === undefined) throw new Error(`iceberg filter: no column '${name}' in schema ${schema.schemaId}`);
  if (field.type.type === 'struct' || field.type.type === 'list' || field.type.type === 'map') {
    throw new Error(`iceberg filter: column '${name}' is ${field.type.type}; only primitive columns can be filtered`);
  }
  return field;
}

function termMatches(type: PrimitiveType, term: Term, value: IcebergValue): boolean {
  if (isNullTerm(term)) return term.op === 'is-null' ? value === null : value !== null;
  if (value === null) return false;
  if (isInTerm(term)) return term.values.some((v) => v !== null && compareValues(type, value, v) === 0);
  if (term.value === null) return false;
  const c = compareValues(type, value, term.value);
  switch (term.op) {
    case '=':
      return c === 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** Whether a row satisfies every term. */
export function rowMatches(schema: Schema, filter: Filter, row: Row): boolean {
  return filter.every((term) => {
    const field = topField(schema, term.field);
    return termMatches(field.type as PrimitiveType, term, row[term.field] ?? null);
  });
}

/** False only when the file's bounds and null counts prove no row matches the term. */
function mightMatchStats(field: NestedField, term: Term, file: DataFile): boolean {
  const type = field.type as PrimitiveType;
  const rows = file.recordCount;
  const nulls = file.nullValueCounts?.get(field.id);
  if (isNullTerm(term)) return nulls === undefined || (term.op === 'is-null' ? nulls > 0 : nulls < rows);
  if (nulls !== undefined && nulls === rows) return false;
  const lowerBytes = file.lowerBounds?.get(field.id);
  const upperBytes = file.upperBounds?.get(field.id);
  const lower = lowerBytes === undefined ? undefined : fromSingleValue(type, lowerBytes);
  const upper = upperBytes === undefined ? undefined : fromSingleValue(type, upperBytes);
  // Float bounds exclude NaN, so a NaN term value can never be pruned safely.
  const values = isInTerm(term) ? term.values : [term.value];
  if (values.some((v) => typeof v === 'number' && Number.isNaN(v))) return true;
  const atLeast = (v: IcebergValue): boolean => upper === undefined || v === null || compareValues(type, upper, v) >= 0;
  const atMost = (v: IcebergValue): boolean => lower === undefined || v === null || compareValues(type, lower, v) <= 0;
  if (isInTerm(term)) return term.values.some((v) => atLeast(v) && atMost(v));
  switch (term.op) {
    case '=':
      return atLeast(term.value) && atMost(term.value);
    case '<':
      return lower === undefined || term.value === null || compareValues(type, lower, term.value) < 0;
    case '<=':
      return atMost(term.value);
    case '>':
      return upper === undefined || term.value === null || compareValues(type, upper, term.value) > 0;
    case '>=':
      return atLeast(term.value);
  }
}

/** Partition values compare by content; ints may come back as number or bigint. */
function samePartitionValue(a: IcebergValue, b: IcebergValue): boolean {
  if (a === null || b === null) return a === b;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return String(a) === String(b);
}

/** False only when the file's partition value proves no row matches an equality term. */
function mightMatchPartition(spec: PartitionSpec, field: NestedField, term: Term, file: DataFile): boolean {
  if (isNullTerm(term) || (term.op !== '=' && term.op !== 'in')) return true;
  const type = field.type as PrimitiveType;
  const values = isInTerm(term) ? term.values : [term.value];
  return spec.fields.every((pf, i) => {
    if (pf.sourceId !== field.id || pf.transform === 'void') return true;
    const actual = file.partition[i] ?? null;
    return values.some((v) => {
      const expected = applyTransform(pf.transform, type, v);
      return samePartitionValue(expected, actual);
    });
  });
}

/** Whether a data file may hold rows matching the filter (false means skip it). */
export function fileMightMatch(schema: Schema, spec: PartitionSpec, filter: Filter, file: DataFile): boolean {
  return filter.every((term) => {
    const field = topField(schema, term.field);
    return mightMatchStats(field, term, file) && mightMatchPartition(spec, field, term, file);
  });
}
