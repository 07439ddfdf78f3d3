/**
 * Reads Kafka partitions from positions floe chooses (the offsets stored in the Iceberg tables),
 * with no consumer-group membership: no rebalances, no waiting out a killed member's session,
 * and Kafka's committed offsets are never read. One fetch per partition leader is kept in
 * flight while the caller works, up to `bufferBytes` of records. Fetch responses carry each
 * partition's high watermark, which gives lag for free. Offsets are committed to the group
 * (generation -1, as a standalone consumer) only for lag monitoring.
 */
import { Admin, Consumer, ListOffsetTimestamps } from '@platformatic/kafka';
import { KAFKA_FETCH_DEFAULTS } from '../../config/schema.ts';
import { RetryableError } from '../../core/errors.ts';
import type { KafkaConnectOptions } from './client-options.ts';

/** One record as the fetcher hands it out. `size` is key + value bytes. */
export interface FetchedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestampMs: number;
  readonly size: number;
  /** Record headers by name, when the record has any (Debezium marks key moves with them). */
  readonly headers?: Readonly<Record<string, Uint8Array>>;
}

/** Kafka's header list as a name → value record; undefined when there are none (the common case). */
export function headerRecord(headers: readonly (readonly [Buffer | null, Buffer | null])[] | undefined): Record<string, Uint8Array> | undefined {
  if (headers === undefined || headers.length === 0) return undefined;
  const out: Record<string, Uint8Array> = {};
  for (const [name, value] of headers) if (name !== null && value !== null) out[name.toString('utf8')] = value;
  return out;
}

export interface FetcherOptions {
  readonly connect: KafkaConnectOptions;
  /** Group offsets are committed to (monitoring only). */
  readonly groupId: string;
  /** The topics to read, given every topic that exists now (called at open and on refresh). */
  readonly topics: (existing: readonly string[]) => string[];
  /** Where to start a partition; undefined: its earliest offset. */
  readonly startOffset: (topic: string, partition: number) => bigint | undefined;
  /** Called with each partition's lag (high watermark − next offset handed out) after a poll, at most once a second. */
  readonly onLag?: (topic: string, partition: number, lag: number) => void;
  // Tuning; each defaults to FETCHER_DEFAULTS (sync.source.fetch in the config).
  readonly maxWaitMs?: number; // broker long-poll
  readonly maxBytes?: number; // per fetch (see FETCHER_DEFAULTS)
  readonly partitionMaxBytes?: number; // per partition per fetch
  readonly bufferBytes?: number; // prefetched records held at most
  readonly refreshMs?: number; // topic/partition discovery interval
}

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  fetchOffset: bigint; // next offset to request
  position: bigint; // next offset handed to the caller
  highWatermark: bigint;
}

/** Partitions grouped by leader node and topic id, and topic names by id. */
interface Routes {
  readonly byLeader: Map<number, Map<string, PartitionState[]>>;
  readonly names: Map<string, string>;
}

/**
 * The fetcher's tuning when the caller gives none, in bytes: the config's defaults
 * (KAFKA_FETCH_DEFAULTS in config/schema.ts, sync.source.fetch), so the numbers live once.
 * Fetch sizes: @platformatic/kafka parses a response in place across the socket's chunks
 * (~64 KiB each) and finds the chunk of every read by walking from the first, so parsing
 * costs per record grow with the response's size. bench/kafka-source.ts (2.2 KB Debezium
 * records, one partition, fetch-only CPU per record): 4 MiB per partition 2.6 µs, 1 MiB 1.7,
 * 256 KiB 1.4, at the same broker CPU. Smaller fetches cost round trips (one fetch in flight
 * per leader): 1 MiB still moves 200 MB/s a partition at 5 ms, where 256 KiB would cap a
 * distant broker's single-partition topic at ~25 k records/s. (Adapting the size to the
 * caller's waits grew it on one host too: there the caller waits on the fetch, in its own
 * thread, at any size.) maxBytes keeps the 4 : 1 ratio to the partition limit. Kafka returns
 * a first batch larger than either limit whole.
 */
export const FETCHER_DEFAULTS = {
  maxWaitMs: KAFKA_FETCH_DEFAULTS.maxWaitMs,
  maxBytes: KAFKA_FETCH_DEFAULTS.maxKiB << 10,
  partitionMaxBytes: KAFKA_FETCH_DEFAULTS.partitionMaxKiB << 10,
  bufferBytes: KAFKA_FETCH_DEFAULTS.bufferMiB << 20,
  refreshMs: KAFKA_FETCH_DEFAULTS.refreshMs,
} as const;

/** Records of one partition from one fetch, handed out in order from `head`. */
interface Chunk {
  readonly state: PartitionState;
  readonly records: FetchedRecord[];
}

const OFFSET_OUT_OF_RANGE = 1;
const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads explicit partitions from explicit offsets; see the file comment. */
export class PartitionFetcher {
  readonly #o: FetcherOptions;
  readonly #consumer: Consumer;
  readonly #admin: Admin;
  readonly #parts = new Map<string, PartitionState>();
  /** Prefetched records not handed out yet: the first chunk from `#chunkHead` on, then the others whole. */
  readonly #chunks: Chunk[] = [];
  #chunkHead = 0;
  #queuedBytes = 0;
  #closed = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;
  #drained: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #lastRefresh = 0;
  #lastLag = 0;

  private constructor(o: FetcherOptions) {
    this.#o = o;
    this.#consumer = new Consumer({ ...o.connect, groupId: o.groupId, bootstrapBrokers: [...o.connect.bootstrapBrokers] });
    this.#admin = new Admin({ ...o.connect, bootstrapBrokers: [...o.connect.bootstrapBrokers] });
  }

  /** Connects, discovers partitions and positions, and starts prefetching. */
  static async open(o: FetcherOptions): Promise<PartitionFetcher> {
    const f = new PartitionFetcher(o);
    try {
      await f.#refresh();
    } catch (error) {
      await f.close();
      throw error;
    }
    f.#loop = f.#run();
    return f;
  }

  /** Partitions being read, with the next offset the caller will get from each. */
  positions(): Map<string, Map<number, bigint>> {
    const out = new Map<string, Map<number, bigint>>();
    for (const p of this.#parts.values()) {
      const m = out.get(p.topic) ?? new Map<number, bigint>();
      m.set(p.partition, p.position);
      out.set(p.topic, m);
    }
    return out;
  }

  /** Up to `maxRecords` records in partition order, waiting at most `maxWaitMs` for the first. */
  async poll(maxRecords: number, maxWaitMs: number): Promise<FetchedRecord[]> {
    if (this.#error) throw this.#error;
    if (this.#chunks.length === 0 && maxWaitMs > 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#wake = null;
          resolve();
        }, maxWaitMs);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = null;
          resolve();
        };
      });
      if (this.#error) throw this.#error;
    }
    const out: FetchedRecord[] = [];
    while (out.length < maxRecords && this.#chunks.length > 0) {
      const { state, records } = this.#chunks[0]!;
      const end = Math.min(records.length, this.#chunkHead + maxRecords - out.length);
      for (let i = this.#chunkHead; i < end; i++) {
        const r = records[i]!;
        this.#queuedBytes -= r.size;
        out.push(r);
      }
      state.position = records[end - 1]!.offset + 1n;
      this.#chunkHead = end;
      if (end === records.length) {
        this.#chunks.shift();
        this.#chunkHead = 0;
      }
    }
    this.#drained?.();
    this.#reportLag();
    return out;
  }

  /** Commits `offsets` (next offsets) to the consumer group, for lag monitoring only. */
  async commit(offsets: ReadonlyMap<string, ReadonlyMap<number, bigint>>): Promise<void> {
    const topics = [...offsets].map(([name, parts]) => ({ name, partitionOffsets: [...parts].map(([partition, offset]) => ({ partition, offset })) }));
    if (topics.length === 0) return;
    // Through the admin client, not the consumer: the broker answers one connection's requests in
    // order, so a commit sent behind the consumer's long-polling fetch waited out its maxWaitMs
    // (500 ms a commit, measured in test/integration/threaded-source.test.ts).
    // A standalone (non-member) commit: generation -1 and no member id, accepted for an empty group.
    await this.#admin.alterConsumerGroupOffsets({ groupId: this.#o.groupId, topics });
  }

  /** Stops prefetching and closes the connections. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    this.#drained?.();
    await this.#loop?.catch(() => undefined);
    await Promise.allSettled([this.#consumer.close(true), this.#admin.close()]);
  }

  #reportLag(): void {
    const now = Date.now();
    if (this.#o.onLag === undefined || now - this.#lastLag < 1000) return;
    this.#lastLag = now;
    for (const p of this.#parts.values()) this.#o.onLag(p.topic, p.partition, Number(p.highWatermark > p.position ? p.highWatermark - p.position : 0n));
  }

  /** Adds topics and partitions that appeared; new ones start at their start offset or earliest. */
  async #refresh(): Promise<void> {
    this.#lastRefresh = Date.now();
    const existing = await this.#admin.listTopics({ includeInternals: false });
    const present = new Set(existing);
    const topics = this.#o.topics(existing).filter((t) => present.has(t));
    if (topics.length === 0) return;
    const metadata = await this.#consumer.metadata({ topics, forceUpdate: true });
    const fresh: { topic: string; partition: number }[] = [];
    for (const topic of topics) {
      const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
      for (let p = 0; p < count; p += 1) if (!this.#parts.has(key(topic, p))) fresh.push({ topic, partition: p });
    }
    if (fresh.length === 0) return;
    const earliest = await this.#consumer.listOffsets({ topics: [...new Set(fresh.map((f) => f.topic))], timestamp: ListOffsetTimestamps.EARLIEST });
    for (const { topic, partition } of fresh) {
      const start = this.#o.startOffset(topic, partition) ?? earliest.get(topic)?.[partition] ?? 0n;
      this.#parts.set(key(topic, partition), { topic, partition, fetchOffset: start, position: start, highWatermark: start });
    }
    this.#routes = null;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#closed) {
      try {
        if (Date.now() - this.#lastRefresh >= (this.#o.refreshMs ?? FETCHER_DEFAULTS.refreshMs)) await this.#refresh();
        if (this.#queuedBytes >= (this.#o.bufferBytes ?? FETCHER_DEFAULTS.bufferBytes)) {
          await new Promise<void>((resolve) => (this.#drained = resolve));
          this.#drained = null;
          continue;
        }
        if (this.#parts.size === 0) {
          await sleep(Math.min(this.#o.refreshMs ?? FETCHER_DEFAULTS.refreshMs, 500));
          continue;
        }
        await this.#fetchOnce();
        failures = 0;
      } catch (error) {
        if (this.#closed) return;
        failures += 1;
        if (error instanceof RetryableError && failures < 10) {
          this.#consumer.clearMetadata();
          await sleep(Math.min(5000, 100 * 2 ** failures));
          continue;
        }
        this.#error = error as Error;
        this.#wake?.();
        return;
      }
    }
  }

  /** From metadata, kept until a refresh adds partitions or a fetch fails (the consumer asked the broker for each fetch: ~4 % of the source thread). */
  #routes: Routes | null = null;

  async #route(): Promise<Routes> {
    if (this.#routes !== null) return this.#routes;
    const topics = [...new Set([...this.#parts.values()].map((p) => p.topic))];
    const metadata = await this.#consumer.metadata({ topics });
    const byLeader = new Map<number, Map<string, PartitionState[]>>();
    const names = new Map<string, string>();
    for (const p of this.#parts.values()) {
      const t = metadata.topics.get(p.topic)!;
      names.set(t.id, p.topic);
      const leader = t.partitions[p.partition]!.leader;
      const group = byLeader.get(leader) ?? new Map<string, PartitionState[]>();
      group.set(t.id, [...(group.get(t.id) ?? []), p]);
      byLeader.set(leader, group);
    }
    this.#routes = { byLeader, names };
    return this.#routes;
  }

  /** One fetch from every leader (in parallel); appends records in offset order per partition. */
  async #fetchOnce(): Promise<void> {
    const { byLeader, names } = await this.#route();
    try {
      await Promise.all([...byLeader].map(([node, group]) => this.#fetchFrom(node, group, names)));
    } catch (error) {
      this.#routes = null; // a leader may have moved: ask the metadata again
      throw error;
    }
  }

  async #fetchFrom(node: number, group: Map<string, PartitionState[]>, names: Map<string, string>): Promise<void> {
    const requested = new Map<string, bigint>();
    const partitionMaxBytes = this.#o.partitionMaxBytes ?? FETCHER_DEFAULTS.partitionMaxBytes;
    const maxBytes = this.#o.maxBytes ?? FETCHER_DEFAULTS.maxBytes;
    const request = [...group].map(([topicId, parts]) => ({
      topicId,
      partitions: parts.map((p) => {
        requested.set(key(p.topic, p.partition), p.fetchOffset);
        return { partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1 };
      }),
    }));
    let response;
    try {
      response = await this.#consumer.fetch({ node, topics: request, maxWaitTime: this.#o.maxWaitMs ?? FETCHER_DEFAULTS.maxWaitMs, maxBytes, minBytes: 1 });
    } catch (error) {
      throw this.#fetchError(error, names, requested);
    }
    if (this.#closed) return;
    let added = 0;
    for (const t of response.responses) {
      const topic = names.get(t.topicId)!;
      for (const pr of t.partitions) {
        const state = this.#parts.get(key(topic, pr.partitionIndex))!;
        state.highWatermark = pr.highWatermark;
        const from = requested.get(key(topic, pr.partitionIndex))!;
        const records: FetchedRecord[] = [];
        let bytes = 0;
        for (const batch of pr.records ?? []) {
          const first = batch.firstOffset;
          const last = first + BigInt(batch.lastOffsetDelta);
          if (last + 1n > state.fetchOffset) state.fetchOffset = last + 1n;
          if ((batch.attributes & 0x20) !== 0) continue; // control batch (transaction markers)
          const firstTimestampMs = Number(batch.firstTimestamp);
          // Offsets usually follow one another: one bigint per record, not two.
          let offset = first - 1n;
          let delta = -1;
          for (const r of batch.records) {
            offset = r.offsetDelta === delta + 1 ? offset + 1n : first + BigInt(r.offsetDelta);
            delta = r.offsetDelta;
            if (offset < from) continue; // a batch may start before the offset asked for
            const size = (r.key?.length ?? 0) + (r.value?.length ?? 0);
            // One shape for every record (headers undefined when there are none): monomorphic downstream.
            records.push({
              topic,
              partition: pr.partitionIndex,
              offset,
              key: r.key ?? null,
              value: r.value ?? null,
              timestampMs: firstTimestampMs + Number(r.timestampDelta),
              size,
              headers: headerRecord(r.headers),
            });
            bytes += size;
          }
        }
        if (records.length > 0) {
          this.#chunks.push({ state, records });
          this.#queuedBytes += bytes;
          added += records.length;
        }
      }
    }
    if (added > 0) this.#wake?.();
  }

  /** A fetch failure as floe's error: out-of-range offsets are fatal and named, the rest retryable. */
  #fetchError(error: unknown, names: Map<string, string>, requested: Map<string, bigint>): Error {
    const response = (error as { response?: { responses?: { topicId: string; partitions: { partitionIndex: number; errorCode: number; logStartOffset: bigint; highWatermark: bigint }[] }[] } }).response;
    for (const t of response?.responses ?? []) {
      for (const p of t.partitions) {
        if (p.errorCode !== OFFSET_OUT_OF_RANGE) continue;
        const topic = names.get(t.topicId) ?? t.topicId;
        const at = requested.get(key(topic, p.partitionIndex));
        return new Error(
          `kafka topic ${topic} partition ${p.partitionIndex}: offset ${at} is out of range (log holds ${p.logStartOffset}..${p.highWatermark}); ` +
            'the records after the table checkpoint are gone (retention) or the topic was recreated: reload the table with `floe load`',
          { cause: error },
        );
      }
    }
    return new RetryableError(`kafka fetch failed: ${(error as Error).message}`, { cause: error });
  }
}
