import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetryableError } from '../../core/errors.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { runLanes } from './lanes.ts';
import { fullJitterDelayMs, withRetry } from './retry.ts';

const policy = { maxAttempts: 4, baseMs: 100, maxMs: 1000 };

describe('retry with full jitter', () => {
  it('draws delays from [0, min(max, base·2^(n−1))]', () => {
    assert.equal(fullJitterDelayMs(1, policy, () => 0.999999), 99);
    assert.equal(fullJitterDelayMs(3, policy, () => 0.5), 200);
    assert.equal(fullJitterDelayMs(10, policy, () => 0.999999), 999, 'capped');
    assert.equal(fullJitterDelayMs(2, policy, () => 0), 0);
  });

  it('retries transient failures, then succeeds', async () => {
    const sleeps: number[] = [];
    const seen: [number, boolean][] = [];
    const out = await withRetry(
      async (attempt) => {
        if (attempt < 3) throw new RetryableError(`reset ${attempt}`);
        return 'ok';
      },
      policy,
      { isTransient: (e) => e instanceof RetryableError, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, onFailure: (_e, a, w) => void seen.push([a, w]) },
    );
    assert.equal(out, 'ok');
    assert.deepEqual(sleeps, [50, 100]);
    assert.deepEqual(seen, [[1, true], [2, true]]);
  });

  it('gives up at once on a permanent failure and after maxAttempts on transient ones', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => { calls++; throw new Error('syntax'); }, policy, { isTransient: () => false, sleep: async () => {} }), /syntax/);
    assert.equal(calls, 1);
    calls = 0;
    const final: boolean[] = [];
    await assert.rejects(
      withRetry(async () => { calls++; throw new RetryableError('down'); }, policy, { isTransient: () => true, sleep: async () => {}, onFailure: (_e, _a, w) => void final.push(w) }),
      /down/,
    );
    assert.equal(calls, 4);
    assert.deepEqual(final, [true, true, true, false]);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, cools down, lets one trial through', () => {
    let now = 0;
    const b = new CircuitBreaker({ threshold: 3, coolDownMs: 1000, now: () => now });
    b.failure();
    b.failure();
    assert.equal(b.state, 'closed');
    b.success(); // resets the count
    b.failure();
    b.failure();
    assert.equal(b.waitMs(), 0);
    b.failure();
    assert.equal(b.state, 'open');
    assert.equal(b.waitMs(), 1000);
    now = 400;
    assert.equal(b.waitMs(), 600);
    now = 1000;
    assert.equal(b.state, 'half-open');
    assert.equal(b.waitMs(), 0);
    b.begin();
    assert.ok(b.waitMs() > 0, 'only one trial at a time');
    b.failure();
    assert.equal(b.state, 'open', 'a failed trial opens it again');
    now = 2000;
    b.begin();
    b.success();
    assert.equal(b.state, 'closed');
    assert.equal(b.waitMs(), 0);
  });
});

describe('runLanes', () => {
  it('runs at most N at once and everything when all succeed', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runLanes([1, 2, 3, 4, 5], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      done.push(n);
      running--;
    });
    assert.equal(peak, 2);
    assert.deepEqual(done.sort(), [1, 2, 3, 4, 5]);
  });

  it('stops taking items after a failure, lets running ones finish, rethrows', async () => {
    const started: number[] = [];
    await assert.rejects(
      runLanes([1, 2, 3, 4, 5], 2, async (n) => {
        started.push(n);
        await new Promise((r) => setTimeout(r, n === 1 ? 1 : 20));
        if (n === 1) throw new Error('chunk 1 failed');
      }),
      /chunk 1 failed/,
    );
    assert.deepEqual(started, [1, 2]);
  });

  it('stops taking items when aborted', async () => {
    const ac = new AbortController();
    const started: number[] = [];
    await runLanes([1, 2, 3], 1, async (n) => {
      started.push(n);
      ac.abort();
    }, ac.signal);
    assert.deepEqual(started, [1]);
  });
});
