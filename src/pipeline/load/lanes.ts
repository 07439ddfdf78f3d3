/** Bounded concurrency over a list: the load's "chunks in flight" limit. */

/** Runs `work` over `items` with `lanes` at a time; the first failure stops new items, running ones finish, then it rethrows. */
export async function runLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const queue = [...items];
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && !signal?.aborted && queue.length > 0) {
      const item = queue.shift()!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, queue.length)) }, lane));
  if (failure !== undefined) throw failure.error;
}
