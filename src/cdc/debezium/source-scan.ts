/**
 * The end of a Debezium envelope read straight from the record's bytes: the `source` block and
 * the members after it (`transaction`, `op`, `ts_*`). JSON.parse of the source block cost more
 * than the rest of a record's decoding (~1.2 µs for its ~17 members, of which floe reads five).
 *
 * The scan is strict and narrow, and gives up (undefined: the caller parses the JSON) on
 * anything outside it, so it never accepts a text JSON.parse would refuse and never reads a
 * value differently: ASCII only, no whitespace, source members are strings, numbers, true,
 * false or null; after it also flat objects (`transaction`). It also gives up where the general
 * path would read more than JSON.parse does: an integer beyond 2^53 (outside Debezium's own
 * `ts_us`/`ts_ns`, which floe never reads), a source field floe reads in an unusual form (it
 * may be an error there), and `before`/`after`/`source` after the source block.
 */
import type { SourcePosition } from '../../core/change.ts';
import type { DebeziumOp } from './envelope.ts';
import type { SourceInfo } from './position.ts';

/** What the end of an envelope says: its source and the last `op` member there (if any). */
export interface EnvelopeTail {
  readonly source: SourceInfo;
  readonly op: DebeziumOp | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

// Kinds of a scanned value (typed number: the scan functions change `valueKind` behind the
// compiler's back, so comparisons must not narrow it).
const ABSENT: number = 0;
const NULL: number = 1;
const TRUE: number = 2;
const FALSE: number = 3;
const STRING: number = 4; // without escapes: its bytes are its value
const ESCAPED_STRING: number = 5;
const INTEGER: number = 6; // -?digits within 2^53: exact as a number
const OTHER_NUMBER: number = 7;
const OBJECT: number = 8;

// Which object is scanned: the source block, the envelope after it, or an object inside that.
const SOURCE = 0;
const TOP = 1;
const NESTED = 2;

const bytesOf = (name: string): Uint8Array => Buffer.from(name, 'latin1');

// Slots: the source members floe reads (position.ts), then `op` after the source block. The
// last member of a name counts, as with JSON.parse.
const FIELD_NAMES = ['lsn', 'txId', 'txid', 'scn', 'commit_scn', 'ts_ms', 'commit_ts_ms', 'snapshot', 'sequence'] as const;
const slotOf = (name: (typeof FIELD_NAMES)[number]): number => FIELD_NAMES.indexOf(name);
const LSN = slotOf('lsn');
const TX_ID = slotOf('txId');
const TXID = slotOf('txid');
const SCN = slotOf('scn');
const COMMIT_SCN = slotOf('commit_scn');
const TS_MS = slotOf('ts_ms');
const COMMIT_TS_MS = slotOf('commit_ts_ms');
const SNAPSHOT = slotOf('snapshot');
const SEQUENCE = slotOf('sequence');
const OP = FIELD_NAMES.length;
const FIELDS = FIELD_NAMES.map(bytesOf);
/** Field slots by name length, so most names are ruled out by their length alone. */
const FIELDS_BY_LENGTH: readonly (readonly number[])[] = Array.from({ length: 16 }, (_, n) => FIELDS.flatMap((f, i) => (f.length === n ? [i] : [])));
const OP_NAME = bytesOf('op');
const TS_US = bytesOf('ts_us');
const TS_NS = bytesOf('ts_ns');
const ENVELOPE_PARTS = ['before', 'after', 'source'].map(bytesOf);
const FALSE_TEXT = bytesOf('false');
const OPS: Readonly<Record<number, DebeziumOp>> = { 0x63: 'c', 0x75: 'u', 0x64: 'd', 0x72: 'r', 0x74: 't', 0x6d: 'm' };

// Scanner state for the record being scanned (decoding is synchronous). Module variables and
// plain functions, not an object with methods: measured 3-4x faster here.
let bytes: Uint8Array = Buffer.alloc(0);
let valueKind: number = ABSENT;
let valueFrom = 0;
let valueTo = 0;
let valueInt = 0;
const slotKind = new Uint8Array(OP + 1);
const slotFrom = new Int32Array(OP + 1);
const slotTo = new Int32Array(OP + 1);
const slotInt = new Float64Array(OP + 1);
/** An integer JSON.parse would round was seen: the general path reads those losslessly. */
let unsafe = false;

function keep(slot: number): void {
  slotKind[slot] = valueKind;
  slotFrom[slot] = valueFrom;
  slotTo[slot] = valueTo;
  slotInt[slot] = valueInt;
}

/** The string whose opening quote is at `p`: index after its closing quote, or -1. */
function scanString(b: Uint8Array, p: number, end: number): number {
  let escaped = false;
  const start = ++p;
  for (;;) {
    let c = 0;
    while (p < end && (c = b[p]!) > QUOTE && c !== BACKSLASH && c < 0x80) p += 1;
    if (p >= end) return -1;
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      escaped = true;
      const e = b[p + 1];
      if (e === 0x75) {
        if (p + 6 > end || !isHex(b[p + 2]!) || !isHex(b[p + 3]!) || !isHex(b[p + 4]!) || !isHex(b[p + 5]!)) return -1;
        p += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) p += 2;
      else return -1;
    } else if (c < 0x20 || c >= 0x80) return -1;
    else p += 1; // space or '!'
  }
  valueKind = escaped ? ESCAPED_STRING : STRING;
  valueFrom = start;
  valueTo = p;
  return p + 1;
}

/** The JSON number at `p`: index after it, or -1. */
function scanNumber(b: Uint8Array, p: number, end: number): number {
  const start = p;
  if (b[p] === MINUS) p += 1;
  const first = p;
  let int = 0;
  let c = 0;
  if (b[p] === ZERO) p += 1;
  else {
    while (p < end && (c = b[p]!) >= ZERO && c <= NINE) {
      int = int * 10 + (c - ZERO);
      p += 1;
    }
    if (p === first) return -1;
  }
  const digits = p - first;
  let plain = true;
  if (p < end && b[p] === 0x2e) {
    plain = false;
    const f = ++p;
    while (p < end && (c = b[p]!) >= ZERO && c <= NINE) p += 1;
    if (p === f) return -1;
  }
  if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
    plain = false;
    p += 1;
    if (p < end && (b[p] === 0x2b || b[p] === MINUS)) p += 1;
    const e = p;
    while (p < end && (c = b[p]!) >= ZERO && c <= NINE) p += 1;
    if (p === e) return -1;
  }
  valueFrom = start;
  valueTo = p;
  // Up to 16 digits the sum is exact whenever the value is within 2^53. -0 is left to the general path.
  if (plain && digits <= 16 && int <= Number.MAX_SAFE_INTEGER && !(int === 0 && start !== first)) {
    valueKind = INTEGER;
    valueInt = start === first ? int : -int;
  } else valueKind = OTHER_NUMBER;
  return p;
}

/** A string, number or literal at `p`, or a flat object when `objects`: index after it, or -1. */
function scanValue(b: Uint8Array, p: number, end: number, objects: boolean): number {
  const c = b[p];
  if (c === QUOTE) return scanString(b, p, end);
  if ((c! >= ZERO && c! <= NINE) || c === MINUS) return scanNumber(b, p, end);
  let length = 4;
  if (c === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c) valueKind = NULL;
  else if (c === 0x74 && b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65) valueKind = TRUE;
  else if (c === 0x66 && b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65) {
    valueKind = FALSE;
    length = 5;
  } else if (c === OPEN && objects) {
    const after = scanMembers(b, p, end, NESTED);
    valueKind = OBJECT;
    return after;
  } else return -1;
  return p + length <= end ? p + length : -1;
}

/** The object whose `{` is at `p`, as `part` of the envelope: index after its `}`, or -1. */
function scanMembers(b: Uint8Array, p: number, end: number, part: number): number {
  p += 1;
  if (b[p] === CLOSE) return p + 1;
  for (;;) {
    if (b[p] !== QUOTE) return -1;
    p = scanString(b, p, end);
    if (p < 0 || valueKind !== STRING || b[p] !== COLON) return -1;
    const keyFrom = valueFrom;
    const keyTo = valueTo;
    p = scanValue(b, p + 1, end, part === TOP);
    if (p < 0) return -1;
    // Debezium's clocks ts_us/ts_ns (source block and envelope) exceed 2^53 by design and are never read.
    if (valueKind === OTHER_NUMBER && !(part !== NESTED && (isName(b, keyFrom, keyTo, TS_US) || isName(b, keyFrom, keyTo, TS_NS))) && unsafeNumber()) {
      unsafe = true;
    }
    if (part === SOURCE) {
      const length = keyTo - keyFrom;
      const slots = length < FIELDS_BY_LENGTH.length ? FIELDS_BY_LENGTH[length]! : [];
      for (let i = 0; i < slots.length; i++) if (isName(b, keyFrom, keyTo, FIELDS[slots[i]!]!)) keep(slots[i]!);
    } else if (part === TOP) {
      if (isName(b, keyFrom, keyTo, OP_NAME)) keep(OP);
      else for (const name of ENVELOPE_PARTS) if (isName(b, keyFrom, keyTo, name)) return -1;
    }
    const c = b[p];
    if (c === CLOSE) return p + 1;
    if (c !== COMMA) return -1;
    p += 1;
  }
}

function isName(b: Uint8Array, from: number, to: number, name: Uint8Array): boolean {
  if (to - from !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (b[from + i] !== name[i]) return false;
  return true;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Scanned bytes from..to as text (ASCII, so latin1 is exact). */
function text(from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
}

/** True when the number scanned last is an integer beyond 2^53, which JSON.parse rounds. */
function unsafeNumber(): boolean {
  const n = Number(text(valueFrom, valueTo));
  return Number.isInteger(n) && !Number.isSafeInteger(n);
}

const SOURCE_KEY = bytesOf(',"source":');

/**
 * Reads the envelope bytes `b` from `at` to their end: `,"source":{…}` followed by `}` (the
 * envelope's end) or by more members and `}`. Undefined when anything lies outside the narrow
 * form described above.
 */
export function scanEnvelopeTail(b: Uint8Array, at: number): EnvelopeTail | undefined {
  const end = b.length;
  const open = at + SOURCE_KEY.length;
  if (at < 0 || open >= end || !isName(b, at, open, SOURCE_KEY) || b[open] !== OPEN) return undefined;
  bytes = b;
  slotKind.fill(ABSENT);
  unsafe = false;
  let p = scanMembers(b, open, end, SOURCE);
  if (p < 0) return undefined;
  // The comma stands in for the `{` of the members after the source block; `,}` is not JSON.
  if (b[p] === COMMA && b[p + 1] !== CLOSE) p = scanMembers(b, p, end, TOP);
  else if (b[p] === CLOSE) p += 1;
  else return undefined;
  if (p !== end || unsafe) return undefined;
  const source = sourceInfo();
  if (source === undefined) return undefined;
  if (slotKind[OP] === ABSENT) return { source, op: undefined };
  const op = slotKind[OP] === STRING && slotTo[OP]! - slotFrom[OP]! === 1 ? OPS[b[slotFrom[OP]!]!] : undefined;
  return op === undefined ? undefined : { source, op };
}

/** position.ts's readSource on the scanned fields; undefined for forms left to it. */
function sourceInfo(): SourceInfo | undefined {
  let lastCommitLsn: bigint | undefined;
  if (slotKind[SEQUENCE] === STRING || slotKind[SEQUENCE] === ESCAPED_STRING) {
    const first = sequenceFirst(slotFrom[SEQUENCE]!, slotTo[SEQUENCE]!);
    if (first === null) return undefined;
    lastCommitLsn = first;
  }
  const lsn = bigintField(LSN);
  let txId = bigintField(TX_ID);
  if (txId === undefined) txId = bigintField(TXID);
  const scn = bigintField(SCN);
  const commitScn = bigintField(COMMIT_SCN);
  if (lsn === null || txId === null || scn === null || commitScn === null) return undefined;
  const position: { -readonly [K in keyof SourcePosition]: SourcePosition[K] } = {};
  if (lsn !== undefined) position.lsn = lsn;
  if (lastCommitLsn !== undefined) position.lastCommitLsn = lastCommitLsn;
  if (txId !== undefined) position.txId = txId;
  if (scn !== undefined) position.scn = scn;
  if (commitScn !== undefined) position.commitScn = commitScn;
  const commitTs = slotKind[COMMIT_TS_MS];
  const ts = slotKind[TS_MS];
  if (commitTs === OTHER_NUMBER || ts === OTHER_NUMBER) return undefined;
  const commitTimeMs = commitTs === INTEGER ? slotInt[COMMIT_TS_MS]! : ts === INTEGER ? slotInt[TS_MS]! : undefined;
  const snapshot = snapshotFlag();
  if (snapshot === undefined) return undefined;
  return commitTimeMs === undefined ? { position, snapshot } : { position, commitTimeMs, snapshot };
}

/** An integer source field as bigint: undefined when absent or null, null when left to the general path. */
function bigintField(slot: number): bigint | undefined | null {
  switch (slotKind[slot]) {
    case ABSENT:
    case NULL:
      return undefined;
    case INTEGER:
      return BigInt(slotInt[slot]!);
    case STRING: {
      // A decimal string, as Oracle's scn: -?digits.
      const from = slotFrom[slot]!;
      const to = slotTo[slot]!;
      let p = from;
      if (bytes[p] === MINUS) p += 1;
      if (p === to) return null;
      for (; p < to; p++) if (bytes[p]! < ZERO || bytes[p]! > NINE) return null;
      return BigInt(text(from, to));
    }
    default:
      return null;
  }
}

/**
 * The first LSN of `sequence` in the connector's own form, `["<digits>","<digits>"]` or with
 * `null` entries (JSON text inside a JSON string: `[\"1\",null]`): bigint, undefined for null,
 * and null for any other form (left to the general path).
 */
function sequenceFirst(from: number, to: number): bigint | undefined | null {
  const b = bytes;
  let p = from;
  if (b[p++] !== 0x5b) return null;
  let first: bigint | undefined | null = null;
  for (let i = 0; i < 2; i++) {
    if (b[p] === BACKSLASH && b[p + 1] === QUOTE) {
      const start = (p += 2);
      let n = 0;
      while (p < to && b[p]! >= ZERO && b[p]! <= NINE) n = n * 10 + (b[p++]! - ZERO);
      const digits = p - start;
      if (digits === 0 || b[p] !== BACKSLASH || b[p + 1] !== QUOTE) return null;
      if (i === 0) first = digits <= 15 ? BigInt(n) : BigInt(text(start, p));
      p += 2;
    } else if (b[p] === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c) {
      if (i === 0) first = undefined;
      p += 4;
    } else return null;
    if (b[p++] !== (i === 0 ? COMMA : 0x5d)) return null;
  }
  return p === to ? first : null;
}

/** The snapshot flag: true, or a string other than "false" and ""; undefined when left to the general path. */
function snapshotFlag(): boolean | undefined {
  const kind = slotKind[SNAPSHOT];
  if (kind === TRUE) return true;
  if (kind === ESCAPED_STRING) return undefined;
  if (kind !== STRING) return false;
  const from = slotFrom[SNAPSHOT]!;
  const to = slotTo[SNAPSHOT]!;
  return !(to === from || isName(bytes, from, to, FALSE_TEXT));
}
