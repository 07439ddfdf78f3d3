/**
 * A circuit breaker per source: after `threshold` consecutive failures it opens and no new
 * chunk starts for `coolDownMs`; then one trial runs (half-open) — success closes it, failure
 * opens it again. Keeps a sick database from being hammered by every worker's retries.
 */

export interface BreakerOptions {
  readonly threshold: number; // consecutive failures that open the circuit
  readonly coolDownMs: number;
  readonly now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialRunning = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** closed: work flows; open: wait; half-open: one trial may run. */
  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.options.coolDownMs ? 'half-open' : 'open';
  }

  /** Ms until a new chunk may start (0 = now). Call `begin()` when actually starting it. */
  waitMs(): number {
    const state = this.state;
    if (state === 'closed') return 0;
    if (state === 'open') return this.options.coolDownMs - (this.now() - this.openedAt!);
    return this.trialRunning ? Math.max(1, Math.ceil(this.options.coolDownMs / 10)) : 0;
  }

  /** Marks a start; in half-open this is the one trial. */
  begin(): void {
    if (this.state === 'half-open') this.trialRunning = true;
  }

  /** A chunk read succeeded: the circuit closes. */
  success(): void {
    this.failures = 0;
    this.openedAt = null;
    this.trialRunning = false;
  }

  /** A chunk read failed (transiently or not, the source is unwell): may open the circuit. */
  failure(): void {
    this.failures += 1;
    const wasTrial = this.trialRunning;
    this.trialRunning = false;
    if (wasTrial || this.failures >= this.options.threshold) this.openedAt = this.now();
  }
}
