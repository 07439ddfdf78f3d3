/**
 * A compact binary form of `Change[]` for handing changes from a source worker thread to the
 * main thread: `encodeChanges` in the worker, `postMessage(bytes, [bytes.buffer])`, then
 * `decodeChanges` on the main thread. Structured clone costs ~5 µs per change; encode plus
 * decode cost about a fifth of that (bench/change-wire.ts).
 *
 * Layout (little-endian; `uint` is an unsigned LEB128 varint):
 *   message  0xF1 0x0E 'C' 'W', version byte, uint change count, the changes, i32 checksum
 *            of all bytes before it (see `checksum`)
 *   change   u8 flags (op, which of key/after/before/unchanged/commitTimeMs/origin are there),
 *            u16 position flags (which of the 7 SourcePosition fields; snapshot there, true),
 *            table (name), the present position fields (bigint values), commitTimeMs (f64),
 *            key, after, before (struct values), unchanged (uint count + names), origin
 *            (topic name, partition value, offset value)
 *   name     uint 1 + index into a per-message table of structural strings (table, column
 *            and topic names); the index equal to the table's size defines the next entry
 *            inline (a string value follows), so each name is written once per message
 *   value    u8 tag, then: int32 (i32) | float64 (f64) | bigint within int64 (i64) |
 *            bigint beyond (uint byte count + magnitude big-endian, tag gives the sign) |
 *            string (uint length + ASCII bytes, UTF-8 bytes, or UTF-16LE code units when it
 *            holds a lone surrogate, which UTF-8 cannot carry) | bytes (uint length + bytes) |
 *            list (uint count + values) | map (uint count + key, value pairs) |
 *            struct (name, value pairs, then name 0)
 *
 * Optional fields that are absent or `undefined` are absent after decoding; fields a Change
 * does not declare are not carried; an empty `unchanged` decodes as one shared frozen array. Byte values decode as plain Uint8Arrays (a Buffer too),
 * copied out of the wire bytes, so the wire buffer may be reused or released afterwards.
 */
export { ChangeWireEncoder, encodeChanges } from './change-wire-writer.ts';
export { decodeChanges } from './change-wire-reader.ts';
