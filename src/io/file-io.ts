/**
 * FileIO: the few file operations Iceberg needs, by URI. Implementations are chosen by scheme
 * (`file://` or a plain absolute path: local; `memory://`: in memory; `s3://` later).
 * Every write is atomic: a reader sees the whole file or no file, never a part.
 */
export interface FileIO {
  /** The whole file. Throws NotFoundError naming the path when it does not exist. */
  read(path: string): Promise<Uint8Array>;
  /** `length` bytes from byte `offset` (for Parquet footers and ranged reads). */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** File size in bytes. Throws NotFoundError naming the path. */
  length(path: string): Promise<number>;
  /** Writes the whole file atomically, replacing any file at that path. */
  write(path: string, data: Uint8Array): Promise<void>;
  /** Writes atomically only if no file exists there; throws AlreadyExistsError otherwise. */
  writeNew(path: string, data: Uint8Array): Promise<void>;
  /** A streaming writer; nothing is visible at `path` until `close()` resolves. */
  openOutput(path: string): Promise<OutputFile>;
  exists(path: string): Promise<boolean>;
  /** Deletes a file; deleting a missing file is not an error. */
  delete(path: string): Promise<void>;
  /** The local filesystem path of `path` when this IO is local (engines that write files directly use it), else undefined. */
  localPath(path: string): string | undefined;
}

export interface OutputFile {
  /** Appends bytes; resolves when the chunk is handed to the OS (backpressure). */
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes written so far. */
  readonly position: number;
  /** Flushes and publishes the file atomically; returns its length in bytes. */
  close(): Promise<number>;
  /** Discards the partial file; the path stays as it was. */
  abort(): Promise<void>;
}
