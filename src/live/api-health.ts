/**
 * Fail fast (docs/services.md, "Timeouts and connections"): one API's health, shared by every request sent to
 * it. Attempts that end in a connection error, a timeout or a 502/503/504 count, in a row; any other answer
 * resets the count. At five in a row — or when requests are waiting and nothing at all has answered for twice the
 * timeout (a server that accepts and never answers, or trickles) — the API is declared unreachable: the requests
 * in flight are aborted and nothing more is sent to it. A dead target then ends a run within about two timeouts,
 * instead of every remaining change trying (and retrying) on its own.
 */

export const FAILURES_IN_A_ROW = 5;

/** Why the API was given up, for messages: "stopped answering (<last error>)". */
export class Unreachable {
  constructor(readonly reason: string) {}
}

export interface ApiHealthOptions {
  /** The inactivity timeout of one request. */
  timeoutMs: number;
  now?: () => number;
}

export interface Attempt {
  /** Aborted when the API is declared unreachable (or the run interrupted). */
  readonly signal: AbortSignal;
  /** An answer arrived (any status but 502/503/504): the API is alive. */
  answered(): void;
  /** A connection error, a timeout or 502/503/504: one more in a row. `what` names it for the message. */
  failed(what: string): void;
}

export class ApiHealth {
  private inARow = 0;
  private ended = 0;
  private lastAnswerAt: number;
  private stoppedBy: Unreachable | undefined;
  private readonly inflight = new Map<AbortController, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: ApiHealthOptions) {
    this.timeoutMs = options.timeoutMs;
    this.now = options.now ?? Date.now;
    this.lastAnswerAt = this.now();
  }

  /** Set once the API is given up. */
  get unreachable(): Unreachable | undefined {
    return this.stoppedBy;
  }

  /** Attempts ended so far, requests in flight now, and how long the oldest has waited (for progress lines). */
  activity(): { ended: number; waiting: number; longestMs: number } {
    return { ended: this.ended, waiting: this.inflight.size, longestMs: this.inflight.size === 0 ? 0 : this.now() - this.oldestStart() };
  }

  begin(): Attempt {
    const controller = new AbortController();
    if (this.stoppedBy) controller.abort(this.stoppedBy);
    this.inflight.set(controller, this.now());
    this.watch();
    const end = (): void => {
      this.ended++;
      this.inflight.delete(controller);
      if (this.inflight.size === 0) this.unwatch();
    };
    return {
      signal: controller.signal,
      answered: () => {
        end();
        this.inARow = 0;
        this.lastAnswerAt = this.now();
      },
      failed: (what) => {
        end();
        if (this.stoppedBy) return;
        if (++this.inARow >= FAILURES_IN_A_ROW) this.stop(`${this.inARow} attempts in a row failed; the last: ${what}`);
      },
    };
  }

  /** Gives the API up now: every request in flight is aborted (and no longer waited for), and nothing more is sent. */
  stop(reason: string): void {
    if (this.stoppedBy) return;
    this.stoppedBy = new Unreachable(reason);
    for (const controller of this.inflight.keys()) controller.abort(this.stoppedBy);
    this.inflight.clear();
    this.unwatch();
  }

  /** When the request in flight longest started (Infinity when none is). */
  private oldestStart(): number {
    let oldest = Infinity;
    for (const at of this.inflight.values()) oldest = Math.min(oldest, at);
    return oldest;
  }

  /** Checks, while requests wait, that something answered within twice the timeout. */
  private watch(): void {
    if (this.timer) return;
    const every = Math.max(50, Math.min(1_000, Math.floor(this.timeoutMs / 4)));
    this.timer = setInterval(() => {
      if (this.inflight.size === 0) return;
      const silentFor = this.now() - Math.max(this.lastAnswerAt, this.oldestStart());
      if (silentFor >= 2 * this.timeoutMs) this.stop(`no answer at all for ${Math.round(silentFor / 1000)} s (twice the ${Math.round(this.timeoutMs / 1000)} s timeout)`);
    }, every);
    this.timer.unref();
  }

  private unwatch(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
