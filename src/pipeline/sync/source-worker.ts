/**
 * The change source's worker thread: builds the source from its recipe, and once started reads
 * ahead in chunks, encodes each chunk's changes into one buffer and transfers it to the main
 * thread, which only decodes and applies. Reading stays at most `aheadChanges` changes ahead of
 * what the main thread has taken (credits), so memory is bounded. Acknowledgements arrive in
 * commit order and go to the source as they come. A read failure is sent after every chunk read
 * before it, and ends reading (the main thread commits those chunks, then fails).
 */
import { parentPort } from 'node:worker_threads';
import { describeError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { encodeChanges } from './change-wire.ts';
import type { FromSourceWorker, ToSourceWorker } from './source-thread-protocol.ts';
import { openSource, type StoppableChangeSource } from './source-recipe.ts';
import { GatheringEventBus, GatheringLogLines } from './source-telemetry.ts';

/** Longest wait of one read, so a close is noticed promptly. */
const READ_WAIT_MS = 200;
/** Events and logs are sent at least this often while nothing else goes out. */
const TELEMETRY_MS = 250;

if (parentPort === null) throw new Error('source-worker.ts runs only as a worker thread');
const port = parentPort;

const post = (message: FromSourceWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const events = new GatheringEventBus();
const logs = new GatheringLogLines();
let opened: Promise<StoppableChangeSource> | null = null;
let chunkChanges = 4096;
let aheadChanges = 100_000;
let outstanding = 0;
let creditWaiter: (() => void) | null = null;
let closing = false;
let reading: Promise<void> | null = null;

function sendTelemetry(): void {
  const e = events.drain();
  const l = logs.drain();
  if (e.length > 0 || l.length > 0) post({ type: 'telemetry', events: e, logs: l });
}
const telemetryTimer = setInterval(sendTelemetry, TELEMETRY_MS);

function stoppedList(s: StoppableChangeSource): [string, ReturnType<typeof describeError>][] {
  return [...s.stoppedTables()].map(([table, error]) => [table, describeError(error)]);
}

async function readAhead(s: StoppableChangeSource): Promise<void> {
  let stoppedBefore = 0;
  while (!closing) {
    if (outstanding >= aheadChanges) {
      await new Promise<void>((resolve) => (creditWaiter = resolve));
      creditWaiter = null;
      continue;
    }
    let batch;
    try {
      batch = await s.next(Math.min(chunkChanges, aheadChanges - outstanding), READ_WAIT_MS);
    } catch (error) {
      sendTelemetry();
      post({ type: 'failed', error: describeError(error) });
      return;
    }
    const stopped = stoppedList(s);
    if (batch.changes.length === 0 && batch.checkpoints.size === 0 && stopped.length === stoppedBefore) continue;
    stoppedBefore = stopped.length;
    sendTelemetry();
    const wire = encodeChanges(batch.changes);
    outstanding += batch.changes.length;
    post(
      { type: 'batch', wire, count: batch.changes.length, checkpoints: [...batch.checkpoints], ack: batch.ack, bytes: batch.bytes ?? 0, stopped },
      [wire.buffer as ArrayBuffer],
    );
  }
}

async function call(message: Extract<ToSourceWorker, { type: 'call' }>): Promise<void> {
  try {
    const s = await opened!;
    if (message.method === 'start') {
      await s.start(message.tables);
      reading = readAhead(s);
    } else if (message.method === 'acknowledge') {
      await s.acknowledge(message.ack);
    } else {
      closing = true;
      creditWaiter?.();
      await reading;
      await s.close();
      clearInterval(telemetryTimer);
      sendTelemetry();
    }
    post({ type: 'reply', id: message.id });
  } catch (error) {
    sendTelemetry();
    post({ type: 'reply', id: message.id, error: describeError(error) });
  }
  if (message.method === 'close') port.close();
}

port.on('message', (message: ToSourceWorker) => {
  if (message.type === 'open') {
    chunkChanges = message.chunkChanges;
    aheadChanges = message.aheadChanges;
    const logger = createLogger({ level: message.logLevel, destination: logs });
    opened = openSource(message.recipe, events, logger);
    opened.catch(() => undefined); // reported by the first call
  } else if (message.type === 'credit') {
    outstanding -= message.changes;
    creditWaiter?.();
  } else {
    void call(message);
  }
});
