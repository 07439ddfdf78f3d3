import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { positionLines } from './report.ts';
import type { VerifyResult } from './verify-table.ts';
import { slotCaughtUp, SLOT_POLL_MS, waitForSlot, type ReadConfirmedLsn, type SyncWait, type WaitClock } from './sync-wait.ts';

/** A clock that only moves when slept on; records the sleeps. */
function fakeClock(): WaitClock & { sleeps: number[] } {
  let t = 1000;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms) => { sleeps.push(ms); t += ms; } };
}

/** A slot that returns the given confirmed LSNs in turn, then repeats the last. */
function slotReading(...lsns: (string | null | undefined)[]): ReadConfirmedLsn & { reads: string[] } {
  const reads: string[] = [];
  const read = async (slot: string) => {
    reads.push(slot);
    return lsns[Math.min(reads.length - 1, lsns.length - 1)];
  };
  return Object.assign(read, { reads });
}

describe('slotCaughtUp', () => {
  it('compares LSNs as numbers, not text; at verify LSN counts; never confirmed does not', () => {
    assert.equal(slotCaughtUp('0/16B3748', '0/16B3748'), true);
    assert.equal(slotCaughtUp('1/0', '0/FFFFFFFF'), true);
    assert.equal(slotCaughtUp('0/9000000', '0/10000000'), false, 'text order would say 9 > 1');
    assert.equal(slotCaughtUp('0/16B3747', '0/16B3748'), false);
    assert.equal(slotCaughtUp(null, '0/1'), false);
  });
});

describe('waitForSlot', () => {
  const request = { slot: 'floe_shop', timeoutMs: 1000 };

  it('returns caught-up as soon as the slot confirms verify LSN, polling every SLOT_POLL_MS', async () => {
    const clock = fakeClock();
    const read = slotReading(null, '0/100', '0/2000', '0/9999');
    const w = await waitForSlot(read, request, '0/2000', clock);
    assert.deepEqual(w, { state: 'caught-up', slot: 'floe_shop', confirmedLsn: '0/2000', verifyLsn: '0/2000', waitedMs: 2 * SLOT_POLL_MS });
    assert.deepEqual(read.reads, ['floe_shop', 'floe_shop', 'floe_shop']);
    assert.deepEqual(clock.sleeps, [SLOT_POLL_MS, SLOT_POLL_MS]);
  });

  it('times out with the last confirmed LSN, sleeping no longer than the time left', async () => {
    const clock = fakeClock();
    const w = await waitForSlot(slotReading('0/100'), { slot: 's', timeoutMs: 450 }, '0/2000', clock);
    assert.deepEqual(w, { state: 'timed-out', slot: 's', confirmedLsn: '0/100', verifyLsn: '0/2000', waitedMs: 450, timeoutMs: 450 });
    assert.deepEqual(clock.sleeps, [200, 200, 50]);
  });

  it('with timeout 0 reads once and does not sleep', async () => {
    const clock = fakeClock();
    const w = await waitForSlot(slotReading(null), { slot: 's', timeoutMs: 0 }, '0/2000', clock);
    assert.equal(w.state, 'timed-out');
    assert.ok(w.state === 'timed-out' && w.confirmedLsn === null);
    assert.deepEqual(clock.sleeps, []);
  });

  it('is unavailable without a slot, without a verify LSN, or when nothing is to be waited for', async () => {
    assert.deepEqual(await waitForSlot(slotReading(undefined), request, '0/1', fakeClock()), { state: 'unavailable', reason: 'the source has no replication slot floe_shop' });
    const read = slotReading('0/1');
    assert.equal((await waitForSlot(read, request, null, fakeClock())).state, 'unavailable');
    assert.deepEqual(await waitForSlot(read, { unavailable: 'sync.source is kafka' }, '0/1', fakeClock()), { state: 'unavailable', reason: 'sync.source is kafka' });
    assert.deepEqual(read.reads, [], 'no slot read when there is nothing to wait for');
  });
});

describe('positionLines with a sync wait', () => {
  const positions = (syncWait: SyncWait): Pick<VerifyResult, 'positions'> => ({
    positions: {
      recorded: { by: 'sync', icebergSnapshotId: 7n, lsn: '0/1F00', lsnOf: 'commit', txId: 741n },
      verify: { snapshot: '800:800:', lsn: '0/2000' },
      assessment: { state: 'sync-behind', recordedLsn: '0/1F00', verifyLsn: '0/2000', walBytes: 256n },
      syncWait,
    },
  });

  it('caught up: names the slot and both LSNs and replaces the lag line', () => {
    const lines = positionLines(positions({ state: 'caught-up', slot: 'floe_shop', confirmedLsn: '0/2100', verifyLsn: '0/2000', waitedMs: 400 }));
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /^Sync had applied everything up to verify's snapshot: slot floe_shop confirmed LSN 0\/2100, at or past verify's read at LSN 0\/2000 \(after 0\.4 s\)/);
    assert.match(lines[1]!, /each is a real discrepancy/);
    assert.doesNotMatch(lines.join('\n'), /not applied yet/);
  });

  it('timed out: keeps the lag line and says the slot had not confirmed verify LSN', () => {
    const lines = positionLines(positions({ state: 'timed-out', slot: 'floe_shop', confirmedLsn: '0/1F00', verifyLsn: '0/2000', waitedMs: 500, timeoutMs: 500 }));
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /^The source has WAL after the synced position/);
    assert.equal(lines[2], "Sync had not caught up within 0.5 s: slot floe_shop confirmed LSN 0/1F00, before verify's read at LSN 0/2000: differences may be source changes sync has not applied yet.");
    const never = positionLines(positions({ state: 'timed-out', slot: 's', confirmedLsn: null, verifyLsn: '0/2000', waitedMs: 0, timeoutMs: 0 }));
    assert.match(never[2]!, /slot s confirmed no LSN yet/);
  });

  it('unavailable: says why', () => {
    const lines = positionLines(positions({ state: 'unavailable', reason: 'the source has no replication slot floe_shop' }));
    assert.equal(lines[2], 'Verify could not wait for sync (the source has no replication slot floe_shop).');
  });
});
