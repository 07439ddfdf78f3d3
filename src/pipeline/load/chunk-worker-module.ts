/** The chunk worker as a worker module (core/worker-bundle.ts): its source and its tsx entry. */
import { workerEntry, type WorkerEntry, type WorkerModule } from '../../core/worker-bundle.ts';

export const CHUNK_WORKER: WorkerModule = {
  source: new URL('./chunk-worker.ts', import.meta.url),
  tsxEntry: new URL('./chunk-worker-entry.mjs', import.meta.url),
};

/** The chunk worker's entry for this process (bundled once, memoized). */
export function chunkWorkerEntry(): Promise<WorkerEntry> {
  return workerEntry(CHUNK_WORKER);
}
