/**
 * Writing a complete key cache into the key index in one go (table-index.ts decides when, the
 * index thread does it): while the cache holds every identity, no lookup reaches SQLite, so
 * the index only has to be right by the time it is read again (an open, a resync, an evicting
 * cache). Rewriting it from the cache in key byte order (appends to an emptied B-tree) costs
 * about a microsecond a row; applying each commit's changes costs several a change (each
 * random key dirties its own page). The main thread only copies the cache's records
 * (`KeyCache.dump`); decoding and sorting happen here, on the index thread, on the copy's
 * bytes (no identity strings).
 */
import { ABSENT_FILE, type CacheDump } from './key-cache.ts';
import type { IndexEntry } from './key-index.ts';
import { DumpReader } from './position-table.ts';

/** Replace the index's entries with the cache's, moving it from `fromSnapshotId` (checked) to `toSnapshotId`. */
export interface IndexRewrite {
  readonly fromSnapshotId: bigint | null;
  readonly toSnapshotId: bigint | null;
  readonly dump: CacheDump;
}

/** Entries a rewrite inserts per chunk: bounds the IndexEntry objects alive at once. */
const CHUNK = 65_536;

/** The present entries of `dump` in key byte order, as chunks of IndexEntries (identities are views into the dump). */
export function sortedEntries(dump: CacheDump): { readonly count: number; chunks(): Generator<IndexEntry[]> } {
  const reader = new DumpReader(dump.table);
  const present = new Int32Array(reader.slots);
  let count = 0;
  for (let slot = 0; slot < reader.slots; slot += 1) if (!reader.free(slot) && reader.file(slot) !== ABSENT_FILE) present[count++] = slot;
  const slots = reader.sort(present.subarray(0, count));
  return {
    count: slots.length,
    *chunks() {
      for (let from = 0; from < slots.length; from += CHUNK) {
        const chunk: IndexEntry[] = [];
        for (let j = from; j < Math.min(slots.length, from + CHUNK); j += 1) {
          const slot = slots[j]!;
          chunk.push({ id: reader.id(slot), dataFile: dump.files[reader.file(slot)]!, pos: reader.pos(slot) });
        }
        yield chunk;
      }
    },
  };
}
