/**
 * The key index thread of one table applier (index-thread.ts starts it): owns the table's
 * better-sqlite3 connection and handles requests strictly in order, so a lookup sees every
 * update posted before it. Updates are held back and applied together, in one transaction that
 * records the last one's snapshot id (KeyIndex.applyAll): a commit of random keys dirties most
 * B-tree pages, and each transaction writes them all to the WAL again (1 M-row index, 4 queued
 * 10 k-change updates in one transaction: 7.7 -> 5.2 µs a change). After a transaction the next
 * one starts once `minTransactionIntervalMs` has passed or the held updates reach
 * MAX_TRANSACTION_ENTRIES, whichever comes first; an update after a quiet spell applies at once.
 * A lookup, `reopen`, `close`, `flush` (the applier waits in drain) and a `rewrite` (the
 * whole index from a complete key cache: index-rewrite.ts) apply the held updates first. A
 * crash while updates are held leaves the index behind the table by up to one interval of
 * commits (interval × commit rate, at most MAX_TRANSACTION_ENTRIES entries): the next open
 * catches up from the table, as after any crash. The first failure is reported once; the thread
 * then ignores everything but `close`, and the applier surfaces it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sortedEntries } from './index-rewrite.ts';
import { describeFailure, REWRITE_ENTRIES, positionsTransfers, PositionsPacker, unpackIds, unpackUpdate, updateEntries, type IndexReply, type IndexRequest, type IndexThreadInit, type PackedUpdate } from './index-wire.ts';
import { KeyIndex } from './key-index.ts';

/** Held entries at which the held updates apply without waiting out the interval: replies keep coming, so backpressure keeps easing. */
const MAX_TRANSACTION_ENTRIES = 262_144;

/** Default IndexThreadInit.minTransactionIntervalMs. */
const MIN_TRANSACTION_INTERVAL_MS = 1000;

function handle(index: KeyIndex, request: Exclude<IndexRequest, { type: 'update' | 'flush' | 'close' }>, reply: (message: IndexReply, transfer?: ArrayBuffer[]) => void): KeyIndex {
  switch (request.type) {
    case 'rewrite': {
      const { fromSnapshotId, toSnapshotId, dump } = request.rewrite;
      index.rewrite(fromSnapshotId, toSnapshotId, sortedEntries(dump).chunks());
      reply({ type: 'applied', entries: REWRITE_ENTRIES });
      return index;
    }
    case 'lookup': {
      const packer = new PositionsPacker();
      index.locate(unpackIds(request.ids), (key, dataFile, pos) => packer.add(key, dataFile, pos));
      const positions = packer.done();
      reply({ type: 'found', seq: request.seq, positions }, positionsTransfers(positions));
      return index;
    }
    case 'reopen': {
      index.close();
      return KeyIndex.open((workerData as IndexThreadInit).indexPath, request.identity, request.tableUuid);
    }
  }
}

const port = parentPort;
if (port !== null) {
  const init = workerData as IndexThreadInit;
  const interval = init.minTransactionIntervalMs ?? MIN_TRANSACTION_INTERVAL_MS;
  const reply = (message: IndexReply, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer);
  let index: KeyIndex | undefined;
  let held: PackedUpdate[] = [];
  let heldEntries = 0;
  /** When the last transaction ended (performance.now()). */
  let lastApplied = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  const fail = (error: unknown): void => {
    clearTimeout(timer);
    timer = undefined;
    index?.close();
    index = undefined;
    held = [];
    heldEntries = 0;
    reply({ type: 'failed', failure: describeFailure(error) });
  };
  /** Applies the held updates in one transaction (nothing when none are held or the thread failed). */
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (index === undefined || held.length === 0) return;
    const updates = held;
    const entries = heldEntries;
    held = [];
    heldEntries = 0;
    try {
      index.applyAll(updates.map(unpackUpdate));
      reply({ type: 'applied', entries });
    } catch (error) {
      fail(error);
    }
    lastApplied = performance.now();
  };
  const hold = (update: PackedUpdate): void => {
    held.push(update);
    heldEntries += updateEntries(update);
    const wait = lastApplied + interval - performance.now();
    if (heldEntries >= MAX_TRANSACTION_ENTRIES || wait <= 0) flush();
    else timer ??= setTimeout(flush, wait);
  };
  try {
    index = KeyIndex.open(init.indexPath, init.identity, init.tableUuid);
    reply({ type: 'ready' });
  } catch (error) {
    fail(error);
  }
  port.on('message', (request: IndexRequest) => {
    if (request.type === 'close') {
      flush();
      index?.close();
      index = undefined;
      reply({ type: 'closed' });
      port.close();
      return;
    }
    if (index === undefined) return; // failed: the applier already knows
    if (request.type === 'update') {
      hold(request.update);
      return;
    }
    flush();
    if (index === undefined || request.type === 'flush') return;
    try {
      index = handle(index, request, reply);
    } catch (error) {
      fail(error);
    }
  });
}
