/**
 * Worker thread entry modules. A checkout runs TypeScript through tsx, and each worker thread
 * that registers tsx starts its own loader-hooks thread and resolves, reads and transforms
 * every module again: ~0.86 s wall and ~0.45 CPU-s per worker here. Instead the main thread
 * bundles a worker's TypeScript module once per process with esbuild (~80 ms; packages stay
 * external) into node_modules/.cache/floe/ (so the bundle resolves the same packages), and a
 * worker imports that one plain JS file in ~0.18 s. Nothing changes for users: no build step,
 * and when esbuild or the cache directory is unavailable, workers fall back to their tsx entry
 * (a small .mjs that registers tsx and imports the TypeScript module).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE_DIR = new URL('../../node_modules/.cache/floe/', import.meta.url);

/** Where a worker starts, and why it is not the bundle when it is not. */
export interface WorkerEntry {
  readonly url: URL;
  readonly bundled: boolean;
  readonly fallbackReason?: string;
}

/** A worker module: its TypeScript source and the tsx entry that runs it unbundled. */
export interface WorkerModule {
  readonly source: URL;
  readonly tsxEntry: URL;
}

const pending = new Map<string, Promise<WorkerEntry>>();

/** The entry for `module` in this process (bundled once, memoized); never rejects: falls back to the tsx entry. */
export function workerEntry(module: WorkerModule): Promise<WorkerEntry> {
  let entry = pending.get(module.source.href);
  if (entry === undefined) {
    entry = bundle(module).catch((error: unknown) => ({ url: module.tsxEntry, bundled: false, fallbackReason: (error as Error).message }));
    pending.set(module.source.href, entry);
  }
  return entry;
}

/** The bundle file name stem of a worker source: `chunk-worker.ts` → `chunk-worker`. */
function stem(source: URL): string {
  return basename(source.pathname).replace(/\.[cm]?[jt]s$/, '');
}

async function bundle(module: WorkerModule): Promise<WorkerEntry> {
  if (!module.source.pathname.endsWith('.ts')) return { url: module.tsxEntry, bundled: false, fallbackReason: 'not running from TypeScript sources' };
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(module.source)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const name = stem(module.source);
  const file = new URL(`${name}-${hash}.mjs`, CACHE_DIR);
  if (!(await stat(file).then(() => true, () => false))) {
    await mkdir(CACHE_DIR, { recursive: true });
    const tmp = new URL(`${name}-${hash}.${process.pid}.tmp`, CACHE_DIR);
    await writeFile(tmp, code);
    await rename(tmp, file); // atomic: concurrent runs write the same bytes
  }
  await pruneOlderBundles(name, file);
  return { url: file, bundled: true };
}

/** Deletes other bundles of `name` not touched for a day (each source change makes a new one); best effort. */
async function pruneOlderBundles(name: string, keep: URL): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600_000;
  const pattern = new RegExp(`^${name.replace(/[^\w]/g, '\\$&')}-[0-9a-f]{16}(\\.\\d+)?\\.(mjs|tmp)$`);
  for (const file of await readdir(CACHE_DIR).catch(() => [] as string[])) {
    const url = new URL(file, CACHE_DIR);
    if (!pattern.test(file) || url.href === keep.href) continue;
    const s = await stat(url).catch(() => undefined);
    if (s !== undefined && s.mtimeMs < dayAgo) await rm(url, { force: true }).catch(() => undefined);
  }
}
