/**
 * `verify --wait-for-sync`: waits until floe's pg-logical replication slot has confirmed verify's
 * own LSN, so that differences cannot be changes sync has not applied yet.
 *
 * Why that is sound: floe confirms its slot only up to transactions whose batch is committed in
 * Iceberg, or up to a heartbeat when nothing is pending (pg-logical-change-source.ts). Verify
 * reads LSN V (the WAL insert position) after its snapshot is taken, so every transaction its
 * snapshot sees has its commit record before V. Once the slot's `confirmed_flush_lsn` ≥ V has
 * been observed, every such transaction is in any Iceberg snapshot loaded after the observation.
 * Iceberg may also hold transactions committed after verify's read (sync keeps running): a
 * difference is then a real discrepancy or a row changed after verify read it — never lag.
 *
 * `slotCaughtUp` is the pure decision; `waitForSlot` polls with an injected clock for tests.
 */
import type pg from 'pg';
import { formatLsn, parseLsn } from '../../core/lsn.ts';

/** What verify was asked to wait for: floe's slot and how long, or why there is none to wait for. */
export type SyncWaitRequest =
  | { readonly slot: string; readonly timeoutMs: number }
  | { readonly slot?: undefined; readonly unavailable: string };

/** The outcome of waiting. LSNs as pg_lsn text; `waitedMs` from the first poll to the last. */
export type SyncWait =
  /** The slot confirmed `confirmedLsn` ≥ verify's LSN before the Iceberg table was loaded. */
  | { readonly state: 'caught-up'; readonly slot: string; readonly confirmedLsn: string; readonly verifyLsn: string; readonly waitedMs: number }
  /** The slot had not confirmed verify's LSN when the timeout ran out; `confirmedLsn` null: never confirmed. */
  | { readonly state: 'timed-out'; readonly slot: string; readonly confirmedLsn: string | null; readonly verifyLsn: string; readonly waitedMs: number; readonly timeoutMs: number }
  /** Nothing to wait for: not a pg-logical sync, no such slot, or no verify LSN. */
  | { readonly state: 'unavailable'; readonly reason: string };

/** Milliseconds between two reads of the slot. */
export const SLOT_POLL_MS = 200;

/** True when the slot's confirmed LSN is at or past verify's (null: the slot never confirmed). */
export function slotCaughtUp(confirmedLsn: string | null, verifyLsn: string): boolean {
  return confirmedLsn !== null && parseLsn(confirmedLsn) >= parseLsn(verifyLsn);
}

/** Reads the slot's confirmed_flush_lsn; undefined when there is no such slot. */
export type ReadConfirmedLsn = (slot: string) => Promise<string | null | undefined>;

/** confirmed_flush_lsn of a slot through a client (works inside verify's transaction: slots are not MVCC data). */
export function confirmedLsnReader(client: pg.ClientBase): ReadConfirmedLsn {
  return async (slot) => {
    const { rows } = await client.query<{ lsn: string | null }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    return rows.length === 0 ? undefined : rows[0]!.lsn;
  };
}

export interface WaitClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const realClock: WaitClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** Polls the slot every SLOT_POLL_MS until it confirms `verifyLsn` or `request.timeoutMs` has passed (at least one read). */
export async function waitForSlot(read: ReadConfirmedLsn, request: SyncWaitRequest, verifyLsn: string | null, clock = realClock): Promise<SyncWait> {
  if (request.slot === undefined) return { state: 'unavailable', reason: request.unavailable };
  if (verifyLsn === null) return { state: 'unavailable', reason: "verify could not read the source's WAL position" };
  const { slot, timeoutMs } = request;
  const lsn = formatLsn(parseLsn(verifyLsn));
  const start = clock.now();
  for (;;) {
    const confirmed = await read(slot);
    const waitedMs = clock.now() - start;
    if (confirmed === undefined) return { state: 'unavailable', reason: `the source has no replication slot ${slot}` };
    if (confirmed !== null && slotCaughtUp(confirmed, lsn)) return { state: 'caught-up', slot, confirmedLsn: formatLsn(parseLsn(confirmed)), verifyLsn: lsn, waitedMs };
    if (waitedMs >= timeoutMs) return { state: 'timed-out', slot, confirmedLsn: confirmed === null ? null : formatLsn(parseLsn(confirmed)), verifyLsn: lsn, waitedMs, timeoutMs };
    await clock.sleep(Math.min(SLOT_POLL_MS, timeoutMs - waitedMs));
  }
}
