/**
 * The replication connection: START_REPLICATION of a pgoutput slot through
 * pg-logical-replication's transport (flow control on: the socket pauses while a message is
 * handled, so a slow consumer bounds memory). Its automatic acknowledgement is OFF — it would
 * confirm whatever was received — and floe sends standby status itself with the flush LSN it
 * was given, never more. Messages are parsed by pgoutput-parser.ts (text values, exact).
 */
import { LogicalReplicationService } from 'pg-logical-replication';
import type pg from 'pg';
import type { PgConnectOptions } from '../../sources/postgres/connection.ts';
import { quoteIdent } from '../../sources/postgres/sql.ts';
import { REPLICATION_SESSION_OPTIONS } from './pg-text-codecs.ts';
import { formatLsn, parseLsn, parsePgoutput, type PgoutputMessage } from './pgoutput-parser.ts';

/** What the stream calls; `onMessage` is awaited before the next message is read. */
export interface StreamHandlers {
  /** One message; `walStart` is the LSN of the WAL record it came from. */
  onMessage(message: PgoutputMessage, walStart: bigint): Promise<void> | void;
  /** The stream failed or ended unexpectedly. */
  onError(error: Error): void;
}

/** What `startStream` needs. */
export interface StreamOptions {
  readonly connect: PgConnectOptions;
  readonly slot: string;
  readonly publication: string;
  /** Resume point: the server starts at max(this, the slot's confirmed flush LSN). */
  readonly startLsn: bigint;
}

/** A running stream. */
export interface ReplicationStream {
  /** Sends a standby status update confirming everything before `flushLsn + 1` (write = flush = apply). */
  confirm(flushLsn: bigint): void;
  /** Ends the connection. */
  close(): Promise<void>;
}

/** pgoutput "plugin" for the transport: our parser, and START_REPLICATION with protocol 1 and messages on. */
class FloePgoutput {
  readonly options: { publication: string };
  constructor(publication: string) {
    this.options = { publication };
  }
  get name(): string {
    return 'pgoutput';
  }
  parse(buffer: Buffer): PgoutputMessage {
    return parsePgoutput(buffer);
  }
  start(client: pg.Client, slotName: string, lastLsn: string): Promise<unknown> {
    const pub = `"${this.options.publication}"`; // a checked name (SLOT_NAME), safe inside the literal
    return client.query(`START_REPLICATION SLOT ${quoteIdent(slotName)} LOGICAL ${lastLsn} (proto_version '1', publication_names '${pub}', messages 'true')`);
  }
}

/** Starts streaming; resolves once START_REPLICATION was sent. */
export async function startStream(options: StreamOptions, handlers: StreamHandlers): Promise<ReplicationStream> {
  const { connect } = options;
  const service = new LogicalReplicationService(
    { ...connect, ssl: connect.ssl === false ? false : { ...connect.ssl }, options: REPLICATION_SESSION_OPTIONS },
    { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } },
  );
  let confirmed: bigint | null = null;
  let closing = false;
  service.on('data', async (lsn: string, message: PgoutputMessage) => {
    await handlers.onMessage(message, parseLsn(lsn));
  });
  service.on('heartbeat', async (_lsn: string, _ts: number, shouldRespond: boolean) => {
    if (shouldRespond && confirmed !== null) await service.acknowledge(formatLsn(confirmed));
  });
  service.on('error', (error: Error) => {
    if (!closing) handlers.onError(error);
  });
  const plugin = new FloePgoutput(options.publication);
  // subscribe() settles only when replication ends; errors arrive through onError
  void service
    .subscribe(plugin as never, options.slot, formatLsn(options.startLsn))
    .then(() => {
      if (!closing) handlers.onError(new Error(`postgres slot ${options.slot}: replication stream ended`));
    })
    .catch((error: unknown) => {
      if (!closing) handlers.onError(error instanceof Error ? error : new Error(String(error)));
    });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`postgres slot ${options.slot}: replication did not start within 30 s`)), 30_000);
    service.once('start', () => {
      clearTimeout(t);
      resolve();
    });
    service.once('error', (e: Error) => {
      clearTimeout(t);
      reject(e);
    });
  });
  return {
    confirm(flushLsn) {
      if (confirmed !== null && flushLsn < confirmed) return;
      confirmed = flushLsn;
      void service.acknowledge(formatLsn(flushLsn));
    },
    async close() {
      closing = true;
      await service.destroy().catch(() => undefined);
    },
  };
}
