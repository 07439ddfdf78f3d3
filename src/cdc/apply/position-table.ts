/**
 * The storage of key-cache.ts: identity (`idString`, one latin1 char per byte) → (file ref,
 * position), in typed arrays. A lookup touches two or three cache lines, and the garbage
 * collector has nothing to trace however many identities it holds (a Map of 2 M strings makes
 * every major GC walk them all). Identities up to `keyWidth` bytes sit inline; longer ones are
 * kept as strings beside. Open addressing with linear probing (load ≤ 1/2) and backward-shift
 * deletion; entries are linked in insertion order, so the oldest is known in O(1).
 */

const EMPTY = 0;
const NONE = -1;
const MIN_SLOTS = 1024;
/** `#len` of an identity longer than the inline width (kept in `#long`). */
const LONG = 255;

/** A 32-bit hash of an identity string (FNV-1a over its chars, then murmur3's finalizer). */
function hashOf(id: string): number {
  let h = 0x811c9dc5 ^ id.length;
  for (let i = 0; i < id.length; i += 1) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Up to `maxEntries` identities with a (file, pos) each; slots are the handles. */
export class PositionTable {
  readonly maxEntries: number;
  readonly #width: number;
  /** Open-addressing index: slot + 1, EMPTY when free; size a power of two ≥ 2 × slots allocated. */
  #index = new Int32Array(0);
  #mask = 0;
  // per slot
  #hash = new Int32Array(0);
  /** Identity length in bytes, or LONG. */
  #len = new Uint8Array(0);
  #key = new Uint8Array(0);
  #file = new Int32Array(0);
  #pos = new Float64Array(0);
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  readonly #long = new Map<number, string>();
  readonly #free: number[] = [];
  #used = 0;
  #size = 0;
  #head = NONE;
  #tail = NONE;
  /** The last identity `find` hashed, so `add` after a miss does not hash it again. */
  #lastId: string | undefined;
  #lastHash = 0;

  /** A table for up to `maxEntries` identities; those of at most `keyWidth` bytes are stored inline. */
  constructor(maxEntries: number, keyWidth: number) {
    this.maxEntries = maxEntries;
    this.#width = Math.min(keyWidth, LONG - 1);
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
    for (let i = h & this.#mask; ; i = (i + 1) & this.#mask) {
      const e = this.#index[i]!;
      if (e === EMPTY) return NONE;
      if (this.#hash[e - 1] === h && this.#equals(e - 1, id)) return e - 1;
    }
  }

  /** Adds `id`, which must be absent, with (file, pos); returns its slot. Throws when full. */
  add(id: string, file: number, pos: number): number {
    if (this.#size >= this.maxEntries) throw new Error(`position table full (${this.maxEntries} entries)`);
    const h = id === this.#lastId ? this.#lastHash : hashOf(id);
    let slot = this.#free.pop();
    if (slot === undefined) {
      if (this.#used === this.#hash.length) this.#allocate(Math.min(this.maxEntries, this.#hash.length * 2));
      slot = this.#used++;
    }
    this.#hash[slot] = h;
    this.#len[slot] = id.length > this.#width ? LONG : id.length;
    if (id.length > this.#width) this.#long.set(slot, id);
    else for (let j = 0, at = slot * this.#width; j < id.length; j += 1) this.#key[at + j] = id.charCodeAt(j);
    this.#file[slot] = file;
    this.#pos[slot] = pos;
    this.#link(slot);
    this.#place(slot);
    this.#size += 1;
    return slot;
  }

  /** Removes the entry at `slot`. */
  remove(slot: number): void {
    let i = this.#hash[slot]! & this.#mask;
    while (this.#index[i] !== slot + 1) i = (i + 1) & this.#mask;
    // backward shift: pull later entries of the run into the hole unless they sit at or after their home
    for (let j = (i + 1) & this.#mask; this.#index[j] !== EMPTY; j = (j + 1) & this.#mask) {
      const home = this.#hash[this.#index[j]! - 1]! & this.#mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      this.#index[i] = this.#index[j]!;
      i = j;
    }
    this.#index[i] = EMPTY;
    this.#unlink(slot);
    this.#long.delete(slot);
    this.#free.push(slot);
    this.#size -= 1;
  }

  /** The slot added longest ago, or -1 when empty. */
  oldest(): number {
    return this.#head;
  }

  file(slot: number): number {
    return this.#file[slot]!;
  }

  pos(slot: number): number {
    return this.#pos[slot]!;
  }

  set(slot: number, file: number, pos: number): void {
    this.#file[slot] = file;
    this.#pos[slot] = pos;
  }

  /** Removes everything (and gives the memory back). */
  clear(): void {
    this.#used = 0;
    this.#size = 0;
    this.#head = this.#tail = NONE;
    this.#free.length = 0;
    this.#long.clear();
    this.#lastId = undefined;
    this.#hash = new Int32Array(0);
    this.#allocate(Math.min(this.maxEntries, MIN_SLOTS));
  }

  #equals(slot: number, id: string): boolean {
    if (id.length > this.#width) return this.#len[slot] === LONG && this.#long.get(slot) === id;
    if (this.#len[slot] !== id.length) return false;
    for (let j = 0, at = slot * this.#width; j < id.length; j += 1) if (this.#key[at + j] !== id.charCodeAt(j)) return false;
    return true;
  }

  #place(slot: number): void {
    let i = this.#hash[slot]! & this.#mask;
    while (this.#index[i] !== EMPTY) i = (i + 1) & this.#mask;
    this.#index[i] = slot + 1;
  }

  #link(slot: number): void {
    this.#prev[slot] = this.#tail;
    this.#next[slot] = NONE;
    if (this.#tail === NONE) this.#head = slot;
    else this.#next[this.#tail] = slot;
    this.#tail = slot;
  }

  #unlink(slot: number): void {
    const p = this.#prev[slot]!;
    const n = this.#next[slot]!;
    if (p === NONE) this.#head = n;
    else this.#next[p] = n;
    if (n === NONE) this.#tail = p;
    else this.#prev[n] = p;
  }

  /** Grows the per-slot arrays to `slots` and rebuilds the index for them. */
  #allocate(slots: number): void {
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T, per = 1): T => {
      const next = make(slots * per);
      next.set(old.subarray(0, Math.min(old.length, slots * per)) as never);
      return next;
    };
    this.#hash = grow(this.#hash, (n) => new Int32Array(n));
    this.#len = grow(this.#len, (n) => new Uint8Array(n));
    this.#key = grow(this.#key, (n) => new Uint8Array(n), this.#width);
    this.#file = grow(this.#file, (n) => new Int32Array(n));
    this.#pos = grow(this.#pos, (n) => new Float64Array(n));
    this.#prev = grow(this.#prev, (n) => new Int32Array(n));
    this.#next = grow(this.#next, (n) => new Int32Array(n));
    let size = 1;
    while (size < slots * 2) size *= 2;
    this.#index = new Int32Array(size);
    this.#mask = size - 1;
    for (let s = this.#head; s !== NONE; s = this.#next[s]!) this.#place(s);
  }
}
