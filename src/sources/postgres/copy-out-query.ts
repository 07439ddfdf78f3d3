/**
 * `COPY … TO STDOUT` on a node-pg client, read as large payload slices: a submittable query
 * (`client.query(new CopyOutQuery(sql, label))`) that takes the connection's socket while copy
 * mode lasts, frames it with CopyOutFramer (no Buffer per row, unlike pg-copy-streams, which
 * cost ~20% of a load worker's CPU in Buffer slicing and concatenation), and gives the socket
 * back to pg at CopyDone or an error. Iterate it (once) for the payload bytes; the iteration
 * ends after pg has seen the command's completion, so `rowCount` is PostgreSQL's own count.
 */
import type { Readable } from 'node:stream';
import { CopyOutFramer } from './copy-out-framer.ts';

/** What node-pg hands a submittable query: the protocol connection and its socket. */
interface PgConnection {
  readonly stream: Readable;
  query(text: string): void;
}

type DataHandler = (chunk: Buffer) => void;

/** One COPY OUT; iterate once. Breaking out early destroys the socket (a COPY cannot be stopped cleanly). */
export class CopyOutQuery implements AsyncIterable<Buffer> {
  /** Rows PostgreSQL reported in its command tag (`COPY n`), once iteration has ended. */
  rowCount: number | undefined;
  private readonly framer: CopyOutFramer;
  private connection: PgConnection | undefined;
  private pgDataHandler: DataHandler | undefined;
  private attached = false;
  private completed = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly onReadable = () => this.notify();
  private readonly onEnd = () => this.notify();

  /** `text` is the COPY statement; `label` names it in errors. */
  constructor(
    readonly text: string,
    label: string,
  ) {
    this.framer = new CopyOutFramer(label);
  }

  /** Called by node-pg when the query's turn comes: send it and take the socket. */
  submit(connection: PgConnection): void {
    this.connection = connection;
    const stream = connection.stream;
    const handlers = stream.listeners('data') as DataHandler[];
    if (handlers.length !== 1) throw new Error(`COPY OUT: expected node-pg's one data listener on the socket, found ${handlers.length}`);
    this.pgDataHandler = handlers[0]!;
    stream.removeListener('data', this.pgDataHandler);
    stream.pause();
    stream.on('readable', this.onReadable);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    this.attached = true;
    connection.query(this.text);
  }

  /** node-pg: the server reported an error (or the connection died). */
  handleError(error: Error): void {
    this.error ??= error;
    if (this.attached) this.detach(Buffer.alloc(0));
    this.notify();
  }

  /** node-pg: the command tag, e.g. `COPY 500000`. */
  handleCommandComplete(message: { text?: string }): void {
    const m = /^COPY (\d+)/.exec(message.text ?? '');
    if (m) this.rowCount = Number(m[1]);
  }

  /** node-pg: the query is over. */
  handleReadyForQuery(): void {
    this.completed = true;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    let finished = false;
    try {
      for (;;) {
        if (this.error !== undefined) throw this.error;
        if (this.attached) {
          const chunk = this.connection!.stream.read() as Buffer | null;
          if (chunk !== null) {
            const data = this.framer.push(chunk);
            if (this.framer.stopped) this.detach(this.framer.rest);
            if (data.length > 0) yield data;
            continue;
          }
          if (this.connection!.stream.readableEnded || this.connection!.stream.destroyed) throw new Error('COPY OUT: Connection terminated during the copy'); // transient: the chunk is retried
        } else if (this.completed) {
          finished = true;
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      if (!finished && this.error === undefined && !this.completed) this.connection?.stream.destroy(); // abandoned mid-copy
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Gives the socket back to node-pg, starting with `rest` (the bytes after copy data). */
  private detach(rest: Buffer): void {
    const stream = this.connection!.stream;
    this.attached = false;
    stream.removeListener('readable', this.onReadable);
    stream.removeListener('end', this.onEnd);
    stream.removeListener('close', this.onEnd);
    const handler = this.pgDataHandler!;
    stream.on('data', handler);
    if (rest.length > 0) handler(rest);
    // pg's handler may pause the socket on back-pressure; resume after it returns
    process.nextTick(() => stream.resume());
  }
}
