/**
 * PostgreSQL logical replication (pgoutput) as a ChangeSource. Each table starts where its
 * Iceberg table says (sync checkpoint, else the load's snapshot); the stream starts at the
 * earliest of those and each transaction is kept only for the tables that still need it.
 * Batches hold whole transactions (a transaction larger than the buffer goes out in pieces
 * whose checkpoint stays at the previous commit). The slot is confirmed only up to the last
 * transaction of a batch the runner acknowledged as committed in Iceberg — for every table,
 * since batches are acknowledged in order — or, when nothing is pending, up to a heartbeat.
 */
import type { Change } from '../../core/change.ts';
import { BadEventError, ConfigError } from '../../core/errors.ts';
import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import type { LoadConfig } from '../../config/types.ts';
import type { ChangeSource, CheckpointSummary, SourceBatch, TableCheckpoint } from '../../pipeline/sync/change-source.ts';
import { prepareTable, targetLabel, type PreparedTable } from '../../pipeline/load/table-setup.ts';
import { connectPg } from '../../sources/postgres/connection.ts';
import { introspectTable } from '../../sources/postgres/introspector.ts';
import type pg from 'pg';
import type { PgLogicalSettings } from './pg-logical-settings.ts';
import { formatLsn, parseLsn, type PgoutputMessage, type RelationMessage } from './pgoutput-parser.ts';
import { buildRelationDecoder, type RelationDecoder } from './relation-decoder.ts';
import { startStream, type ReplicationStream } from './replication-stream.ts';
import { checkReplicaIdentity, emitHeartbeat, ensurePublication, HEARTBEAT_PREFIX, slotStatus, type SlotStatus } from './slot-admin.ts';
import { advance, needsTransaction, positionFromSummaries, positionSummary, startLsn, type TablePosition } from './table-position.ts';
import { TxnQueue } from './txn-queue.ts';
import { catalogColumns, type CatalogColumns } from './catalog-columns.ts';

/** Acknowledgement token of one batch. */
interface PgAck {
  readonly seq: number;
  /** Everything committed at or before this LSN is in the batches up to this one. */
  readonly through: bigint | null;
}

interface TableState {
  readonly target: string;
  readonly prepared: PreparedTable;
  readonly catalog: CatalogColumns;
  arrival: TablePosition; // decides which transactions to keep as they arrive
  emitted: TablePosition; // as of the last complete transaction handed to the runner
}

/** Dependencies of the source. */
export interface PgLogicalSourceOptions {
  readonly settings: PgLogicalSettings;
  readonly load: LoadConfig;
  readonly log: Logger;
  readonly events?: EventBus;
}

/** The PostgreSQL logical replication change source. */
export class PgLogicalChangeSource implements ChangeSource {
  readonly name: string;
  readonly #o: PgLogicalSourceOptions;
  readonly #queue: TxnQueue;
  readonly #tables = new Map<string, TableState>(); // by source schema.table
  readonly #relations = new Map<number, RelationDecoder | null>();
  #admin: pg.Client | null = null;
  #stream: ReplicationStream | null = null;
  #timers: NodeJS.Timeout[] = [];
  #error: Error | null = null;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;
  #space: (() => void) | null = null;
  #txn: { commitLsn: bigint; xid: number; commitTimeMs: number; seq: number } | null = null;
  #seq = 0;
  #pending: { seq: number; through: bigint | null; hasChanges: boolean; acked: boolean }[] = [];
  #confirmed = 0n;
  /** Last slot status read (retained WAL gauge). */
  lastSlotStatus: SlotStatus | undefined;

  constructor(options: PgLogicalSourceOptions) {
    this.#o = options;
    this.name = `postgres:${options.settings.sourceName}/${options.settings.slot}`;
    this.#queue = new TxnQueue(options.settings.sync.maxBufferedChanges);
  }

  /** Tables this source stopped (never: a failure stops the whole stream); for `floe sync`'s report. */
  stoppedTables(): ReadonlyMap<string, Error> {
    return new Map();
  }

  /** The flush LSN confirmed to the server so far (0 before the first confirmation). */
  get confirmedLsn(): bigint {
    return this.#confirmed;
  }

  async start(tables: readonly TableCheckpoint[]): Promise<void> {
    const { settings, load, log } = this.#o;
    this.#admin = await connectPg(settings.sourceName, settings.connect);
    for (const cp of tables) {
      const config = settings.tables.find((t) => targetLabel(t) === cp.target);
      if (!config) throw new ConfigError(`sync: table ${cp.target} is not a configured table of source ${settings.sourceName}`);
      const pgTable = await introspectTable(this.#admin, config.source.schema, config.source.table);
      const prepared = prepareTable(settings.sourceName, pgTable, config, load);
      const pos = positionFromSummaries(cp.target, cp.lastCommitted, cp.loadWatermark);
      if (!pos) throw new ConfigError(`sync: table ${cp.target} has never been loaded; run \`floe load\` first (the load records where streaming starts)`);
      const catalog = await catalogColumns(this.#admin, pgTable.oid);
      this.#tables.set(`${config.source.schema}.${config.source.table}`, { target: cp.target, prepared, catalog, arrival: pos, emitted: pos });
    }
    if (this.#tables.size === 0) throw new ConfigError(`sync: no tables configured for source ${settings.sourceName}`);
    const names = [...this.#tables.values()].map((t) => ({ schema: t.prepared.pg.schema, table: t.prepared.pg.name, keyColumns: t.prepared.keyColumns }));
    const pub = await ensurePublication(this.#admin, settings.publication, names);
    if (pub !== 'unchanged') log.info({ publication: settings.publication, tables: names.length, action: pub }, 'publication ready');
    await checkReplicaIdentity(this.#admin, names, settings.sync.replicaIdentity, log);
    const slot = await slotStatus(this.#admin, settings.slot);
    if (!slot) throw new ConfigError(`postgres slot ${settings.slot} does not exist; \`floe load\` creates it with the snapshot it loads (a slot created after the load would miss changes)`);
    if (slot.plugin !== 'pgoutput') throw new ConfigError(`postgres slot ${settings.slot} uses plugin ${slot.plugin}, expected pgoutput`);
    const start = [...this.#tables.values()].reduce((m, t) => (startLsn(t.arrival) < m ? startLsn(t.arrival) : m), 2n ** 64n - 1n);
    this.#checkNotBehindSlot(slot);
    this.#confirmed = slot.confirmedFlushLsn === null ? 0n : parseLsn(slot.confirmedFlushLsn);
    log.info({ slot: settings.slot, startLsn: formatLsn(start), confirmedFlushLsn: slot.confirmedFlushLsn }, 'starting logical replication');
    this.#stream = await startStream(
      { connect: settings.connect, slot: settings.slot, publication: settings.publication, startLsn: start },
      { onMessage: (m, lsn) => this.#onMessage(m, lsn), onError: (e) => this.#fail(e) },
    );
    // one admin connection: upkeep jobs run one at a time, and a job still running skips its next tick
    const every = (ms: number, fn: () => Promise<void>) => {
      let busy = false;
      const run = async () => {
        try {
          await fn();
        } catch (e) {
          log.warn({ err: (e as Error).message }, 'postgres slot upkeep failed');
        } finally {
          busy = false;
        }
      };
      const t = setInterval(() => {
        if (busy || this.#closed) return;
        busy = true;
        this.#chain = this.#chain.then(run);
      }, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(settings.sync.heartbeatMs, () => emitHeartbeat(this.#admin!));
    every(settings.sync.statusIntervalMs, () => this.#upkeep());
  }

  /** Tables whose position is older than the slot's confirmed LSN: fine when floe confirmed past WAL without their changes, a gap when the slot is newer than their load. */
  #checkNotBehindSlot(slot: SlotStatus): void {
    if (slot.confirmedFlushLsn === null) return;
    const confirmed = parseLsn(slot.confirmedFlushLsn);
    for (const t of this.#tables.values()) {
      if (t.arrival.through === null && t.arrival.load !== null && t.arrival.load.lsn < confirmed) {
        this.#o.log.warn(
          { table: t.target, loadLsn: formatLsn(t.arrival.load.lsn), slotConfirmed: slot.confirmedFlushLsn },
          'the slot is past this table\'s load watermark: expected only if floe confirmed idle WAL since; if the slot was created after the load, changes in between are missing (reload the table)',
        );
      }
    }
  }

  async #onMessage(m: PgoutputMessage, walStart: bigint): Promise<void> {
    try {
      if (this.#closed) return;
      this.#handle(m, walStart);
      if (this.#queue.ready()) this.#notify();
      // backpressure: the transport reads nothing more until the runner takes a batch
      while (this.#queue.full() && this.#error === null && !this.#closed) await new Promise<void>((r) => (this.#space = r));
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  #handle(m: PgoutputMessage, walStart: bigint): void {
    switch (m.tag) {
      case 'begin':
        this.#txn = { commitLsn: m.finalLsn, xid: m.xid, commitTimeMs: m.commitTimeMs, seq: 0 };
        this.#queue.begin(this.#txn);
        return;
      case 'commit': {
        this.#queue.commit(m.commitLsn);
        const txn = this.#txn!;
        for (const t of this.#tables.values()) t.arrival = advance(t.arrival, txn.commitLsn, txn.xid);
        this.#txn = null;
        return;
      }
      case 'relation':
        this.#relations.set(m.relationId, this.#decoderFor(m));
        return;
      case 'insert':
      case 'update':
      case 'delete':
        return this.#change(m, walStart);
      case 'truncate':
        for (const id of m.relationIds) {
          const d = this.#relations.get(id);
          if (d && this.#keep(d.table)) this.#queue.add(this.#truncate(d.table, walStart));
        }
        return;
      case 'message':
        // a message's LSN is the END of its record; the next record may start exactly there, so
        // confirming through `lsn` (flush = lsn + 1) could skip a commit: stop one byte short
        if (!m.transactional && m.prefix === HEARTBEAT_PREFIX && this.#txn === null) this.#queue.heartbeat(m.lsn - 1n);
        return;
      default:
        return;
    }
  }

  #keep(table: string): boolean {
    const txn = this.#txn;
    if (!txn) throw new Error(`pgoutput: change of ${table} outside a transaction`);
    return needsTransaction(this.#tables.get(table)!.arrival, txn.commitLsn, txn.xid);
  }

  #position(walStart: bigint) {
    const txn = this.#txn!;
    return { lsn: walStart, commitLsn: txn.commitLsn, txId: BigInt(txn.xid), sequence: BigInt(txn.seq++) };
  }

  #truncate(table: string, walStart: bigint): Change {
    return { table, op: 'truncate', key: null, after: null, before: null, unchanged: [], position: this.#position(walStart), commitTimeMs: this.#txn!.commitTimeMs };
  }

  #change(m: Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' }>, walStart: bigint): void {
    const d = this.#relations.get(m.relationId);
    if (d === undefined) throw new Error(`pgoutput: ${m.tag} of relation ${m.relationId} before its Relation message`);
    if (d === null || !this.#keep(d.table)) return;
    const time = this.#txn!.commitTimeMs;
    const pos = this.#position(walStart);
    const change =
      m.tag === 'insert' ? d.insert(m.newTuple, pos, time)
      : m.tag === 'update' ? d.update(m.oldKind, m.oldTuple, m.newTuple, pos, time)
      : d.delete(m.oldKind, m.oldTuple, pos, time);
    if (change.key === null && d.keyColumns.length > 0) {
      throw new BadEventError(`${d.table}: ${m.tag} at LSN ${formatLsn(walStart)} carries no value for key ${JSON.stringify(d.keyColumns)}; its REPLICA IDENTITY must include the key (or be FULL)`);
    }
    this.#queue.add(change);
  }

  #decoderFor(rel: RelationMessage): RelationDecoder | null {
    const state = this.#tables.get(`${rel.schema}.${rel.name}`);
    if (!state) return null;
    return buildRelationDecoder(rel, state.prepared, this.#o.load, state.catalog.typeOids, state.catalog.delimiters);
  }

  #fail(error: Error): void {
    this.#error ??= error;
    this.#notify();
    this.#space?.();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  async next(maxChanges: number, maxWaitMs: number): Promise<SourceBatch> {
    if (this.#error) throw this.#error;
    if (!this.#queue.ready()) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, maxWaitMs);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#wake = null;
      if (this.#error) throw this.#error;
    }
    const taken = this.#queue.take(maxChanges);
    const space = this.#space;
    this.#space = null;
    space?.();
    let lastXid: number | undefined;
    let through: bigint | null = null;
    for (const c of taken.completes) {
      through = c.commitLsn;
      if (c.heartbeat) continue;
      lastXid = c.xid;
      for (const t of this.#tables.values()) t.emitted = advance(t.emitted, c.commitLsn, c.xid);
    }
    const checkpoints = new Map<string, CheckpointSummary>();
    for (const change of taken.changes) {
      const t = this.#tables.get(change.table)!;
      if (!checkpoints.has(t.target)) checkpoints.set(t.target, positionSummary(t.emitted, lastXid));
    }
    const ack: PgAck = { seq: ++this.#seq, through };
    this.#pending.push({ seq: ack.seq, through, hasChanges: taken.changes.length > 0, acked: false });
    return { changes: taken.changes, checkpoints, ack };
  }

  async acknowledge(ack: unknown): Promise<void> {
    const a = ack as PgAck;
    for (const p of this.#pending) if (p.seq <= a.seq) p.acked = true;
    this.#confirmPrefix();
  }

  /** Confirms the `through` of the longest run of batches that are acknowledged or carried no changes. */
  #confirmPrefix(): void {
    let best: bigint | null = null;
    while (this.#pending.length > 0 && (this.#pending[0]!.acked || !this.#pending[0]!.hasChanges)) {
      const p = this.#pending.shift()!;
      if (p.through !== null) best = p.through;
    }
    if (best !== null && best > this.#confirmed) {
      this.#confirmed = best;
      this.#stream?.confirm(best);
    }
  }

  async #upkeep(): Promise<void> {
    this.#confirmPrefix();
    if (this.#confirmed > 0n) this.#stream?.confirm(this.#confirmed); // also keeps wal_sender_timeout away
    const { settings, log, events } = this.#o;
    const status = await slotStatus(this.#admin!, settings.slot);
    this.lastSlotStatus = status;
    if (!status) return this.#fail(new Error(`postgres slot ${settings.slot} disappeared (dropped?)`));
    const limit = settings.sync.maxRetainedWalMiB * 1024 * 1024;
    const retained = Math.max(0, status.retainedWalBytes ?? 0);
    events?.emit('sync:slot', { slot: settings.slot, retainedWalBytes: retained, limitBytes: limit, confirmedFlushLsn: status.confirmedFlushLsn });
    if (retained > limit) {
      const msg = `postgres slot ${settings.slot} retains ${(retained / 1048576).toFixed(0)} MiB of WAL, over sync.source.maxRetainedWalMiB ${settings.sync.maxRetainedWalMiB}: sync is behind or stuck; the server's disk fills until it catches up or the slot is dropped (floe slot drop)`;
      log.error({ slot: settings.slot, retainedWalBytes: retained, limitBytes: limit }, msg);
      if (settings.sync.onRetainedWalLimit === 'stop') this.#fail(new Error(msg));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#space?.();
    await this.#chain; // let a running heartbeat / slot check finish before its connection closes
    await this.#stream?.close();
    this.#stream = null;
    await this.#admin?.end().catch(() => undefined);
    this.#admin = null;
  }
}
