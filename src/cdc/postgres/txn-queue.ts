/**
 * Transactions between the replication stream and the runner. pgoutput (protocol 1) sends a
 * transaction only once it committed, whole and contiguous, in commit order. The queue keeps
 * complete transactions and the one being received; a batch takes whole transactions, except
 * that a transaction too large to buffer (≥ `partialAt` changes) is handed out in pieces:
 * the batch then reports no complete transaction for it, so its checkpoint stays at the
 * previous commit and a crash replays the whole transaction (apply is idempotent by key).
 * Pure data structure; memory is bounded by the caller waiting on `full()`.
 */
import type { Change } from '../../core/change.ts';

/** A committed transaction's identity. */
export interface TxnMark {
  readonly commitLsn: bigint; // LSN of the commit record (pgoutput Begin's final LSN)
  readonly xid: number; // 32-bit
  readonly commitTimeMs: number;
  /** A heartbeat message, not a transaction: confirms progress, moves no table's checkpoint. */
  readonly heartbeat?: boolean;
}

interface Txn extends TxnMark {
  changes: Change[];
  taken: number; // changes already handed out (a transaction split across batches)
}

/** What one `take` hands out. */
export interface Taken {
  readonly changes: Change[];
  /** Transactions that end in this batch, in commit order (possibly with no changes of their own). */
  readonly completes: TxnMark[];
  /** True when the batch ends inside a transaction (its remaining changes follow in later batches). */
  readonly endsPartial: boolean;
}

/** The transaction queue; `partialAt` ≥ 1 is the buffered size at which an open transaction is split. */
export class TxnQueue {
  readonly #done: Txn[] = [];
  #open: Txn | null = null;
  #buffered = 0;

  constructor(readonly partialAt: number) {}

  /** Changes held (complete and open transactions). */
  get buffered(): number {
    return this.#buffered;
  }

  /** True while a transaction is being received. */
  get inTransaction(): boolean {
    return this.#open !== null;
  }

  /** True when the producer should wait before adding more. */
  full(): boolean {
    return this.#buffered >= this.partialAt;
  }

  /** True when `take` would return something now. */
  ready(): boolean {
    return this.#done.length > 0 || (this.#open !== null && this.#open.changes.length - this.#open.taken >= this.partialAt);
  }

  /** Starts a transaction; throws when one is open (a protocol error). */
  begin(mark: TxnMark): void {
    if (this.#open) throw new Error(`pgoutput: BEGIN of xid ${mark.xid} inside open transaction ${this.#open.xid}`);
    this.#open = { ...mark, changes: [], taken: 0 };
  }

  /** Adds a change to the open transaction. */
  add(change: Change): void {
    if (!this.#open) throw new Error(`pgoutput: change of ${change.table} outside a transaction`);
    this.#open.changes.push(change);
    this.#buffered++;
  }

  /** Ends the open transaction (its commit LSN from the Commit message must match Begin's). */
  commit(commitLsn: bigint): void {
    const open = this.#open;
    if (!open) throw new Error(`pgoutput: COMMIT at ${commitLsn} without BEGIN`);
    if (open.commitLsn !== commitLsn) throw new Error(`pgoutput: COMMIT at ${commitLsn} does not match BEGIN's final LSN ${open.commitLsn}`);
    this.#done.push(open);
    this.#open = null;
  }

  /** Records a heartbeat at `lsn` (outside any transaction): a change-less mark that lets the slot confirm past idle WAL. */
  heartbeat(lsn: bigint): void {
    if (this.#open) return;
    this.#done.push({ commitLsn: lsn, xid: 0, commitTimeMs: Date.now(), heartbeat: true, changes: [], taken: 0 });
  }

  /** Drops the open transaction (the stream broke mid-transaction; it will be resent). */
  abortOpen(): void {
    if (this.#open) this.#buffered -= this.#open.changes.length - this.#open.taken;
    this.#open = null;
  }

  /** Takes whole transactions up to `max` changes (at least one piece when the first is larger). */
  take(max: number): Taken {
    const changes: Change[] = [];
    const completes: TxnMark[] = [];
    while (this.#done.length > 0) {
      const t = this.#done[0]!;
      const rest = t.changes.length - t.taken;
      if (rest <= max - changes.length) {
        this.#pull(t, rest, changes);
        completes.push(t.heartbeat ? { commitLsn: t.commitLsn, xid: 0, commitTimeMs: t.commitTimeMs, heartbeat: true } : { commitLsn: t.commitLsn, xid: t.xid, commitTimeMs: t.commitTimeMs });
        this.#done.shift();
        continue;
      }
      if (changes.length === 0) {
        this.#pull(t, max, changes);
        return { changes, completes, endsPartial: true };
      }
      return { changes, completes, endsPartial: false };
    }
    const open = this.#open;
    if (open && open.changes.length - open.taken >= this.partialAt && changes.length < max) {
      this.#pull(open, Math.min(max - changes.length, open.changes.length - open.taken), changes);
      return { changes, completes, endsPartial: true };
    }
    return { changes, completes, endsPartial: false };
  }

  #pull(t: Txn, n: number, out: Change[]): void {
    for (let i = 0; i < n; i++) out.push(t.changes[t.taken + i]!);
    t.taken += n;
    this.#buffered -= n;
    if (t.taken > 4096 && t.taken * 2 > t.changes.length) {
      t.changes = t.changes.slice(t.taken); // release what was handed out
      t.taken = 0;
    }
  }
}
