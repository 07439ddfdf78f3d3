/**
 * A schema with every Iceberg type and rows with edge values, shared by the Parquet unit tests
 * and the pyarrow integration test (test/integration/parquet-pyarrow.test.ts).
 */
import type { Row, Schema } from '../spec/types.ts';

const D38 = 10n ** 38n - 1n;

/** Every primitive (ids 1..16) plus a struct, a list of structs and a map (ids 20..31). */
export const ALL_TYPES_SCHEMA: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'b', required: false, type: { type: 'boolean' } },
    { id: 3, name: 'i', required: false, type: { type: 'int' } },
    { id: 4, name: 'l', required: false, type: { type: 'long' } },
    { id: 5, name: 'f', required: false, type: { type: 'float' } },
    { id: 6, name: 'd', required: false, type: { type: 'double' } },
    { id: 7, name: 'dec9', required: false, type: { type: 'decimal', precision: 9, scale: 2 } },
    { id: 8, name: 'dec18', required: false, type: { type: 'decimal', precision: 18, scale: 0 } },
    { id: 9, name: 'dec38', required: false, type: { type: 'decimal', precision: 38, scale: 10 } },
    { id: 10, name: 'day', required: false, type: { type: 'date' } },
    { id: 11, name: 'tod', required: false, type: { type: 'time' } },
    { id: 12, name: 'ts', required: false, type: { type: 'timestamp' } },
    { id: 13, name: 'tstz', required: false, type: { type: 'timestamptz' } },
    { id: 14, name: 's', required: false, type: { type: 'string' } },
    { id: 15, name: 'u', required: false, type: { type: 'uuid' } },
    { id: 16, name: 'bin', required: false, type: { type: 'binary' } },
    { id: 17, name: 'fx', required: false, type: { type: 'fixed', length: 3 } },
    {
      id: 20,
      name: 'st',
      required: false,
      type: {
        type: 'struct',
        fields: [
          { id: 21, name: 'x', required: true, type: { type: 'int' } },
          { id: 22, name: 'y', required: false, type: { type: 'string' } },
        ],
      },
    },
    {
      id: 23,
      name: 'pts',
      required: false,
      type: {
        type: 'list',
        elementId: 24,
        elementRequired: false,
        element: { type: 'struct', fields: [{ id: 25, name: 'v', required: false, type: { type: 'double' } }] },
      },
    },
    { id: 26, name: 'tags', required: false, type: { type: 'list', elementId: 27, elementRequired: true, element: { type: 'string' } } },
    {
      id: 28,
      name: 'm',
      required: false,
      type: { type: 'map', keyId: 29, key: { type: 'string' }, valueId: 30, valueRequired: false, value: { type: 'long' } },
    },
  ],
};

/** Four rows: minima, maxima, awkward values, and all nulls. */
export const ALL_TYPES_ROWS: Row[] = [
  {
    id: 1n, b: false, i: -(2 ** 31), l: -(2n ** 63n), f: -Infinity, d: -0, dec9: -999_999_999n, dec18: -(10n ** 18n - 1n), dec38: -D38,
    day: -719162, tod: 0n, ts: -62135596800000000n, tstz: -1n, s: '', u: '00000000-0000-0000-0000-000000000000',
    bin: new Uint8Array([]), fx: new Uint8Array([0, 0, 0]), st: { x: -1, y: '' }, pts: [], tags: [], m: new Map(),
  },
  {
    id: 2n, b: true, i: 2 ** 31 - 1, l: 2n ** 63n - 1n, f: Infinity, d: Number.MAX_VALUE, dec9: 999_999_999n, dec18: 10n ** 18n - 1n, dec38: D38,
    day: 2932896, tod: 86_399_999_999n, ts: 253402300799999999n, tstz: 253402300799999999n, s: 'zzz \u{1F600} über 日本語 and a string longer than sixteen',
    u: 'ffffffff-ffff-ffff-ffff-ffffffffffff', bin: new Uint8Array([255, 0, 255]), fx: new Uint8Array([255, 255, 255]),
    st: { x: 2, y: 'ß' }, pts: [{ v: 1.5 }, null, { v: null }], tags: ['a', 'b'], m: new Map([['k', 1n], ['n', null]]),
  },
  {
    id: 3n, b: null, i: 0, l: 0n, f: NaN, d: NaN, dec9: 1n, dec18: 0n, dec38: 12345678901234567890n, day: 0, tod: 1n, ts: 1n, tstz: 1_700_000_000_123_456n,
    s: 'a', u: '123e4567-e89b-12d3-a456-426614174000', bin: new Uint8Array([1]), fx: new Uint8Array([1, 2, 3]),
    st: null, pts: null, tags: null, m: null,
  },
  {
    id: 4n, b: null, i: null, l: null, f: null, d: null, dec9: null, dec18: null, dec38: null, day: null, tod: null, ts: null, tstz: null,
    s: null, u: null, bin: null, fx: null, st: null, pts: null, tags: null, m: null,
  },
];

/** The primitive columns of ALL_TYPES_SCHEMA (ids 1..17): a flat schema, written by the flat encoder. */
export const ALL_PRIMITIVES_SCHEMA: Schema = {
  ...ALL_TYPES_SCHEMA,
  fields: ALL_TYPES_SCHEMA.fields.filter((f) => !['struct', 'list', 'map'].includes(f.type.type)),
};

/** ALL_TYPES_ROWS without the nested columns. */
export const ALL_PRIMITIVES_ROWS: Row[] = ALL_TYPES_ROWS.map((r) =>
  Object.fromEntries(ALL_PRIMITIVES_SCHEMA.fields.map((f) => [f.name, r[f.name] ?? null])),
);
