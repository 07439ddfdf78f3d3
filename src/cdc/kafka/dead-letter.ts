/**
 * Dead letters as JSON lines, one file per topic: `<dir>/<topic>.jsonl`. Each line holds the
 * raw record (key and value base64, null when Kafka's was null), where it came from, the reason
 * and the time. `flush` fsyncs, and the source flushes before handing out the batch whose
 * checkpoint passes the record, so a committed offset never outruns its dead letter (a crash
 * in between may write a line twice: dead letters are at least once).
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** One dead-lettered record. */
export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** Target table the topic maps to, or null when none does. */
  readonly table: string | null;
  readonly reason: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** The JSON line for `letter` (no trailing newline); `timeMs` is when floe rejected it. */
export function deadLetterLine(letter: DeadLetter, timeMs: number): string {
  return JSON.stringify({
    time: new Date(timeMs).toISOString(),
    topic: letter.topic,
    partition: letter.partition,
    offset: letter.offset.toString(),
    table: letter.table,
    reason: letter.reason,
    key: letter.key === null ? null : letter.key.toString('base64'),
    value: letter.value === null ? null : letter.value.toString('base64'),
  });
}

/** The file a topic's dead letters go to; the topic name is safe as a file name (Kafka allows [a-zA-Z0-9._-]). */
export function deadLetterPath(dir: string, topic: string): string {
  return join(dir, `${topic}.jsonl`);
}

/** Appends dead letters to per-topic files; `flush` makes them durable. */
export class DeadLetterFiles {
  readonly #dir: string;
  readonly #files = new Map<string, FileHandle>();
  readonly #dirty = new Set<string>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Appends one line (not yet fsynced). */
  async write(letter: DeadLetter, timeMs = Date.now()): Promise<void> {
    let file = this.#files.get(letter.topic);
    if (file === undefined) {
      await mkdir(this.#dir, { recursive: true });
      file = await open(deadLetterPath(this.#dir, letter.topic), 'a');
      this.#files.set(letter.topic, file);
    }
    await file.write(`${deadLetterLine(letter, timeMs)}\n`);
    this.#dirty.add(letter.topic);
  }

  /** fsyncs every file written since the last flush. */
  async flush(): Promise<void> {
    await Promise.all([...this.#dirty].map((t) => this.#files.get(t)!.datasync()));
    this.#dirty.clear();
  }

  /** Flushes and closes the files. */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all([...this.#files.values()].map((f) => f.close()));
    this.#files.clear();
  }
}
