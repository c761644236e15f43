/**
 * A concurrency limiter per API that adapts to the server (AIMD, as TCP does): the limit halves when the server
 * answers 429 and grows back by about one per window of successes, up to the configured maximum. A 429 with
 * `Retry-After` also pauses new starts until then, so that the other requests do not spend the server's budget
 * on answers that are bound to be 429 too.
 */

export const DEFAULT_CONCURRENCY = 8;

export interface LimiterOptions {
  /**
   * Most requests in flight (default 8, docs/services.md#concurrency-and-rate-limits); also the level the limit
   * grows back to.
   */
  max?: number;
  /** Least requests in flight while backing off (default 1). */
  min?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A held place. `epoch` lets one burst of 429s (requests started under the same limit) halve the limit once. */
export interface Slot {
  readonly epoch: number;
  release(): void;
}

export class AdaptiveLimiter {
  readonly max: number;
  readonly min: number;
  private window: number;
  private epoch = 0;
  private running = 0;
  private pausedUntil = 0;
  private timerArmed = false;
  private readonly queue: Array<(slot: Slot) => void> = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: LimiterOptions = {}) {
    const max = options.max ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${max}`);
    this.max = max;
    this.min = Math.min(max, Math.max(1, options.min ?? 1));
    this.window = max;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Requests allowed in flight now. */
  get limit(): number {
    return Math.floor(this.window);
  }

  get inFlight(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Waits for a place (first come, first served). */
  acquire(): Promise<Slot> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.drain();
    });
  }

  async run<T>(fn: (slot: Slot) => Promise<T>): Promise<T> {
    const slot = await this.acquire();
    try {
      return await fn(slot);
    } finally {
      slot.release();
    }
  }

  /** Multiplicative decrease, once per epoch: the 429s of requests started before the last decrease do not count again. */
  rateLimited(slot: Slot, retryAfterMs?: number): void {
    if (slot.epoch === this.epoch) {
      this.window = Math.max(this.min, Math.floor(this.window / 2));
      this.epoch++;
    }
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + retryAfterMs);
    }
  }

  /** Additive increase: about +1 after `limit` successes. */
  succeeded(): void {
    if (this.window >= this.max) return;
    this.window = Math.min(this.max, this.window + 1 / this.limit);
    this.drain();
  }

  private drain(): void {
    if (this.queue.length === 0) return;
    const pause = this.pausedUntil - this.now();
    if (pause > 0) {
      if (!this.timerArmed) {
        this.timerArmed = true;
        // setImmediate: should an injected sleep return before `now` has moved, this yields to I/O instead of
        // spinning on microtasks.
        void this.sleep(pause).then(() =>
          setImmediate(() => {
            this.timerArmed = false;
            this.drain();
          }),
        );
      }
      return;
    }
    while (this.running < this.limit) {
      const next = this.queue.shift();
      if (next === undefined) return;
      this.running++;
      next(this.slot());
    }
  }

  private slot(): Slot {
    let released = false;
    return {
      epoch: this.epoch,
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        this.drain();
      },
    };
  }
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
