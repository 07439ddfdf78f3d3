/**
 * FileIO on the local filesystem, for `file://` URIs (`file:///a/b`, Hadoop-style `file:/a/b`)
 * and absolute paths. Writes go to a temp file in the target directory, are fsynced, then
 * published with rename (replace) or link (no-replace), so readers never see a partial file.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { link, mkdir, open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute } from 'node:path';
import { AlreadyExistsError, ConfigError, CorruptFileError, NotFoundError } from '../core/errors.ts';
import type { FileIO, OutputFile } from './file-io.ts';

/**
 * The filesystem path of a `file:` URI or absolute path; anything else → ConfigError naming it.
 * The path is taken literally, never percent-decoded: Iceberg locations hold url-encoded
 * partition values (`region=%C3%A4`) that Java (Hadoop) and pyiceberg (pyarrow) both keep as
 * literal file names, so decoding would put files where other readers do not look.
 */
export function toLocalPath(uri: string): string {
  if (uri.startsWith('file://')) {
    const path = uri.slice('file://'.length);
    if (!path.startsWith('/')) throw new ConfigError(`local file io: "${uri}" names a host; only file:///absolute/path is supported`);
    return path;
  }
  if (uri.startsWith('file:/')) return uri.slice('file:'.length);
  if (isAbsolute(uri)) return uri;
  throw new ConfigError(`local file io: "${uri}" is neither a file:// URI nor an absolute path`);
}

function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

function notFound(uri: string, err: unknown): unknown {
  return isCode(err, 'ENOENT') ? new NotFoundError(`file ${uri} does not exist`, { cause: err }) : err;
}

function tempPathFor(path: string): string {
  return `${dirname(path)}/.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`;
}

async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, fsc.O_RDONLY);
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Writes `data` to a fresh temp file beside `path`, fsynced; returns the temp path. */
async function writeTemp(path: string, data: Uint8Array): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const h = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
  try {
    await h.writeFile(data);
    await h.sync();
  } catch (err) {
    await h.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await h.close();
  return tmp;
}

/** FileIO for local paths. Stateless; one instance can serve every table. */
export class LocalFileIO implements FileIO {
  /** Whole file; NotFoundError naming the URI when missing. */
  async read(uri: string): Promise<Uint8Array> {
    try {
      const buf = await readFile(toLocalPath(uri));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      throw notFound(uri, err);
    }
  }

  /** Exactly `length` bytes from `offset`; a range past the end → CorruptFileError naming file, range and size. */
  async readRange(uri: string, offset: number, length: number): Promise<Uint8Array> {
    let h: FileHandle;
    try {
      h = await open(toLocalPath(uri), fsc.O_RDONLY);
    } catch (err) {
      throw notFound(uri, err);
    }
    try {
      const out = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await h.read(out, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got < length) {
        const size = (await h.stat()).size;
        throw new CorruptFileError(`file ${uri}: range ${offset}+${length} is past its end (${size} bytes)`);
      }
      return out;
    } finally {
      await h.close();
    }
  }

  /** Size in bytes; NotFoundError when missing. */
  async length(uri: string): Promise<number> {
    try {
      return (await stat(toLocalPath(uri))).size;
    } catch (err) {
      throw notFound(uri, err);
    }
  }

  /** Atomic replace: temp + fsync + rename + directory fsync. Creates parent directories. */
  async write(uri: string, data: Uint8Array): Promise<void> {
    const path = toLocalPath(uri);
    const tmp = await writeTemp(path, data);
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await fsyncDir(dirname(path));
  }

  /** Atomic create-only: the fsynced temp file is hard-linked to `path`; link() fails with EEXIST when it exists, so of two racing writers exactly one wins. */
  async writeNew(uri: string, data: Uint8Array): Promise<void> {
    const path = toLocalPath(uri);
    const tmp = await writeTemp(path, data);
    try {
      await link(tmp, path);
    } catch (err) {
      if (isCode(err, 'EEXIST')) throw new AlreadyExistsError(`file ${uri} already exists`, { cause: err });
      throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    await fsyncDir(dirname(path));
  }

  /** Streams into a temp file beside `path`; close() fsyncs and renames it into place. */
  async openOutput(uri: string): Promise<OutputFile> {
    const path = toLocalPath(uri);
    await mkdir(dirname(path), { recursive: true });
    const tmp = tempPathFor(path);
    const h = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
    return new LocalOutputFile(h, tmp, path, uri);
  }

  /** True when a file (or directory) exists at the path. */
  async exists(uri: string): Promise<boolean> {
    try {
      await stat(toLocalPath(uri));
      return true;
    } catch (err) {
      if (isCode(err, 'ENOENT')) return false;
      throw err;
    }
  }

  /** Removes the file; a missing file is not an error. */
  async delete(uri: string): Promise<void> {
    try {
      await unlink(toLocalPath(uri));
    } catch (err) {
      if (!isCode(err, 'ENOENT')) throw err;
    }
  }

  /** The filesystem path for `file:` URIs and absolute paths, else undefined. */
  localPath(uri: string): string | undefined {
    try {
      return toLocalPath(uri);
    } catch {
      return undefined;
    }
  }
}

class LocalOutputFile implements OutputFile {
  position = 0;
  private done = false;

  constructor(
    private readonly h: FileHandle,
    private readonly tmp: string,
    private readonly path: string,
    private readonly uri: string,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.done) throw new Error(`output ${this.uri}: write after close or abort`);
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.h.write(chunk, off, chunk.length - off, this.position + off);
      off += bytesWritten;
    }
    this.position += chunk.length;
  }

  async close(): Promise<number> {
    if (this.done) throw new Error(`output ${this.uri}: already closed or aborted`);
    this.done = true;
    try {
      await this.h.sync();
      await this.h.close();
      await rename(this.tmp, this.path);
    } catch (err) {
      await this.h.close().catch(() => undefined);
      await unlink(this.tmp).catch(() => undefined);
      throw err;
    }
    await fsyncDir(dirname(this.path));
    return this.position;
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.h.close().catch(() => undefined);
    await unlink(this.tmp).catch(() => undefined);
  }
}
