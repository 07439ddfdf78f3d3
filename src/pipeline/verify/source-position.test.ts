import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkpointSummary } from '../../cdc/apply/checkpoint.ts';
import { positionSummary } from '../../cdc/postgres/table-position.ts';
import { parseLsn } from '../../core/lsn.ts';
import type { Snapshot } from '../../iceberg/spec/types.ts';
import { positionLines } from './report.ts';
import { assessPosition, recordedPosition, type RecordedPosition } from './source-position.ts';

/** Snapshots 1..n on main, each the parent of the next, with the given summaries. */
function chain(...summaries: Record<string, string>[]): { snapshots: Snapshot[] } {
  return {
    snapshots: summaries.map((summary, i) => ({
      snapshotId: BigInt(i + 1),
      ...(i === 0 ? {} : { parentSnapshotId: BigInt(i) }),
      sequenceNumber: i + 1,
      timestampMs: 1_700_000_000_000 + i,
      manifestList: `m${i + 1}.avro`,
      summary: { operation: 'append', ...summary },
    })),
  };
}

const LOAD = { 'floe.source.lsn': '0/16B3748', 'floe.source.pg-snapshot': '737:740:738' };
/** What a pg-logical sync commit carries: floe.source.lsn too, and the position JSON. */
const PG_SYNC = positionSummary({ through: parseLsn('0/16B4000'), load: null }, 741);
/** What a Debezium sync commit carries: offsets and the last change's own LSN and txId. */
const DBZ_SYNC = checkpointSummary(new Map([['pg.public.orders', new Map([[0, 12n], [1, 7n]])]]), { lsn: parseLsn('0/16B5000'), txId: 742n, sequence: 3n });
const OTHER = { 'added-records': '0' }; // e.g. a compaction: no floe position keys

describe('which snapshot supplies the position', () => {
  it('a load alone: its watermark', () => {
    assert.deepEqual(recordedPosition(chain(LOAD), 1n), { by: 'load', icebergSnapshotId: 1n, lsn: '0/16B3748', snapshot: '737:740:738' });
  });

  it('a pg-logical sync after the load supersedes it (its floe.source.lsn does not make it a load)', () => {
    assert.deepEqual(recordedPosition(chain(LOAD, PG_SYNC, OTHER), 3n), { by: 'sync', icebergSnapshotId: 2n, lsn: '0/16B4000', lsnOf: 'commit', txId: 741n });
  });

  it('a Debezium sync: the last change LSN (not a commit LSN), txId and Kafka offsets', () => {
    const r = recordedPosition(chain(LOAD, DBZ_SYNC), 2n)!;
    assert.deepEqual({ ...r, kafkaOffsets: undefined }, { by: 'sync', icebergSnapshotId: 2n, lsn: '0/16B5000', lsnOf: 'change', txId: 742n, kafkaOffsets: undefined });
    assert.equal(r.kafkaOffsets?.get('pg.public.orders')?.get(1), 7n);
  });

  it('a reload after a sync supersedes the sync', () => {
    assert.equal(recordedPosition(chain(LOAD, PG_SYNC, LOAD), 3n)?.by, 'load');
  });

  it('an older snapshot (--snapshot-id) takes the position of its own ancestry', () => {
    assert.deepEqual(recordedPosition(chain(LOAD, OTHER, PG_SYNC), 2n)?.icebergSnapshotId, 1n);
  });

  it('none recorded, no snapshot, an unreadable position', () => {
    assert.equal(recordedPosition(chain(OTHER, OTHER), 2n), null);
    assert.equal(recordedPosition(chain(LOAD), undefined), null);
    const bad = recordedPosition(chain({ 'floe.source.position': '{"commitLsn":"0/1"}' }), 1n)!;
    assert.match(bad.unreadable ?? '', /commitLsn is not an integer/);
    assert.equal(assessPosition(bad, { snapshot: '1:1:', lsn: '0/2' }).state, 'unknown');
  });
});

describe('what can be said, and the text for it', () => {
  const load = recordedPosition(chain(LOAD), 1n);
  const sync = recordedPosition(chain(LOAD, PG_SYNC), 2n);
  const lines = (recorded: RecordedPosition | null, verify: { snapshot: string; lsn: string | null }) => positionLines({ positions: { recorded, verify, assessment: assessPosition(recorded, verify) } });

  it('load watermark: transactions counted between the two snapshots', () => {
    assert.deepEqual(assessPosition(load, { snapshot: '737:740:738', lsn: '0/16B4000' }), { state: 'unchanged' });
    assert.deepEqual(assessPosition(load, { snapshot: '741:745:', lsn: '0/16B4000' }), { state: 'changed', transactionsEnded: 6n });
    assert.deepEqual(lines(load, { snapshot: '741:745:', lsn: '0/16B4000' }), [
      'Source positions: the load recorded LSN 0/16B3748, snapshot 737:740:738 (Iceberg snapshot 1); verify read the source at LSN 0/16B4000, snapshot 741:745:.',
      '6 source transaction(s) ended since the recorded snapshot (in any table): differences may be changes made after it.',
    ]);
    assert.equal(lines(load, { snapshot: '737:740:738', lsn: '0/16B4000' })[1], 'No source transaction ended since the recorded snapshot: every difference is a real discrepancy.');
  });

  it('sync checkpoint behind verify: both LSNs and the WAL between them, no claim of real discrepancies', () => {
    const verify = { snapshot: '750:750:', lsn: '0/16B4100' };
    assert.deepEqual(assessPosition(sync, verify), { state: 'sync-behind', recordedLsn: '0/16B4000', verifyLsn: '0/16B4100', walBytes: 256n });
    const text = lines(sync, verify);
    assert.deepEqual(text, [
      'Source positions: sync recorded commit LSN 0/16B4000 of the last applied transaction (txId 741) in Iceberg snapshot 2; verify read the source at LSN 0/16B4100, snapshot 750:750:.',
      'The source has WAL after the synced position: verify read at LSN 0/16B4100, 256 bytes past LSN 0/16B4000 (WAL of any table or database, not only changes to this one): differences may be source changes sync has not applied yet.',
    ]);
    assert.doesNotMatch(text.join('\n'), /real discrepancy|unknown/);
  });

  it('sync checkpoint caught up: recorded LSN at or past verify', () => {
    for (const lsn of ['0/16B4000', '0/16B3FFF']) {
      const verify = { snapshot: '750:750:', lsn };
      assert.equal(assessPosition(sync, verify).state, 'sync-caught-up');
      assert.equal(
        lines(sync, verify)[1],
        `Sync is caught up: it applied the source through LSN 0/16B4000, at or past verify's read at LSN ${lsn}, so no change verify saw is waiting to be applied (Iceberg may also hold changes committed after verify's read).`,
      );
    }
  });

  it('Debezium checkpoint: the change LSN and the offsets are named', () => {
    const dbz = recordedPosition(chain(LOAD, DBZ_SYNC), 2n);
    assert.equal(
      lines(dbz, { snapshot: '750:750:', lsn: '0/16B5010' })[0],
      'Source positions: sync recorded LSN 0/16B5000 of the last applied change (txId 742; Kafka offsets pg.public.orders[0]=12, pg.public.orders[1]=7) in Iceberg snapshot 2; verify read the source at LSN 0/16B5010, snapshot 750:750:.',
    );
  });

  it('none, or nothing comparable: unknown, with the reason', () => {
    assert.deepEqual(lines(null, { snapshot: '750:750:', lsn: '0/1' }), [
      'Source positions: the Iceberg snapshot records no source position; verify read the source at LSN 0/1, snapshot 750:750:.',
      'Whether the source changed since the Iceberg snapshot is unknown (no comparable position recorded).',
    ]);
    const offsetsOnly = recordedPosition(chain(checkpointSummary(new Map([['t', new Map([[0, 5n]])]]), null)), 1n);
    assert.equal(lines(offsetsOnly, { snapshot: '750:750:', lsn: '0/1' })[1], 'Whether the source changed since the Iceberg snapshot is unknown (the sync checkpoint records no PostgreSQL LSN).');
    assert.equal(assessPosition(sync, { snapshot: '750:750:', lsn: null }).state, 'unknown');
  });
});
