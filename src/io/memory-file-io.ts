/**
 * FileIO held in memory, for tests and the memory catalog. Paths are plain keys (usually
 * `memory://...`). Data is copied in and out so callers cannot change a stored file.
 */
import { AlreadyExistsError, CorruptFileError, NotFoundError } from '../core/errors.ts';
import type { FileIO, OutputFile } from './file-io.ts';

/** An in-memory FileIO; every method is atomic because the store changes synchronously. */
export class MemoryFileIO implements FileIO {
  private readonly files = new Map<string, Uint8Array>();

  private get(path: string): Uint8Array {
    const f = this.files.get(path);
    if (f === undefined) throw new NotFoundError(`file ${path} does not exist`);
    return f;
  }

  /** A copy of the whole file; NotFoundError when missing. */
  async read(path: string): Promise<Uint8Array> {
    return this.get(path).slice();
  }

  /** Exactly `length` bytes from `offset`; past the end → CorruptFileError. */
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const f = this.get(path);
    if (offset < 0 || length < 0 || offset + length > f.length) {
      throw new CorruptFileError(`file ${path}: range ${offset}+${length} is past its end (${f.length} bytes)`);
    }
    return f.slice(offset, offset + length);
  }

  /** Size in bytes; NotFoundError when missing. */
  async length(path: string): Promise<number> {
    return this.get(path).length;
  }

  /** Stores a copy, replacing any file. */
  async write(path: string, data: Uint8Array): Promise<void> {
    this.files.set(path, data.slice());
  }

  /** Stores a copy unless the path exists (AlreadyExistsError). */
  async writeNew(path: string, data: Uint8Array): Promise<void> {
    if (this.files.has(path)) throw new AlreadyExistsError(`file ${path} already exists`);
    this.files.set(path, data.slice());
  }

  /** Buffers chunks; the file appears only on close(). */
  async openOutput(path: string): Promise<OutputFile> {
    const chunks: Uint8Array[] = [];
    let position = 0;
    let done = false;
    const publish = (): number => {
      const out = new Uint8Array(position);
      let off = 0;
      for (const c of chunks) {
        out.set(c, off);
        off += c.length;
      }
      this.files.set(path, out);
      return position;
    };
    return {
      get position() {
        return position;
      },
      async write(chunk: Uint8Array): Promise<void> {
        if (done) throw new Error(`output ${path}: write after close or abort`);
        chunks.push(chunk.slice());
        position += chunk.length;
      },
      async close(): Promise<number> {
        if (done) throw new Error(`output ${path}: already closed or aborted`);
        done = true;
        return publish();
      },
      async abort(): Promise<void> {
        done = true;
      },
    };
  }

  /** True when a file is stored at the path. */
  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }

  /** Removes the file; a missing file is not an error. */
  async delete(path: string): Promise<void> {
    this.files.delete(path);
  }

  /** Always undefined: memory files have no local path. */
  localPath(_path: string): string | undefined {
    return undefined;
  }

  /** Paths stored under `prefix`, sorted (for tests and cleanup checks). */
  list(prefix = ''): string[] {
    return [...this.files.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}
