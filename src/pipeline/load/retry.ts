/**
 * Retrying transient failures: exponential backoff with full jitter (a delay drawn uniformly
 * from [0, min(max, base·2^(attempt−1))]), so many workers failing together spread out.
 */

export interface BackoffPolicy {
  readonly maxAttempts: number; // total tries, the first included
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Chunk reads: 5 tries over about half a minute at most. */
export const CHUNK_RETRY: BackoffPolicy = { maxAttempts: 5, baseMs: 500, maxMs: 15_000 };

/** Delay in ms before retry number `attempt` (1 = after the first failure). */
export function fullJitterDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

export interface RetryHooks {
  /** Whether a failure is worth another try. */
  readonly isTransient: (error: unknown) => boolean;
  /** Called before each wait; `willRetry` false on the final failure. */
  readonly onFailure?: (error: unknown, attempt: number, willRetry: boolean, delayMs: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn(attempt)` until it succeeds, fails permanently, or runs out of attempts (then rethrows the last error). */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: BackoffPolicy, hooks: RetryHooks): Promise<T> {
  const sleep = hooks.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const willRetry = attempt < policy.maxAttempts && hooks.isTransient(error);
      const delayMs = willRetry ? fullJitterDelayMs(attempt, policy, hooks.random) : 0;
      hooks.onFailure?.(error, attempt, willRetry, delayMs);
      if (!willRetry) throw error;
      await sleep(delayMs);
    }
  }
}
