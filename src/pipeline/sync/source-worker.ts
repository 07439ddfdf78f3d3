/**
 * The change source's worker thread: builds the source from its recipe, and once started reads
 * ahead in chunks, encodes each chunk's changes (as they are read) into one buffer and transfers it to the main
 * thread, which only decodes and applies. A chunk gathers reads for up to GATHER_MS (one message
 * per chunk, its events and log lines included). Reading stays at most `aheadChanges` changes ahead of
 * what the main thread has taken (credits), so memory is bounded. Acknowledgements arrive in
 * commit order and go to the source as they come. A read failure is sent after every chunk read
 * before it, and ends reading (the main thread commits those chunks, then fails).
 */
import { parentPort } from 'node:worker_threads';
import { describeError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { ChangeWireEncoder } from './change-wire.ts';
import type { CheckpointSummary, SourceBatch } from './change-source.ts';
import type { FromSourceWorker, ToSourceWorker } from './source-thread-protocol.ts';
import { openSource, type StoppableChangeSource } from './source-recipe.ts';
import { GatheringEventBus, GatheringLogLines } from './source-telemetry.ts';

/** Longest wait of one read, so a close is noticed promptly. */
const READ_WAIT_MS = 200;
/** Longest a chunk that holds something waits for further reads before it is sent. */
const GATHER_MS = 20;
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

/** Batches read one after another, gathered into one message (changes encoded as they come). */
interface Chunk {
  readonly wire: ChangeWireEncoder;
  readonly checkpoints: Map<string, CheckpointSummary>;
  ack: unknown;
  bytes: number;
}

/** Adds `batch` (read after what `chunk` holds): changes in order, the later checkpoint of a table and ack (as the main thread merges chunks). */
function gather(chunk: Chunk, batch: SourceBatch): void {
  chunk.wire.add(batch.changes);
  for (const [target, summary] of batch.checkpoints) chunk.checkpoints.set(target, summary);
  chunk.ack = batch.ack;
  chunk.bytes += batch.bytes ?? 0;
}

/** Sends a chunk with the events and log lines gathered before it, in one message. */
function sendChunk(chunk: Chunk, stopped: [string, ReturnType<typeof describeError>][]): void {
  const count = chunk.wire.count;
  const wire = chunk.wire.finish();
  outstanding += count;
  post(
    { type: 'batch', wire, count, checkpoints: [...chunk.checkpoints], ack: chunk.ack, bytes: chunk.bytes, stopped, events: events.drain(), logs: logs.drain() },
    [wire.buffer as ArrayBuffer],
  );
}

async function readAhead(s: StoppableChangeSource): Promise<void> {
  let stoppedBefore = 0;
  while (!closing) {
    if (outstanding >= aheadChanges) {
      await new Promise<void>((resolve) => (creditWaiter = resolve));
      creditWaiter = null;
      continue;
    }
    const room = Math.min(chunkChanges, aheadChanges - outstanding);
    let first: SourceBatch;
    try {
      first = await s.next(room, READ_WAIT_MS);
    } catch (error) {
      sendTelemetry();
      post({ type: 'failed', error: describeError(error) });
      return;
    }
    let stopped = stoppedList(s);
    if (first.changes.length === 0 && first.checkpoints.size === 0 && stopped.length === stoppedBefore) continue;
    // A source hands out what one fetch brought (a few hundred records): gather further reads
    // for a while, so that a message (~0.1 ms in each thread) carries up to a chunk.
    const chunk: Chunk = { wire: new ChangeWireEncoder(), checkpoints: new Map(), ack: undefined, bytes: 0 };
    gather(chunk, first);
    let failure: unknown = null;
    const until = performance.now() + GATHER_MS;
    try {
      for (let left = GATHER_MS; chunk.wire.count < room && left > 0 && !closing; left = until - performance.now()) {
        const more = await s.next(room - chunk.wire.count, left);
        if (more.changes.length === 0 && more.checkpoints.size === 0) break;
        gather(chunk, more);
      }
    } catch (error) {
      failure = error;
    }
    stopped = stoppedList(s);
    stoppedBefore = stopped.length;
    sendChunk(chunk, stopped);
    if (failure !== null) {
      sendTelemetry();
      post({ type: 'failed', error: describeError(failure) });
      return;
    }
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
