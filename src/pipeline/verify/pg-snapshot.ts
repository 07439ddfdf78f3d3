/**
 * PostgreSQL snapshots (`pg_current_snapshot()` text, `xmin:xmax:xip,...`) compared, to tell
 * whether the source may have changed between the load's snapshot and verify's.
 */

/** A parsed snapshot: transactions < xmin have ended, ≥ xmax had not started, `xip` were running. */
export interface PgSnapshot {
  readonly xmin: bigint;
  readonly xmax: bigint;
  readonly xip: readonly bigint[];
}

/** Parses `10:20:10,14`; undefined when the text is not a snapshot. */
export function parsePgSnapshot(text: string): PgSnapshot | undefined {
  const m = /^(\d+):(\d+):([\d,]*)$/.exec(text.trim());
  if (!m) return undefined;
  const xip = m[3] === '' ? [] : m[3]!.split(',').map((x) => BigInt(x));
  return { xmin: BigInt(m[1]!), xmax: BigInt(m[2]!), xip };
}

/**
 * How many transactions (with an xid: they wrote something, in any table) ended, committed or
 * rolled back, after `before` was taken and before `after` was: those running in `before` or
 * started after it, and no longer running in `after`. Undefined when `after` is not later.
 */
export function transactionsEndedBetween(before: PgSnapshot, after: PgSnapshot): bigint | undefined {
  if (after.xmax < before.xmax || after.xmin < before.xmin) return undefined;
  const runningAfter = new Set(after.xip);
  let ended = 0n;
  for (const xid of before.xip) if (!runningAfter.has(xid)) ended += 1n;
  // xids in [before.xmax, after.xmax) started after `before`; those still running are in after.xip
  const startedSince = after.xmax - before.xmax;
  const stillRunning = after.xip.filter((x) => x >= before.xmax).length;
  return ended + startedSince - BigInt(stillRunning);
}
