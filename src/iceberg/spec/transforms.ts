/**
 * Partition transforms (spec "Partition Transforms"): parsing, result types, applying them to
 * values, and turning a row into a partition tuple and a Hive-style path.
 *
 * Decision: `day` has result type `date` (spec v2 table, Java and pyiceberg). Its in-memory
 * value is the same number of days either way, and a manifest stores it as an Avro int with
 * logicalType date, as pyiceberg writes it; readers must also accept plain ints (spec note).
 */
import type { IcebergValue, PartitionSpec, PartitionTuple, PrimitiveType, Row, Schema, Transform } from './types.ts';
import { BadEventError, ConfigError, UnsupportedTypeError } from '../../core/errors.ts';
import { murmur3Hash32, murmur3HashLong } from './murmur3.ts';
import { decimalToMinBytes } from './single-value.ts';
import { daysToCivil, MICROS_PER_DAY, uuidToBytes } from './values.ts';
import { humanDay, humanHour, humanMonth, humanValue, humanYear, urlEncode } from './human-string.ts';
import { findFieldById, findFieldPath, isPrimitive, typeToString } from './schema.ts';

/** A transform string as data; `n` buckets (>= 1), truncate `width` (>= 1). */
export type ParsedTransform =
  | { readonly kind: 'identity' | 'year' | 'month' | 'day' | 'hour' | 'void' }
  | { readonly kind: 'bucket'; readonly n: number }
  | { readonly kind: 'truncate'; readonly width: number };

type Kind = ParsedTransform['kind'];
type TypeName = PrimitiveType['type'];

const parseCache = new Map<string, ParsedTransform>();

/**
 * Parses `identity`, `bucket[N]`, `truncate[W]`, `year`, `month`, `day`, `hour`, `void`
 * (N, W positive 32-bit integers). Throws ConfigError naming the string for anything else.
 */
export function parseTransform(s: string): ParsedTransform {
  const cached = parseCache.get(s);
  if (cached) return cached;
  let parsed: ParsedTransform;
  const m = /^(bucket|truncate)\[(\d+)\]$/.exec(s);
  if (m) {
    const n = Number(m[2]);
    if (n < 1 || n > 2147483647) throw new ConfigError(`transform '${s}': ${m[1]} parameter must be 1..2147483647`);
    parsed = m[1] === 'bucket' ? { kind: 'bucket', n } : { kind: 'truncate', width: n };
  } else if (['identity', 'year', 'month', 'day', 'hour', 'void'].includes(s)) {
    parsed = { kind: s as 'identity' };
  } else {
    throw new ConfigError(
      `unknown partition transform '${s}' (expected identity, bucket[N], truncate[W], year, month, day, hour or void)`,
    );
  }
  parseCache.set(s, parsed);
  return parsed;
}

/** The metadata string of a parsed transform (`{kind:'bucket', n:16}` -> `bucket[16]`). */
export function formatTransform(t: ParsedTransform): Transform {
  if (t.kind === 'bucket') return `bucket[${t.n}]`;
  if (t.kind === 'truncate') return `truncate[${t.width}]`;
  return t.kind;
}

const ALL: readonly TypeName[] = ['boolean', 'int', 'long', 'float', 'double', 'decimal', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid', 'binary', 'fixed'];
const DATES: readonly TypeName[] = ['date', 'timestamp', 'timestamptz'];

/** Source types each transform accepts (spec table). */
const SOURCE_TYPES: Record<Kind, readonly TypeName[]> = {
  identity: ALL,
  bucket: ['int', 'long', 'decimal', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid', 'binary', 'fixed'],
  truncate: ['int', 'long', 'decimal', 'string', 'binary'],
  year: DATES,
  month: DATES,
  day: DATES,
  hour: ['timestamp', 'timestamptz'],
  void: ALL,
};

/** Result types; `undefined` means "the source type". */
const RESULT_TYPES: Record<Kind, PrimitiveType | undefined> = {
  identity: undefined,
  bucket: { type: 'int' },
  truncate: undefined,
  year: { type: 'int' },
  month: { type: 'int' },
  day: { type: 'date' },
  hour: { type: 'int' },
  void: undefined,
};

/** True when `transform` may be applied to `source` (spec "Partition Transforms" table). */
export function canTransform(transform: Transform, source: PrimitiveType): boolean {
  return SOURCE_TYPES[parseTransform(transform).kind].includes(source.type);
}

function checkSource(transform: Transform, source: PrimitiveType): ParsedTransform {
  const parsed = parseTransform(transform);
  if (!SOURCE_TYPES[parsed.kind].includes(source.type)) {
    throw new UnsupportedTypeError(`transform ${transform} cannot apply to type ${typeToString(source)}`);
  }
  return parsed;
}

/**
 * Type of the transform's result: bucket/year/month/hour -> int, day -> date,
 * identity/truncate/void -> the source type. Throws UnsupportedTypeError for a source type
 * the transform does not accept.
 */
export function transformResultType(transform: Transform, source: PrimitiveType): PrimitiveType {
  return RESULT_TYPES[checkSource(transform, source).kind] ?? source;
}

type Fn = (v: IcebergValue) => IcebergValue;

function expectValue(source: PrimitiveType, ok: (v: IcebergValue) => boolean): (v: IcebergValue) => void {
  return (v) => {
    if (!ok(v)) throw new BadEventError(`value ${String(v)} (${typeof v}) is not a ${typeToString(source)}`);
  };
}

const isNum = (v: IcebergValue): boolean => typeof v === 'number';
const isBig = (v: IcebergValue): boolean => typeof v === 'bigint';
const isStr = (v: IcebergValue): boolean => typeof v === 'string';
const isBytes = (v: IcebergValue): boolean => v instanceof Uint8Array;
const utf8 = new TextEncoder();

/** The 32-bit hash the bucket transform applies to a value of `source` (spec Appendix B). */
const HASHES: Partial<Record<TypeName, [(v: IcebergValue) => boolean, (v: IcebergValue) => number]>> = {
  int: [isNum, (v) => murmur3HashLong(v as number)],
  date: [isNum, (v) => murmur3HashLong(v as number)],
  long: [isBig, (v) => murmur3HashLong(v as bigint)],
  time: [isBig, (v) => murmur3HashLong(v as bigint)],
  timestamp: [isBig, (v) => murmur3HashLong(v as bigint)],
  timestamptz: [isBig, (v) => murmur3HashLong(v as bigint)],
  decimal: [isBig, (v) => murmur3Hash32(decimalToMinBytes(v as bigint))],
  string: [isStr, (v) => murmur3Hash32(utf8.encode(v as string))],
  uuid: [isStr, (v) => murmur3Hash32(uuidToBytes(v as string))],
  binary: [isBytes, (v) => murmur3Hash32(v as Uint8Array)],
  fixed: [isBytes, (v) => murmur3Hash32(v as Uint8Array)],
};

/** Spec `v - (((v % W) + W) % W)`; int results wrap to 32 bits and long results to 64, as Java's do. */
function truncateFn(source: PrimitiveType, width: number): Fn {
  const w = BigInt(width);
  switch (source.type) {
    case 'int':
      return (v) => ((v as number) - ((((v as number) % width) + width) % width)) | 0;
    case 'long':
      return (v) => BigInt.asIntN(64, (v as bigint) - ((((v as bigint) % w) + w) % w));
    case 'decimal': // W applies to the unscaled value (spec note 2)
      return (v) => (v as bigint) - ((((v as bigint) % w) + w) % w);
    case 'string':
      return (v) => {
        const s = v as string;
        let units = 0;
        for (let points = 0; points < width && units < s.length; points++) units += s.codePointAt(units)! > 0xffff ? 2 : 1;
        return s.slice(0, units);
      };
    default: // binary
      return (v) => (v as Uint8Array).slice(0, width);
  }
}

/** Days since 1970-01-01 of a date (number) or µs timestamp (bigint), flooring before 1970. */
function toDays(v: IcebergValue): number {
  if (typeof v === 'number') return v;
  const micros = v as bigint;
  const q = micros / MICROS_PER_DAY;
  return Number(micros % MICROS_PER_DAY < 0n ? q - 1n : q);
}

const TIME_FNS: Record<'year' | 'month' | 'day' | 'hour', Fn> = {
  year: (v) => daysToCivil(toDays(v)).year - 1970,
  month: (v) => {
    const { year, month } = daysToCivil(toDays(v));
    return (year - 1970) * 12 + month - 1;
  },
  day: toDays,
  hour: (v) => {
    const micros = v as bigint;
    const q = micros / 3_600_000_000n;
    return Number(micros % 3_600_000_000n < 0n ? q - 1n : q);
  },
};

function build(parsed: ParsedTransform, source: PrimitiveType): Fn {
  switch (parsed.kind) {
    case 'identity':
      return (v) => v;
    case 'void':
      return () => null;
    case 'bucket': {
      const [ok, hash] = HASHES[source.type]!;
      const check = expectValue(source, ok);
      return (v) => {
        check(v);
        return (hash(v) & 0x7fffffff) % parsed.n;
      };
    }
    case 'truncate': {
      const ok = source.type === 'int' ? isNum : source.type === 'string' ? isStr : source.type === 'binary' ? isBytes : isBig;
      const check = expectValue(source, ok);
      const fn = truncateFn(source, parsed.width);
      return (v) => {
        check(v);
        return fn(v);
      };
    }
    default: {
      const check = expectValue(source, source.type === 'date' ? isNum : isBig);
      const fn = TIME_FNS[parsed.kind];
      return (v) => {
        check(v);
        return fn(v);
      };
    }
  }
}

/**
 * A compiled transform for hot loops: validates `source` once (UnsupportedTypeError), then
 * maps values; null -> null; a value of the wrong representation throws BadEventError.
 */
export function transformFunction(transform: Transform, source: PrimitiveType): Fn {
  const fn = build(checkSource(transform, source), source);
  return (v) => (v === null ? null : fn(v));
}

/**
 * Applies `transform` to one value of type `source` (null -> null). Bucket: murmur3 per spec
 * Appendix B, `(hash & MAX_INT) % N`; truncate: floor to a multiple of W (ints, decimals'
 * unscaled values), first W code points (strings) or bytes (binary); year/month/day/hour:
 * ordinals since 1970 with floor division, so 1969-12-31T23:00 is hour -1, month -1, year -1.
 */
export function applyTransform(transform: Transform, source: PrimitiveType, value: IcebergValue): IcebergValue {
  return transformFunction(transform, source)(value);
}

interface CompiledField {
  readonly path: readonly string[];
  readonly source: PrimitiveType;
  readonly fn: Fn;
}

const compiled = new WeakMap<PartitionSpec, WeakMap<Schema, readonly CompiledField[]>>();

function compile(spec: PartitionSpec, schema: Schema): readonly CompiledField[] {
  let bySchema = compiled.get(spec);
  const hit = bySchema?.get(schema);
  if (hit) return hit;
  const fields = spec.fields.map((pf): CompiledField => {
    const path = findFieldPath(schema, pf.sourceId);
    if (!path) throw new ConfigError(`partition field '${pf.name}': source field id ${pf.sourceId} is not in schema ${schema.schemaId} (or is inside a list or map)`);
    const source = findFieldById(schema, pf.sourceId)!.type;
    if (!isPrimitive(source)) {
      throw new UnsupportedTypeError(`partition field '${pf.name}': source '${path.join('.')}' is ${typeToString(source)}, not a primitive`);
    }
    return { path, source, fn: transformFunction(pf.transform, source) };
  });
  if (!bySchema) compiled.set(spec, (bySchema = new WeakMap()));
  bySchema.set(schema, fields);
  return fields;
}

/**
 * The partition tuple of `row` (top-level field name -> value; nested structs as Rows) under
 * `spec`: one transformed value per partition field, in spec order. A missing or null value,
 * or a null enclosing struct, gives null.
 */
export function partitionTuple(spec: PartitionSpec, schema: Schema, row: Row): PartitionTuple {
  return compile(spec, schema).map(({ path, fn }) => {
    let v: IcebergValue = row;
    for (const name of path) {
      v = v === null || v === undefined ? null : ((v as Row)[name] ?? null);
    }
    return fn(v);
  });
}

const INT: PrimitiveType = { type: 'int' };

/** Human forms of the time transforms' ordinals; other transforms print like their result type. */
const ORDINAL_HUMAN: Partial<Record<Kind, (ordinal: number) => string>> = {
  year: humanYear,
  month: humanMonth,
  day: humanDay,
  hour: humanHour,
};

/**
 * Hive-style relative path of a partition, as Java's `PartitionSpec.partitionToPath`:
 * `name=value` per field joined by `/`, both URL-encoded (space -> `+`), values in human form
 * (dates `yyyy-MM-dd`, months `yyyy-MM`, hours `yyyy-MM-dd-HH`, years `yyyy`, binary base64,
 * null `null`). Empty string for an unpartitioned spec.
 */
export function partitionPath(spec: PartitionSpec, schema: Schema, tuple: PartitionTuple): string {
  const fields = compile(spec, schema);
  return spec.fields
    .map((pf, i) => {
      const value = tuple[i] ?? null;
      const kind = parseTransform(pf.transform).kind;
      const ordinal = ORDINAL_HUMAN[kind];
      const human =
        value === null ? 'null' : ordinal ? ordinal(value as number) : humanValue(kind === 'bucket' ? INT : fields[i]!.source, value);
      return `${urlEncode(pf.name)}=${urlEncode(human)}`;
    })
    .join('/');
}
