/**
 * Chooses a FileIO by URI scheme: `file:` and absolute paths → local, `memory:` → one shared
 * in-memory store per process. Other schemes (s3) register a factory here when they exist.
 */
import { ConfigError } from '../core/errors.ts';
import type { FileIO } from './file-io.ts';
import { LocalFileIO } from './local-file-io.ts';
import { MemoryFileIO } from './memory-file-io.ts';

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

const local = new LocalFileIO();
const memory = new MemoryFileIO();
const factories = new Map<string, () => FileIO>([
  ['file', () => local],
  ['memory', () => memory],
]);

/** The URI's scheme in lower case (`s3`, `file`), or undefined for a plain path. */
export function schemeOf(uri: string): string | undefined {
  // A Windows drive letter (C:\) is a path, not a scheme.
  if (/^[a-zA-Z]:[\\/]/.test(uri)) return undefined;
  return SCHEME.exec(uri)?.[1]?.toLowerCase();
}

/** The FileIO for `uri`. Unknown scheme → ConfigError naming it; a relative path → ConfigError. */
export function fileIOFor(uri: string): FileIO {
  const scheme = schemeOf(uri);
  if (scheme === undefined) {
    if (uri.startsWith('/')) return local;
    throw new ConfigError(`file io: "${uri}" has no scheme and is not an absolute path`);
  }
  const make = factories.get(scheme);
  if (!make) {
    throw new ConfigError(`file io: no FileIO for scheme "${scheme}" (in "${uri}"); known: ${[...factories.keys()].join(', ')}`);
  }
  return make();
}

/** Registers (or replaces) the factory for a scheme, e.g. `s3`; the factory may return a shared instance. */
export function registerFileIO(scheme: string, factory: () => FileIO): void {
  factories.set(scheme.toLowerCase(), factory);
}

/** The process-wide in-memory FileIO that `memory://` URIs use. */
export function sharedMemoryFileIO(): MemoryFileIO {
  return memory;
}
