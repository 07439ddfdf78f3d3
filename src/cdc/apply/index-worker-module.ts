/** The key index thread as a worker module (core/worker-bundle.ts): its source and its tsx entry. */
import { workerEntry, type WorkerEntry, type WorkerModule } from '../../core/worker-bundle.ts';

export const INDEX_WORKER: WorkerModule = {
  source: new URL('./index-worker.ts', import.meta.url),
  tsxEntry: new URL('./index-worker-entry.mjs', import.meta.url),
};

/** The key index thread's entry for this process (bundled once, memoized). */
export function indexWorkerEntry(): Promise<WorkerEntry> {
  return workerEntry(INDEX_WORKER);
}
