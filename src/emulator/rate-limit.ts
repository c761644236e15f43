/**
 * Token bucket for `--rate-limit`: `rate` tokens per second, holding at most one second's worth, so a client
 * may burst up to `rate` requests and then sustain `rate` per second.
 */

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = Math.max(1, rate);
    this.last = this.now();
  }

  /** undefined when the request may go; otherwise the whole seconds to wait (Retry-After, at least 1). */
  take(): number | undefined {
    const now = this.now();
    const capacity = Math.max(1, this.rate);
    this.tokens = Math.min(capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
  }
}
