/**
 * Reading Iceberg's own Avro files (manifests, manifest lists): fields renamed to canonical
 * names by field id, longs converted to numbers where the contract holds numbers.
 */
import { CorruptFileError } from '../../core/errors.ts';
import type { FileIO } from '../../io/file-io.ts';
import { decodeAvroFile, type AvroFile } from '../avro/container.ts';
import { renameFieldsById } from '../avro/field-ids.ts';
import { NAMES_BY_FIELD_ID } from './manifest-schemas.ts';

const PARTITION_STRUCT = new Set([102]);

/**
 * Reads and decodes the Avro file at `path`. Missing file: the FileIO's NotFoundError (names
 * the path); unreadable content: CorruptFileError naming `what` and the path.
 */
export async function readIcebergAvro(io: FileIO, path: string, what: string): Promise<AvroFile> {
  const bytes = await io.read(path);
  try {
    return decodeAvroFile(bytes, path, (s) => renameFieldsById(s, NAMES_BY_FIELD_ID, PARTITION_STRUCT));
  } catch (cause) {
    if (cause instanceof CorruptFileError) throw new CorruptFileError(`${what} ${path}: ${cause.message}`, { cause });
    throw cause;
  }
}

/** A decoded Avro long or int as a number; CorruptFileError if absent or beyond 2^53. */
export function toNumber(v: unknown, field: string, file: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(v);
  throw new CorruptFileError(`${file}: field ${field} is ${String(v)}, expected an integer below 2^53`);
}

/** Like toNumber, but null and undefined stay null. */
export function toNumberOrNull(v: unknown, field: string, file: string): number | null {
  return v === null || v === undefined ? null : toNumber(v, field, file);
}

/** Decoded Avro bytes as a plain Uint8Array (not a Buffer), or undefined for null. */
export function toBytes(v: unknown): Uint8Array | undefined {
  return v === null || v === undefined ? undefined : new Uint8Array(v as Uint8Array);
}
