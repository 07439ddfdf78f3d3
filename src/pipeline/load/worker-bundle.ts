/**
 * The chunk worker's entry module. A checkout runs TypeScript through tsx, and each worker
 * thread that registers tsx starts its own loader-hooks thread and resolves, reads and
 * transforms every module again: ~0.86 s wall and ~0.45 CPU-s per worker here. Instead the
 * main thread bundles chunk-worker.ts once per process with esbuild (~80 ms; packages stay
 * external) into node_modules/.cache/floe/ (so the bundle resolves the same packages), and a
 * worker imports that one plain JS file in ~0.18 s. Nothing changes for users: no build step,
 * and when esbuild or the cache directory is unavailable, workers fall back to tsx.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const TSX_ENTRY = new URL('./chunk-worker-entry.mjs', import.meta.url);
const SOURCE = new URL('./chunk-worker.ts', import.meta.url);
const CACHE_DIR = new URL('../../../node_modules/.cache/floe/', import.meta.url);

/** Where a worker starts, and why it is not the bundle when it is not. */
export interface WorkerEntry {
  readonly url: URL;
  readonly bundled: boolean;
  readonly fallbackReason?: string;
}

let pending: Promise<WorkerEntry> | undefined;

/** The worker entry for this process (bundled once, memoized); never rejects: falls back to the tsx entry. */
export function chunkWorkerEntry(): Promise<WorkerEntry> {
  pending ??= bundle().catch((error: unknown) => ({ url: TSX_ENTRY, bundled: false, fallbackReason: (error as Error).message }));
  return pending;
}

async function bundle(): Promise<WorkerEntry> {
  if (!SOURCE.pathname.endsWith('.ts')) return { url: TSX_ENTRY, bundled: false, fallbackReason: 'not running from TypeScript sources' };
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(SOURCE)],
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
  const file = new URL(`chunk-worker-${hash}.mjs`, CACHE_DIR);
  if (!(await stat(file).then(() => true, () => false))) {
    await mkdir(CACHE_DIR, { recursive: true });
    const tmp = new URL(`chunk-worker-${hash}.${process.pid}.tmp`, CACHE_DIR);
    await writeFile(tmp, code);
    await rename(tmp, file); // atomic: concurrent runs write the same bytes
  }
  await pruneOlderBundles(file);
  return { url: file, bundled: true };
}

/** Deletes other bundles not touched for a day (each source change makes a new one); best effort. */
async function pruneOlderBundles(keep: URL): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of await readdir(CACHE_DIR).catch(() => [] as string[])) {
    const url = new URL(name, CACHE_DIR);
    if (!/^chunk-worker-.*\.(mjs|tmp)$/.test(name) || url.href === keep.href) continue;
    const s = await stat(url).catch(() => undefined);
    if (s !== undefined && s.mtimeMs < dayAgo) await rm(url, { force: true }).catch(() => undefined);
  }
}
