/**
 * Avro object container files, whole-file and synchronous: magic `Obj\x01`, a metadata map
 * (`avro.schema`, `avro.codec`, plus the caller's keys), a 16-byte sync marker, then blocks of
 * records. Codecs: `null` and `deflate` (raw RFC 1951, what Java and pyiceberg write).
 * The header schema is the caller's plain JSON, so Iceberg's `field-id` attributes survive.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CorruptFileError } from '../../core/errors.ts';
import type { AvroSchema } from './avro-schema.ts';
import { compileAvroSchema } from './compile.ts';

export type AvroCodec = 'null' | 'deflate';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1
const SYNC_SIZE = 16;
const BLOCK_BYTES = 256 * 1024; // uncompressed bytes per block before it is flushed

/** The decoded content of a container file. */
export interface AvroFile {
  readonly schema: AvroSchema; // writer schema from the header (after `readSchema`, if given)
  readonly metadata: ReadonlyMap<string, string>; // all header keys, avro.* included
  readonly records: readonly unknown[]; // decoded with the writer schema; longs are bigint
}

/** Zig-zag varint of a non-huge integer (lengths and counts, < 2^53). */
function varint(n: number): Buffer {
  const bytes: number[] = [];
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 0x80) {
    bytes.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  bytes.push(z);
  return Buffer.from(bytes);
}

function bytesField(b: Buffer): Buffer[] {
  return [varint(b.length), b];
}

/**
 * Encodes `records` (values as avsc expects them, longs as bigint) into a container file.
 * `metadata` values are stored as UTF-8; `avro.schema` and `avro.codec` are added here.
 */
export function encodeAvroFile(
  schema: AvroSchema,
  records: readonly unknown[],
  metadata: Readonly<Record<string, string>>,
  codec: AvroCodec = 'deflate',
): Uint8Array {
  const type = compileAvroSchema(schema);
  const sync = randomBytes(SYNC_SIZE);
  const meta: Record<string, string> = { ...metadata, 'avro.schema': JSON.stringify(schema), 'avro.codec': codec };
  const parts: Buffer[] = [MAGIC, varint(Object.keys(meta).length)];
  for (const [key, value] of Object.entries(meta)) parts.push(...bytesField(Buffer.from(key)), ...bytesField(Buffer.from(value)));
  parts.push(varint(0), sync);

  let block: Buffer[] = [];
  let blockBytes = 0;
  const flush = (): void => {
    if (block.length === 0) return;
    const raw = Buffer.concat(block);
    const data = codec === 'deflate' ? deflateRawSync(raw) : raw;
    parts.push(varint(block.length), varint(data.length), data, sync);
    block = [];
    blockBytes = 0;
  };
  for (const rec of records) {
    const buf = type.toBuffer(rec);
    block.push(buf);
    blockBytes += buf.length;
    if (blockBytes >= BLOCK_BYTES) flush();
  }
  flush();
  const out = Buffer.concat(parts);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** A cursor over a buffer that reads Avro's zig-zag varints and length-prefixed bytes. */
class Cursor {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly file: string,
  ) {}

  long(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw this.corrupt('truncated varint');
      const b = this.buf[this.pos++] as number;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      scale *= 0x80;
    }
    throw this.corrupt('varint longer than 10 bytes');
  }

  bytes(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw this.corrupt(`length ${n} at byte ${this.pos} exceeds file size ${this.buf.length}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  corrupt(why: string): CorruptFileError {
    return new CorruptFileError(`avro file ${this.file}: ${why}`);
  }
}

function readHeader(cur: Cursor): { meta: Map<string, string>; sync: Buffer } {
  if (!cur.bytes(4).equals(MAGIC)) throw cur.corrupt('not an Avro object container file (bad magic)');
  const meta = new Map<string, string>();
  for (let count = cur.long(); count !== 0; count = cur.long()) {
    if (count < 0) {
      cur.long(); // block byte size, unused
      count = -count;
    }
    for (let i = 0; i < count; i++) {
      const key = cur.bytes(cur.long()).toString('utf8');
      meta.set(key, cur.bytes(cur.long()).toString('utf8'));
    }
  }
  return { meta, sync: Buffer.from(cur.bytes(SYNC_SIZE)) };
}

function parseSchema(meta: ReadonlyMap<string, string>, cur: Cursor): AvroSchema {
  const text = meta.get('avro.schema');
  if (text === undefined) throw cur.corrupt('header has no avro.schema');
  try {
    return JSON.parse(text) as AvroSchema;
  } catch (cause) {
    throw new CorruptFileError(`avro file ${cur.file}: avro.schema is not JSON`, { cause });
  }
}

function decompress(codec: string, data: Buffer, cur: Cursor): Buffer {
  if (codec === 'null') return data;
  if (codec === 'deflate') {
    try {
      return inflateRawSync(data);
    } catch (cause) {
      throw new CorruptFileError(`avro file ${cur.file}: bad deflate block at byte ${cur.pos}`, { cause });
    }
  }
  throw cur.corrupt(`unsupported codec ${JSON.stringify(codec)} (null and deflate are supported)`);
}

/**
 * Decodes a whole container file. `file` names it in errors. `readSchema`, when given, maps the
 * header schema before decoding (e.g. to rename fields; the encoding must stay the same).
 * Throws CorruptFileError for a bad magic, header, codec, sync marker or record.
 */
export function decodeAvroFile(data: Uint8Array, file: string, readSchema?: (writer: AvroSchema) => AvroSchema): AvroFile {
  const cur = new Cursor(Buffer.from(data.buffer, data.byteOffset, data.byteLength), file);
  const { meta, sync } = readHeader(cur);
  const writer = parseSchema(meta, cur);
  const schema = readSchema === undefined ? writer : readSchema(writer);
  let type;
  try {
    type = compileAvroSchema(schema);
  } catch (cause) {
    throw new CorruptFileError(`avro file ${file}: invalid schema: ${(cause as Error).message}`, { cause });
  }
  const codec = meta.get('avro.codec') ?? 'null';
  const records: unknown[] = [];
  while (cur.pos < cur.buf.length) {
    const count = cur.long();
    const block = decompress(codec, cur.bytes(cur.long()), cur);
    let offset = 0;
    for (let i = 0; i < count; i++) {
      let res: { value: unknown; offset: number };
      try {
        res = type.decode(block, offset);
      } catch (cause) {
        throw new CorruptFileError(`avro file ${file}: undecodable record ${i} in block before byte ${cur.pos}`, { cause });
      }
      if (res.offset < 0) throw cur.corrupt(`block before byte ${cur.pos} ends inside record ${i} of ${count}`);
      records.push(res.value);
      offset = res.offset;
    }
    if (!cur.bytes(SYNC_SIZE).equals(sync)) throw cur.corrupt(`sync marker mismatch before byte ${cur.pos}`);
  }
  return { schema, metadata: meta, records };
}
