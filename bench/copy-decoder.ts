/**
 * Micro benchmark of the binary COPY decoder: 1 M rows × 8 mixed columns (int8, int4, text,
 * numeric(12,2), timestamptz, bool, float8, uuid), fed in 64 KiB chunks like pg-copy-streams.
 * Batches of 8192 rows are handed over (and dropped) as a writer would; GC is part of the cost.
 * Reference measured in the same run: a framing-only pass over the same bytes (reads every
 * field length, decodes no value), the cost floor of walking the stream in JS.
 *   npx tsx bench/copy-decoder.ts [rows]
 */
import { BinaryCopyDecoder } from '../src/sources/postgres/binary-copy-decoder.ts';
import { copyStream, f } from '../src/sources/postgres/copy-test-bytes.ts';
import { buildFieldDecoder, type CodecSpec } from '../src/sources/postgres/pg-codecs.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const specs: CodecSpec[] = [
  { codec: 'int8' }, { codec: 'int4' }, { codec: 'text' }, { codec: 'numeric', precision: 12, scale: 2 },
  { codec: 'timestamptz' }, { codec: 'bool' }, { codec: 'float8' }, { codec: 'uuid' },
];

/** 10 000 distinct rows repeated (keeps generation garbage out of the measurement). */
function buildStream(n: number): Uint8Array {
  const uuid = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
  const distinct = Math.min(n, 10_000);
  const data: (Uint8Array | null)[][] = [];
  for (let i = 0; i < distinct; i++) {
    data.push([
      f.int8(BigInt(i * 7919)), f.int4(i % 100000), f.text(`customer-${i % 5000}@example.org`), f.numeric(`${i * 13}.${String(i % 100).padStart(2, '0')}`),
      f.timestamp(BigInt(700_000_000_000_000 + i * 1_000_003)), i % 7 === 0 ? null : f.bool(i % 2 === 0), f.float8(i / 3), uuid,
    ]);
  }
  const one = copyStream(data);
  const body = one.subarray(19, one.length - 2); // tuples without header and trailer
  if (n % distinct !== 0) throw new Error(`bench: rows must be a multiple of ${distinct}`);
  return Buffer.concat([one.subarray(0, 19), ...Array.from({ length: n / distinct }, () => body), one.subarray(one.length - 2)]);
}

function chunks(bytes: Uint8Array, size = 65536): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function framingOnly(parts: Uint8Array[]): number {
  // walks the same chunks, joining split tuples the same way, without decoding values
  let pending = Buffer.alloc(0);
  let n = 0;
  let header = false;
  for (const chunk of parts) {
    const buf = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let off = header ? 0 : 19;
    header = true;
    outer: while (buf.length - off >= 2) {
      const fields = view.getInt16(off);
      if (fields === -1) break;
      let p = off + 2;
      for (let i = 0; i < fields; i++) {
        if (buf.length - p < 4) break outer;
        const len = view.getInt32(p);
        p += 4 + (len > 0 ? len : 0);
        if (p > buf.length) break outer;
      }
      off = p;
      n++;
    }
    pending = Buffer.from(buf.subarray(off));
  }
  return n;
}

function decodeAll(parts: Uint8Array[]): number {
  const ctx = { table: 'bench.t', column: '', infinity: 'clamp', numericSpecialValues: 'error' } as const;
  const d = new BinaryCopyDecoder(specs.map((s) => buildFieldDecoder(s, ctx)), 'bench.t');
  let n = 0;
  for (const chunk of parts) {
    d.push(chunk);
    if (d.bufferedRows >= 8192) n += d.takeBatch().numRows;
  }
  d.end();
  return n + d.takeBatch().numRows;
}

function best(fn: () => number, runs = 3): number {
  let ms = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const n = fn();
    ms = Math.min(ms, performance.now() - t);
    if (n !== rows) throw new Error(`bench: decoded ${n} rows, expected ${rows}`);
  }
  return ms;
}

const bytes = buildStream(rows);
const parts = chunks(bytes);
const framingMs = best(() => framingOnly(parts));
const decodeMs = best(() => decodeAll(parts));
const rate = (ms: number) => Math.round(rows / (ms / 1000));
console.log(`stream ${(bytes.length / 1048576).toFixed(1)} MiB, ${rows} rows × ${specs.length} columns, 64 KiB chunks, best of 3`);
console.log(`framing only: ${framingMs.toFixed(0)} ms (${rate(framingMs)} rows/s)`);
console.log(`decoder:      ${decodeMs.toFixed(0)} ms (${rate(decodeMs)} rows/s)`);
console.log(`bench:copy-decoder ratio=${(framingMs / decodeMs).toFixed(2)} decoder_rows_per_s=${rate(decodeMs)} framing_rows_per_s=${rate(framingMs)}`);
