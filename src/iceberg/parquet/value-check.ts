/**
 * Finds the first value that does not match the in-memory representation of its Iceberg type
 * (see spec/types.ts). Run only after the encoder failed, so the hot path pays nothing.
 */
import type { IcebergType, IcebergValue, NestedField, SimpleTypeName } from '../spec/types.ts';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isInt = (v: IcebergValue): boolean => typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX;
const isLong = (v: IcebergValue): boolean => typeof v === 'bigint' && v >= LONG_MIN && v <= LONG_MAX;

/** Iceberg primitive -> [accepts value, what is expected]. */
const CHECKS: Readonly<Record<SimpleTypeName, readonly [(v: IcebergValue) => boolean, string]>> = {
  boolean: [(v) => typeof v === 'boolean', 'a boolean'],
  int: [isInt, 'a 32-bit integer number'],
  long: [isLong, 'a 64-bit bigint'],
  float: [(v) => typeof v === 'number', 'a number'],
  double: [(v) => typeof v === 'number', 'a number'],
  date: [isInt, 'days since 1970 as an integer number'],
  time: [isLong, 'microseconds since midnight as a bigint'],
  timestamp: [isLong, 'microseconds since 1970 as a bigint'],
  timestamptz: [isLong, 'microseconds since 1970 as a bigint'],
  string: [(v) => typeof v === 'string', 'a string'],
  uuid: [(v) => typeof v === 'string' && UUID.test(v), 'a lowercase canonical uuid string'],
  binary: [(v) => v instanceof Uint8Array, 'a Uint8Array'],
};

const show = (v: unknown): string => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `bytes[${v.length}]` : JSON.stringify(v) ?? String(v));

/** Why `v` is not a valid non-null value of `t`, or undefined when it is (recursing into nested values). */
export function valueProblem(t: IcebergType, v: IcebergValue, path: string): string | undefined {
  if (v === null || v === undefined) return undefined;
  switch (t.type) {
    case 'decimal': {
      const lim = 10n ** BigInt(t.precision);
      return typeof v === 'bigint' && v > -lim && v < lim ? undefined : `${path} = ${show(v)}: expected an unscaled bigint of at most ${t.precision} digits`;
    }
    case 'fixed':
      return v instanceof Uint8Array && v.length === t.length ? undefined : `${path} = ${show(v)}: expected ${t.length} bytes`;
    case 'struct': {
      if (typeof v !== 'object' || Array.isArray(v) || v instanceof Map || v instanceof Uint8Array) return `${path} = ${show(v)}: expected a struct object`;
      for (const f of t.fields) {
        const p = fieldProblem(f, (v as Record<string, IcebergValue>)[f.name] ?? null, `${path}.${f.name}`);
        if (p) return p;
      }
      return undefined;
    }
    case 'list': {
      if (!Array.isArray(v)) return `${path} = ${show(v)}: expected an array`;
      for (let i = 0; i < v.length; i++) {
        const e = v[i] as IcebergValue;
        if ((e === null || e === undefined) && t.elementRequired) return `${path}[${i}] is null but the element is required`;
        const p = valueProblem(t.element, e, `${path}[${i}]`);
        if (p) return p;
      }
      return undefined;
    }
    case 'map': {
      if (!(v instanceof Map)) return `${path} = ${show(v)}: expected a Map`;
      for (const [k, val] of v as Map<IcebergValue, IcebergValue>) {
        if (k === null || k === undefined) return `${path} has a null key`;
        const p = valueProblem(t.key, k, `${path}.key`) ?? valueProblem(t.value, val, `${path}[${show(k)}]`);
        if (p) return p;
        if ((val === null || val === undefined) && t.valueRequired) return `${path}[${show(k)}] is null but the value is required`;
      }
      return undefined;
    }
    default: {
      const [ok, expected] = CHECKS[t.type];
      return ok(v) ? undefined : `${path} = ${show(v)} (${typeof v}): expected ${expected}`;
    }
  }
}

function fieldProblem(f: NestedField, v: IcebergValue, path: string): string | undefined {
  if ((v === null || v === undefined) && f.required) return `${path} is null but the column is required`;
  return valueProblem(f.type, v, path);
}

/** The first bad value of `columns` (one array per top-level field) as "column name row N = value: expected ...". */
export function findBadValue(fields: readonly NestedField[], columns: readonly (readonly IcebergValue[])[], rows: number): string | undefined {
  for (let c = 0; c < fields.length; c++) {
    const f = fields[c]!;
    const col = columns[c];
    if (!col || col.length < rows) return `column ${f.name}: ${col?.length ?? 0} values for ${rows} rows`;
    for (let r = 0; r < rows; r++) {
      const p = fieldProblem(f, col[r] ?? null, `column ${f.name} row ${r}`);
      if (p) return p;
    }
  }
  return undefined;
}
