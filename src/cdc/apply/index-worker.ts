/**
 * The key index thread of one table applier (index-thread.ts starts it): owns the table's
 * better-sqlite3 connection and handles requests strictly in order, so a lookup sees every
 * update posted before it. Each update is one transaction with its snapshot id (KeyIndex.apply,
 * as on the main thread before). The first failure is reported once; the thread then ignores
 * everything but `close`, and the applier surfaces it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeFailure, positionsTransfers, PositionsPacker, unpackIds, unpackUpdate, updateEntries, type IndexReply, type IndexRequest, type IndexThreadInit } from './index-wire.ts';
import { KeyIndex } from './key-index.ts';

function handle(index: KeyIndex, request: IndexRequest, reply: (message: IndexReply, transfer?: ArrayBuffer[]) => void): KeyIndex {
  switch (request.type) {
    case 'update':
      index.apply(unpackUpdate(request.update));
      reply({ type: 'applied', entries: updateEntries(request.update) });
      return index;
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
    case 'close':
      return index;
  }
}

const port = parentPort;
if (port !== null) {
  const init = workerData as IndexThreadInit;
  const reply = (message: IndexReply, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer);
  let index: KeyIndex | undefined;
  const fail = (error: unknown): void => {
    index?.close();
    index = undefined;
    reply({ type: 'failed', failure: describeFailure(error) });
  };
  try {
    index = KeyIndex.open(init.indexPath, init.identity, init.tableUuid);
    reply({ type: 'ready' });
  } catch (error) {
    fail(error);
  }
  port.on('message', (request: IndexRequest) => {
    if (request.type === 'close') {
      index?.close();
      index = undefined;
      reply({ type: 'closed' });
      port.close();
      return;
    }
    if (index === undefined) return; // failed: the applier already knows
    try {
      index = handle(index, request, reply);
    } catch (error) {
      fail(error);
    }
  });
}
