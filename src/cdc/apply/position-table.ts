/**
 * The storage of key-cache.ts: identity (`idString`, one latin1 char per byte) → (file ref,
 * position), in typed arrays. The garbage collector has nothing to trace however many
 * identities it holds (a Map of 2 M strings makes every major GC walk them all). Open
 * addressing with linear probing (load ≤ 1/2) and backward-shift deletion; entries are linked
 * in insertion order, so the oldest is known in O(1).
 *
 * Layout, for few cache misses on a table far larger than the CPU caches: each slot is one
 * record of `stride` bytes in one buffer (position, file ref, identity length, identity bytes:
 * 24 for a long key), and an index entry holds the slot with the top bits of its hash, so a
 * probe skips other identities without reading their records. A hit reads one index entry and
 * one record. The hash itself is not stored: removing and growing compute it again.
 * Identities up to `keyWidth` bytes sit inline; longer ones are kept as strings beside. The
 * insertion-order links sit apart: only add and remove touch them.
 */

const EMPTY = 0;
const NONE = -1;
const MIN_SLOTS = 1024;
/** Lookups `findAll` reads ahead for at once. */
const GROUP = 64;
/** Identity length of an identity longer than the inline width (kept in `#long`). */
const LONG = 255;
/** Identity length of a free slot. */
const FREE = 254;
// Record layout, byte offsets: the position first (8-byte aligned), then file ref, identity length, identity bytes.
const POS = 0;
const FILE = 8;
const LEN = 12;
const KEY = 13;

/** A 32-bit hash of an identity string (FNV-1a over its chars, then murmur3's finalizer). */
function hashOf(id: string): number {
  let h = 0x811c9dc5 ^ id.length;
  for (let i = 0; i < id.length; i += 1) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return finish(h);
}

/** `hashOf` the identity whose bytes are `bytes[at .. at + length)`. */
function hashOfBytes(bytes: Uint8Array, at: number, length: number): number {
  let h = 0x811c9dc5 ^ length;
  for (let i = 0; i < length; i += 1) h = Math.imul(h ^ bytes[at + i]!, 0x01000193);
  return finish(h);
}

function finish(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A PositionTable's entries as `dump` copied them: the records of its slots, and identities too long to sit inline, by slot. */
export interface PositionTableDump {
  readonly records: Uint8Array;
  /** Bytes per record. */
  readonly stride: number;
  readonly long: ReadonlyMap<number, string>;
}

/** Reads a PositionTableDump by slot (elsewhere: another thread). */
export class DumpReader {
  /** Slots in the dump, free ones included. */
  readonly slots: number;
  readonly #stride: number;
  readonly #bytes: Buffer;
  readonly #words: Int32Array;
  readonly #doubles: Float64Array;
  readonly #long = new Map<number, Buffer>();

  constructor(dump: PositionTableDump) {
    // typed views need an aligned offset: a transferred or sliced buffer starts at 0, a subarray may not
    const records = dump.records.byteOffset % 8 === 0 ? dump.records : dump.records.slice();
    this.#stride = dump.stride;
    this.slots = Math.floor(records.byteLength / dump.stride);
    this.#bytes = Buffer.from(records.buffer, records.byteOffset, records.byteLength);
    this.#words = new Int32Array(records.buffer, records.byteOffset, records.byteLength >> 2);
    this.#doubles = new Float64Array(records.buffer, records.byteOffset, records.byteLength >> 3);
    for (const [slot, id] of dump.long) this.#long.set(slot, Buffer.from(id, 'latin1'));
  }

  free(slot: number): boolean {
    return this.#bytes[slot * this.#stride + LEN] === FREE;
  }

  file(slot: number): number {
    return this.#words[(slot * this.#stride + FILE) >> 2]!;
  }

  pos(slot: number): number {
    return this.#doubles[(slot * this.#stride + POS) >> 3]!;
  }

  /** The identity bytes at `slot`, a view into the dump (valid while it is). */
  id(slot: number): Buffer {
    const at = slot * this.#stride;
    const len = this.#bytes[at + LEN]!;
    return len === LONG ? this.#long.get(slot)! : this.#bytes.subarray(at + KEY, at + KEY + len);
  }

  /**
   * `slots` (in use) ordered by identity bytes. Already in order (a cache warmed from the index):
   * one pass. Identities all inline and of one length (fixed-size keys): an LSD radix sort, a
   * byte a pass, skipping bytes all share (1 M long keys in random slot order: ~0.1 s against
   * ~1.1 s for a comparison sort). Otherwise a comparison sort (TimSort, which takes runs as
   * they are).
   */
  sort(slots: Int32Array): Int32Array {
    let sorted = true;
    for (let i = 1; i < slots.length && sorted; i += 1) sorted = this.compare(slots[i - 1]!, slots[i]!) <= 0;
    if (sorted) return slots;
    const len = this.#bytes[slots[0]! * this.#stride + LEN]!;
    let uniform = len !== LONG;
    for (let i = 1; i < slots.length && uniform; i += 1) uniform = this.#bytes[slots[i]! * this.#stride + LEN] === len;
    if (!uniform) return Int32Array.from(Array.from(slots).sort((a, b) => this.compare(a, b)));
    return this.#radixSort(slots, len);
  }

  #radixSort(slots: Int32Array, len: number): Int32Array {
    const n = slots.length;
    let keys = new Uint8Array(n * len);
    for (let i = 0; i < n; i += 1) {
      const at = slots[i]! * this.#stride + KEY;
      for (let j = 0; j < len; j += 1) keys[i * len + j] = this.#bytes[at + j]!;
    }
    let order = slots.slice();
    let keysTo = new Uint8Array(n * len);
    let orderTo = new Int32Array(n);
    const starts = new Int32Array(256);
    for (let b = len - 1; b >= 0; b -= 1) {
      starts.fill(0);
      for (let i = 0; i < n; i += 1) starts[keys[i * len + b]!]! += 1;
      if (starts[keys[b]!] === n) continue; // every identity has this byte
      for (let v = 0, at = 0; v < 256; v += 1) {
        const count = starts[v]!;
        starts[v] = at;
        at += count;
      }
      for (let i = 0; i < n; i += 1) {
        const to = starts[keys[i * len + b]!]!++;
        orderTo[to] = order[i]!;
        for (let j = 0; j < len; j += 1) keysTo[to * len + j] = keys[i * len + j]!;
      }
      [keys, keysTo] = [keysTo, keys];
      [order, orderTo] = [orderTo, order];
    }
    return order;
  }

  /** The identities at slots `a` and `b` in byte order (shorter first on a common prefix), as a sort comparator. */
  compare(a: number, b: number): number {
    const bytes = this.#bytes;
    const atA = a * this.#stride;
    const atB = b * this.#stride;
    const lenA = bytes[atA + LEN]!;
    const lenB = bytes[atB + LEN]!;
    if (lenA === LONG || lenB === LONG) return Buffer.compare(this.id(a), this.id(b));
    const n = Math.min(lenA, lenB);
    for (let i = 0; i < n; i += 1) {
      const d = bytes[atA + KEY + i]! - bytes[atB + KEY + i]!;
      if (d !== 0) return d;
    }
    return lenA - lenB;
  }
}

/** Up to `maxEntries` identities with a (file, pos) each; slots are the handles, stable until removed. */
export class PositionTable {
  readonly maxEntries: number;
  readonly #width: number;
  /** Bytes per record, a multiple of 8. */
  readonly #stride: number;
  /** Index entries: (hash & `#tagMask`) | (slot + 1), EMPTY when free; size a power of two ≥ 2 × slots allocated. */
  #index = new Int32Array(0);
  #mask = 0;
  readonly #slotMask: number;
  readonly #tagMask: number;
  /** The records, three views of one buffer. */
  #bytes = new Uint8Array(0);
  #words = new Int32Array(0);
  #doubles = new Float64Array(0);
  /** Insertion-order links: prev at 2 × slot, next at 2 × slot + 1. */
  #links = new Int32Array(0);
  /** Slots allocated. */
  #slots = 0;
  readonly #long = new Map<number, string>();
  readonly #free: number[] = [];
  #used = 0;
  #size = 0;
  #head = NONE;
  #tail = NONE;
  /** The last identity `find` hashed, so `add` after a miss does not hash it again. */
  #lastId: string | undefined;
  #lastHash = 0;
  /** Scratch of `findAll`. */
  readonly #groupHashes = new Int32Array(GROUP);
  readonly #groupEntries = new Int32Array(GROUP);

  /** A table for up to `maxEntries` identities; those of at most `keyWidth` bytes (≤ 253) are stored inline. */
  constructor(maxEntries: number, keyWidth: number) {
    this.maxEntries = maxEntries;
    this.#width = Math.max(0, Math.min(keyWidth, FREE - 1));
    this.#stride = Math.ceil((KEY + this.#width) / 8) * 8;
    const slotBits = Math.min(31, 32 - Math.clz32(maxEntries));
    this.#slotMask = slotBits === 31 ? 0x7fffffff : (1 << slotBits) - 1;
    this.#tagMask = ~this.#slotMask;
    this.#allocate(Math.min(maxEntries, MIN_SLOTS));
  }

  get size(): number {
    return this.#size;
  }

  /** The slot of `id`, or -1. */
  find(id: string): number {
    const h = hashOf(id);
    this.#lastId = id;
    this.#lastHash = h;
    return this.#findHashed(id, h);
  }

  #findHashed(id: string, h: number): number {
    const tag = h & this.#tagMask;
    const index = this.#index;
    const mask = this.#mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = index[i]!;
      if (e === EMPTY) return NONE;
      if ((e & this.#tagMask) !== tag) continue;
      const slot = (e & this.#slotMask) - 1;
      if (this.#equals(slot, id)) return slot;
    }
  }

  /**
   * The slots of `ids` (-1 where absent) into `out`, as `find` gives them but quicker on a
   * table larger than the CPU caches: in groups, every index entry and then every record a
   * group needs is read before the lookups proper, so their memory reads overlap instead of
   * waiting one after another.
   */
  findAll(ids: readonly string[], out: Int32Array): void {
    const hashes = this.#groupHashes;
    const entries = this.#groupEntries;
    const index = this.#index;
    const mask = this.#mask;
    for (let from = 0; from < ids.length; from += GROUP) {
      const n = Math.min(GROUP, ids.length - from);
      for (let i = 0; i < n; i += 1) hashes[i] = hashOf(ids[from + i]!);
      for (let i = 0; i < n; i += 1) entries[i] = index[hashes[i]! & mask]!;
      // the first candidate's record (its length, kept in `entries`, no longer needed, so the read stays)
      for (let i = 0; i < n; i += 1) {
        const e = entries[i]!;
        if (e !== EMPTY && (e & this.#tagMask) === (hashes[i]! & this.#tagMask)) entries[i] = this.#bytes[((e & this.#slotMask) - 1) * this.#stride + LEN]!;
      }
      for (let i = 0; i < n; i += 1) out[from + i] = this.#findHashed(ids[from + i]!, hashes[i]!);
    }
  }

  /**
   * Reads the records of `slots` (those in range; what the caller will soon `holds`, `set` or
   * `remove`) in one go, so that their memory reads overlap instead of waiting one by one.
   */
  readAhead(slots: Int32Array): void {
    const seen = this.#groupEntries;
    for (let i = 0; i < slots.length; i += 1) {
      const slot = slots[i]!;
      if (slot >= 0 && slot < this.#used) seen[i & (GROUP - 1)] = this.#bytes[slot * this.#stride + LEN]!;
    }
  }

  /** True when `slot` holds `id` now (a slot remembered from an earlier `find` is still good). */
  holds(slot: number, id: string): boolean {
    return slot >= 0 && slot < this.#used && this.#equals(slot, id);
  }

  /** Adds `id`, which must be absent, with (file, pos); returns its slot. Throws when full. */
  add(id: string, file: number, pos: number): number {
    if (this.#size >= this.maxEntries) throw new Error(`position table full (${this.maxEntries} entries)`);
    const h = id === this.#lastId ? this.#lastHash : hashOf(id);
    let slot = this.#free.pop();
    if (slot === undefined) {
      if (this.#used === this.#slots) this.#allocate(Math.min(this.maxEntries, this.#slots * 2));
      slot = this.#used++;
    }
    const at = slot * this.#stride;
    this.#doubles[(at + POS) >> 3] = pos;
    this.#words[(at + FILE) >> 2] = file;
    if (id.length > this.#width) {
      this.#bytes[at + LEN] = LONG;
      this.#long.set(slot, id);
    } else {
      this.#bytes[at + LEN] = id.length;
      for (let j = 0, k = at + KEY; j < id.length; j += 1) this.#bytes[k + j] = id.charCodeAt(j);
    }
    this.#link(slot);
    this.#place(slot, h);
    this.#size += 1;
    return slot;
  }

  /** Removes the entry at `slot`. */
  remove(slot: number): void {
    const mask = this.#mask;
    let i = this.#hashAt(slot) & mask;
    while ((this.#index[i]! & this.#slotMask) !== slot + 1) i = (i + 1) & mask;
    // backward shift: pull later entries of the run into the hole unless they sit at or after their home
    for (let j = (i + 1) & mask; this.#index[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.#hashAt((this.#index[j]! & this.#slotMask) - 1) & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      this.#index[i] = this.#index[j]!;
      i = j;
    }
    this.#index[i] = EMPTY;
    this.#unlink(slot);
    const at = slot * this.#stride;
    if (this.#bytes[at + LEN] === LONG) this.#long.delete(slot);
    this.#bytes[at + LEN] = FREE;
    this.#free.push(slot);
    this.#size -= 1;
  }

  /** The slot added longest ago, or -1 when empty. */
  oldest(): number {
    return this.#head;
  }

  file(slot: number): number {
    return this.#words[(slot * this.#stride + FILE) >> 2]!;
  }

  pos(slot: number): number {
    return this.#doubles[(slot * this.#stride + POS) >> 3]!;
  }

  set(slot: number, file: number, pos: number): void {
    const at = slot * this.#stride;
    this.#words[(at + FILE) >> 2] = file;
    this.#doubles[(at + POS) >> 3] = pos;
  }

  /**
   * A copy of every record and of the long identities, for `forEachDumped` elsewhere (another
   * thread: the records' buffer can be transferred). One memcpy of `stride` bytes a slot.
   */
  dump(): PositionTableDump {
    return { records: this.#bytes.slice(0, this.#used * this.#stride), stride: this.#stride, long: new Map(this.#long) };
  }

  /** Removes everything (and gives the memory back). */
  clear(): void {
    this.#used = 0;
    this.#size = 0;
    this.#head = this.#tail = NONE;
    this.#free.length = 0;
    this.#long.clear();
    this.#lastId = undefined;
    this.#slots = 0;
    this.#bytes = new Uint8Array(0);
    this.#links = new Int32Array(0);
    this.#allocate(Math.min(this.maxEntries, MIN_SLOTS));
  }

  /** The hash of the identity at `slot`, computed again. */
  #hashAt(slot: number): number {
    const at = slot * this.#stride;
    const len = this.#bytes[at + LEN]!;
    return len === LONG ? hashOf(this.#long.get(slot)!) : hashOfBytes(this.#bytes, at + KEY, len);
  }

  #equals(slot: number, id: string): boolean {
    const at = slot * this.#stride;
    const len = this.#bytes[at + LEN]!;
    if (id.length > this.#width) return len === LONG && this.#long.get(slot) === id;
    if (len !== id.length) return false;
    for (let j = 0, k = at + KEY; j < id.length; j += 1) if (this.#bytes[k + j] !== id.charCodeAt(j)) return false;
    return true;
  }

  #place(slot: number, h: number): void {
    let i = h & this.#mask;
    while (this.#index[i] !== EMPTY) i = (i + 1) & this.#mask;
    this.#index[i] = (h & this.#tagMask) | (slot + 1);
  }

  #link(slot: number): void {
    this.#links[2 * slot] = this.#tail;
    this.#links[2 * slot + 1] = NONE;
    if (this.#tail === NONE) this.#head = slot;
    else this.#links[2 * this.#tail + 1] = slot;
    this.#tail = slot;
  }

  #unlink(slot: number): void {
    const p = this.#links[2 * slot]!;
    const n = this.#links[2 * slot + 1]!;
    if (p === NONE) this.#head = n;
    else this.#links[2 * p + 1] = n;
    if (n === NONE) this.#tail = p;
    else this.#links[2 * n] = p;
  }

  /** Grows the records and links to `slots` and rebuilds the index for them. */
  #allocate(slots: number): void {
    const bytes = new Uint8Array(slots * this.#stride);
    bytes.set(this.#bytes.subarray(0, bytes.length));
    this.#bytes = bytes;
    this.#words = new Int32Array(bytes.buffer);
    this.#doubles = new Float64Array(bytes.buffer);
    const links = new Int32Array(slots * 2);
    links.set(this.#links.subarray(0, links.length));
    this.#links = links;
    this.#slots = slots;
    let size = 1;
    while (size < slots * 2) size *= 2;
    this.#index = new Int32Array(size);
    this.#mask = size - 1;
    for (let s = this.#head; s !== NONE; s = this.#links[2 * s + 1]!) this.#place(s, this.#hashAt(s));
  }
}
