/**
 * Typed access to a parsed JSON object that names the file and the field path on every error,
 * e.g. `table metadata /w/t/metadata/00001-x.metadata.json: field schemas[0].fields[1].id: expected an integer, got "a"`.
 */
import { CorruptFileError } from '../../core/errors.ts';
import type { JsonObject, JsonValue } from './lossless-json.ts';

function show(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'bigint') return v.toString();
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Reads fields of one JSON object; `where` is e.g. `table metadata <file>`, `path` the field path. */
export class JsonReader {
  constructor(
    readonly obj: JsonObject,
    readonly where: string,
    readonly path: string = '',
  ) {}

  /** Wraps `value` as an object reader, failing with `where`/`path` when it is not an object. */
  static of(value: JsonValue | undefined, where: string, path = ''): JsonReader {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new CorruptFileError(`${where}: ${path === '' ? 'document' : `field ${path}`}: expected an object, got ${show(value)}`);
    }
    return new JsonReader(value, where, path);
  }

  /** The path of a member, for error messages. */
  sub(key: string | number): string {
    if (typeof key === 'number') return `${this.path}[${key}]`;
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** A CorruptFileError about member `key` (or this object when key is omitted). */
  error(msg: string, key?: string): CorruptFileError {
    const p = key === undefined ? this.path : this.sub(key);
    return new CorruptFileError(`${this.where}: ${p === '' ? 'document' : `field ${p}`}: ${msg}`);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  private req(key: string): JsonValue {
    const v = this.obj[key];
    if (v === undefined || v === null) throw this.error('is missing', key);
    return v;
  }

  /** A required string. */
  str(key: string): string {
    const v = this.req(key);
    if (typeof v !== 'string') throw this.error(`expected a string, got ${show(v)}`, key);
    return v;
  }

  /** An optional string. */
  optStr(key: string): string | undefined {
    return this.has(key) ? this.str(key) : undefined;
  }

  /** A required boolean. */
  bool(key: string): boolean {
    const v = this.req(key);
    if (typeof v !== 'boolean') throw this.error(`expected true or false, got ${show(v)}`, key);
    return v;
  }

  /** A required integer within ±2^53. */
  int(key: string): number {
    const v = this.req(key);
    if (typeof v !== 'number' || !Number.isInteger(v)) throw this.error(`expected an integer, got ${show(v)}`, key);
    return v;
  }

  /** An optional integer within ±2^53. */
  optInt(key: string): number | undefined {
    return this.has(key) ? this.int(key) : undefined;
  }

  /** A required 64-bit integer (snapshot ids), exact. */
  long(key: string): bigint {
    const v = this.req(key);
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    throw this.error(`expected a 64-bit integer, got ${show(v)}`, key);
  }

  /** An optional 64-bit integer. */
  optLong(key: string): bigint | undefined {
    return this.has(key) ? this.long(key) : undefined;
  }

  /** A required array. */
  arr(key: string): JsonValue[] {
    const v = this.req(key);
    if (!Array.isArray(v)) throw this.error(`expected an array, got ${show(v)}`, key);
    return v;
  }

  /** A required array of objects, each wrapped as a reader. */
  objects(key: string): JsonReader[] {
    return this.arr(key).map((v, i) => JsonReader.of(v, this.where, `${this.sub(key)}[${i}]`));
  }

  /** A required nested object as a reader. */
  child(key: string): JsonReader {
    return JsonReader.of(this.req(key), this.where, this.sub(key));
  }

  /** A required array of integers. */
  ints(key: string): number[] {
    return this.arr(key).map((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw new CorruptFileError(`${this.where}: field ${this.sub(key)}[${i}]: expected an integer, got ${show(v)}`);
      }
      return v;
    });
  }

  /** A required string → string map. */
  strMap(key: string): Record<string, string> {
    const r = this.child(key);
    const out: Record<string, string> = {};
    for (const k of Object.keys(r.obj)) out[k] = r.str(k);
    return out;
  }
}
