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

/** The last `op` member after the source block the last successful scanEnvelopeTail read (if any). */
export let lastTailOp: DebeziumOp | undefined;

// Byte values kept local in each scanner: imported from one module they measured ~4 % slower in
// these loops (bench/debezium-decode.ts: 2.14-2.17 -> 2.23-2.27 us a record).
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
const SEQUENCE_PAIR: number = 9; // `sequence` in the connector's own form, read by sequencePair: its first LSN in sequenceLsn

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
    const valueAt = p + 1;
    p = scanValue(b, valueAt, end, part === TOP);
    if (p < 0) return -1;
    // Debezium's clocks ts_us/ts_ns (source block and envelope) exceed 2^53 by design and are never read.
    const clock = part !== NESTED && (isName(b, keyFrom, keyTo, TS_US) || isName(b, keyFrom, keyTo, TS_NS));
    if (valueKind === OTHER_NUMBER && !clock && unsafeNumber()) unsafe = true;
    let slot = -1;
    if (part === SOURCE) {
      const length = keyTo - keyFrom;
      const slots = length < FIELDS_BY_LENGTH.length ? FIELDS_BY_LENGTH[length]! : [];
      for (let i = 0; i < slots.length; i++) if (isName(b, keyFrom, keyTo, FIELDS[slots[i]!]!)) slot = slots[i]!;
      if (slot >= 0) keep(slot);
    } else if (part === TOP) {
      if (isName(b, keyFrom, keyTo, OP_NAME)) keep((slot = OP));
      else for (const name of ENVELOPE_PARTS) if (isName(b, keyFrom, keyTo, name)) return -1;
    }
    if (part !== NESTED) recordMember(valueAt, p, slot, clock, part === TOP);
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

// The members of the last full scan (source block and envelope after it), for its template.
const MAX_MEMBERS = 64;
let members = 0;
const memberFrom = new Int32Array(MAX_MEMBERS);
const memberTo = new Int32Array(MAX_MEMBERS);
const memberSlot = new Int8Array(MAX_MEMBERS);
const memberKind = new Uint8Array(MAX_MEMBERS);
/** Bit 0: a Debezium clock (ts_us/ts_ns); bit 1: a member after the source block (objects allowed). */
const memberFlags = new Uint8Array(MAX_MEMBERS);
const CLOCK_FLAG = 1;
const TOP_FLAG = 2;

function recordMember(from: number, to: number, slot: number, clock: boolean, top: boolean): void {
  if (members < MAX_MEMBERS) {
    memberFrom[members] = from;
    memberTo[members] = to;
    memberSlot[members] = slot;
    memberKind[members] = valueKind;
    memberFlags[members] = (clock ? CLOCK_FLAG : 0) | (top ? TOP_FLAG : 0);
  }
  members += 1;
}

/**
 * The template of the last tail the full scan read: its bytes cut into constant runs (names,
 * punctuation, literals, strings floe does not read) and the values between them (numbers,
 * objects, strings floe reads), each with the slot it fills. A topic's records differ from one
 * another only in such values, so the next tail is read by comparing the runs byte for byte
 * and scanning only the values, with the same scanner: every byte is still checked, the names
 * are those the full scan matched, and any difference sends the tail to the full scan.
 */
let template = new Uint8Array(1024);
let templateView: DataView = new DataView(template.buffer);
/** A DataView of the ArrayBuffer that held the last record (records of one fetch share one). */
let recordBuffer: ArrayBufferLike = template.buffer;
let recordView: DataView = templateView;
/** Where the record being read starts in recordView's buffer. */
let recordOffset = 0;
let templateValues = -1; // -1: no template
const runFrom = new Int32Array(MAX_MEMBERS + 1);
const runTo = new Int32Array(MAX_MEMBERS + 1);
const valueSlot = new Int8Array(MAX_MEMBERS);
const valueFlags = new Uint8Array(MAX_MEMBERS);

/** Tail reads by template (the rest took the full scan): lets tests see which path ran. */
export const tailScanCounts = { template: 0, full: 0 };

function isTemplateValue(i: number): boolean {
  const kind = memberKind[i]!;
  if (kind === NULL || kind === TRUE || kind === FALSE) return false;
  return (kind !== STRING && kind !== ESCAPED_STRING) || memberSlot[i]! >= 0;
}

/** Makes the members of the full scan of `b` from `at` to `end` the template. */
function buildTemplate(b: Uint8Array, at: number, end: number): void {
  templateValues = -1;
  if (members > MAX_MEMBERS) return;
  const length = end - at;
  if (template.length < length) {
    template = new Uint8Array(Math.max(length, 2 * template.length));
    templateView = new DataView(template.buffer);
  }
  template.set(b.subarray(at, end));
  let values = 0;
  let from = 0;
  for (let i = 0; i < members; i++) {
    if (!isTemplateValue(i)) continue;
    runFrom[values] = from;
    runTo[values] = memberFrom[i]! - at;
    valueSlot[values] = memberSlot[i]!;
    valueFlags[values] = memberFlags[i]!;
    from = memberTo[i]! - at;
    values += 1;
  }
  runFrom[values] = from;
  runTo[values] = length;
  templateValues = values;
}

/** Reads `b` from `at` by the template (slots kept as the full scan would): the index after it, or -1. */
function matchTemplate(b: Uint8Array, at: number, end: number): number {
  const t = template;
  const tv = templateView;
  if (b.buffer !== recordBuffer) {
    recordBuffer = b.buffer;
    recordView = new DataView(recordBuffer);
  }
  const bv = recordView;
  const offset = (recordOffset = b.byteOffset);
  let p = at;
  for (let i = 0; ; i++) {
    const from = runFrom[i]!;
    const n = runTo[i]! - from;
    if (p + n > end) return -1;
    // Four bytes a step (unaligned DataView reads): runs are tens of bytes long.
    let k = 0;
    for (; k + 4 <= n; k += 4) if (bv.getInt32(offset + p + k) !== tv.getInt32(from + k)) return -1;
    for (; k < n; k++) if (b[p + k] !== t[from + k]) return -1;
    p += n;
    if (i === templateValues) return p;
    const flags = valueFlags[i]!;
    const slot = valueSlot[i]!;
    const q = slot === SEQUENCE ? sequencePair(b, p, end) : plainInteger(b, p, end, slot >= 0, (flags & CLOCK_FLAG) !== 0);
    if (q > 0) {
      p = q;
      if (slot >= 0) keep(slot);
      continue;
    }
    p = scanValue(b, p, end, (flags & TOP_FLAG) !== 0);
    if (p < 0) return -1;
    if (valueKind === OTHER_NUMBER && (flags & CLOCK_FLAG) === 0 && unsafeNumber()) unsafe = true;
    if (slot >= 0) keep(slot);
  }
}

/**
 * The common number of a template value, read faster than by scanValue: a positive integer
 * without a leading zero followed by `,` or `}`, of 1-15 digits (exact as a number: kind
 * INTEGER, as scanNumber gives) or, for a clock, of any length. Its value is computed only when
 * `read`. The index after it, or -1: scanValue reads whatever else the bytes hold.
 */
function plainInteger(b: Uint8Array, p: number, end: number, read: boolean, clock: boolean): number {
  const start = p;
  let c = b[p]!;
  if (c <= ZERO || c > NINE) return -1;
  let n = 0;
  if (read) {
    while (p < end && (c = b[p]!) >= ZERO && c <= NINE) {
      n = n * 10 + (c - ZERO);
      p += 1;
    }
  } else {
    // Four digits a step: each byte of a word is one when it is 0x30-0x3f and stays below 0x40
    // with 6 added (no carry: the first test bounds every byte).
    const v = recordView;
    const at = recordOffset;
    while (p + 4 <= end) {
      const x = v.getInt32(at + p);
      if ((x & 0xf0f0f0f0) !== 0x30303030 || ((x + 0x06060606) & 0xf0f0f0f0) !== 0x30303030) break;
      p += 4;
    }
    while (p < end && (c = b[p]!) >= ZERO && c <= NINE) p += 1;
  }
  if (p >= end || (c !== COMMA && c !== CLOSE)) return -1;
  if (p - start > 15) {
    if (read || !clock) return -1;
    valueKind = OTHER_NUMBER; // a clock: never read, and beyond 2^53 by design
  } else valueKind = INTEGER;
  valueFrom = start;
  valueTo = p;
  valueInt = n;
  return p;
}

/** The first LSN of the last `sequence` sequencePair read (undefined for null). */
let sequenceLsn: bigint | undefined;

/**
 * The `sequence` value at `p` when it is a string in the connector's own form,
 * `"[\"<digits>\",\"<digits>\"]"` with either entry possibly `null` (the form sequenceFirst
 * reads, checked here as the string it is): kind SEQUENCE_PAIR, its first LSN in sequenceLsn.
 * The index after its closing quote, or -1 (scanValue then reads it).
 */
function sequencePair(b: Uint8Array, p: number, end: number): number {
  const start = p;
  if (b[p] !== QUOTE || b[p + 1] !== 0x5b) return -1;
  p += 2;
  let first: bigint | undefined;
  for (let i = 0; i < 2; i++) {
    if (b[p] === BACKSLASH && b[p + 1] === QUOTE) {
      const digitsFrom = (p += 2);
      let n = 0;
      let c = 0;
      while (p < end && (c = b[p]!) >= ZERO && c <= NINE) {
        n = n * 10 + (c - ZERO);
        p += 1;
      }
      const digits = p - digitsFrom;
      if (digits === 0 || b[p] !== BACKSLASH || b[p + 1] !== QUOTE) return -1;
      if (i === 0) first = digits <= 15 ? BigInt(n) : BigInt(text(digitsFrom, p));
      p += 2;
    } else if (b[p] === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c) p += 4;
    else return -1;
    if (b[p++] !== (i === 0 ? COMMA : 0x5d)) return -1;
  }
  if (b[p] !== QUOTE || p >= end) return -1;
  valueKind = SEQUENCE_PAIR;
  valueFrom = start + 1;
  valueTo = p;
  sequenceLsn = first;
  return p + 1;
}

/** The full scan of the tail from `at` (SOURCE_KEY checked): the index after it, or -1. */
function fullScan(b: Uint8Array, at: number, end: number): number {
  members = 0;
  let p = scanMembers(b, at + SOURCE_KEY.length, end, SOURCE);
  if (p < 0) return -1;
  // The comma stands in for the `{` of the members after the source block; `,}` is not JSON.
  if (b[p] === COMMA && b[p + 1] !== CLOSE) p = scanMembers(b, p, end, TOP);
  else if (b[p] === CLOSE) p += 1;
  else return -1;
  return p;
}

/**
 * Reads the envelope bytes `b` from `at` to `end` (default: their end): `,"source":{…}`
 * followed by `}` (the envelope's end) or by more members and `}`: what the source block says
 * (and the last `op` there in `lastTailOp`, no result object per record). Undefined when
 * anything lies outside the narrow form described above.
 */
export function scanEnvelopeTail(b: Uint8Array, at: number, end = b.length): SourceInfo | undefined {
  const open = at + SOURCE_KEY.length;
  if (at < 0 || open >= end || !isName(b, at, open, SOURCE_KEY) || b[open] !== OPEN) return undefined;
  bytes = b;
  slotKind.fill(ABSENT);
  unsafe = false;
  if (templateValues >= 0 && matchTemplate(b, at, end) === end) tailScanCounts.template += 1;
  else {
    slotKind.fill(ABSENT);
    unsafe = false;
    if (fullScan(b, at, end) !== end) return undefined;
    buildTemplate(b, at, end);
    tailScanCounts.full += 1;
  }
  if (unsafe) return undefined;
  const source = sourceInfo();
  if (source === undefined) return undefined;
  if (slotKind[OP] === ABSENT) {
    lastTailOp = undefined;
    return source;
  }
  const op = slotKind[OP] === STRING && slotTo[OP]! - slotFrom[OP]! === 1 ? OPS[b[slotFrom[OP]!]!] : undefined;
  if (op === undefined) return undefined;
  lastTailOp = op;
  return source;
}

/** position.ts's readSource on the scanned fields; undefined for forms left to it. */
function sourceInfo(): SourceInfo | undefined {
  let lastCommitLsn: bigint | undefined;
  if (slotKind[SEQUENCE] === SEQUENCE_PAIR) lastCommitLsn = sequenceLsn;
  else if (slotKind[SEQUENCE] === STRING || slotKind[SEQUENCE] === ESCAPED_STRING) {
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
