/**
 * The worker thread body: keeps one PostgreSQL connection (to the source of its last task) and
 * reads chunks the main thread sends, one at a time, answering with the files written or a
 * plain error description. Decoding and Parquet encoding happen here, off the main thread.
 */
import { parentPort } from 'node:worker_threads';
import type pg from 'pg';
import { connectPg } from '../../sources/postgres/connection.ts';
import { errorCode, isTransientPgError } from '../../sources/postgres/pg-errors.ts';
import { readChunk, type ChunkOutput, type ChunkTask } from './chunk-reader.ts';

/** Main → worker. */
export type WorkerRequest = { readonly type: 'chunk'; readonly taskId: number; readonly task: ChunkTask } | { readonly type: 'close' };

/** A failure crossing the thread boundary: class name, message, code, and whether a retry may cure it. */
export interface WorkerFailure {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
  readonly transient: boolean;
}

/** Worker → main. */
export type WorkerReply =
  | { readonly type: 'done'; readonly taskId: number; readonly output: ChunkOutput }
  | { readonly type: 'failed'; readonly taskId: number; readonly failure: WorkerFailure };

let client: pg.Client | undefined;
let clientSource: string | undefined;

async function dropClient(): Promise<void> {
  const c = client;
  client = undefined;
  clientSource = undefined;
  await c?.end().catch(() => undefined);
}

async function run(task: ChunkTask): Promise<ChunkOutput> {
  if (client !== undefined && clientSource !== task.sourceName) await dropClient();
  if (client === undefined) {
    client = await connectPg(task.sourceName, task.connect);
    clientSource = task.sourceName;
  }
  try {
    return await readChunk(client, task);
  } catch (error) {
    // the connection may be dead, or closed by a COPY the reader stopped consuming (the only way
    // out of copy mode): reconnect for the next chunk instead of failing it on a closed client
    await dropClient();
    throw error;
  }
}

function describe(error: unknown): WorkerFailure {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, code: errorCode(e), transient: e.name === 'RetryableError' || isTransientPgError(e) };
}

const port = parentPort;
if (port !== null) {
  port.on('message', (message: WorkerRequest) => {
    if (message.type === 'close') {
      void dropClient().then(() => port.close());
      return;
    }
    run(message.task).then(
      (output) => port.postMessage({ type: 'done', taskId: message.taskId, output } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ type: 'failed', taskId: message.taskId, failure: describe(error) } satisfies WorkerReply),
    );
  });
}
