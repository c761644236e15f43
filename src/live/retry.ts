/**
 * The one retry loop of the project: exponential backoff with full jitter, `Retry-After` honoured, attempts
 * bounded. What is retried is the caller's decision (`isRetryableRead` for idempotent calls,
 * `isRetryableWrite` for writes, whose outcome must be known to be "not-applied").
 */
import { HttpError } from "./http-error.js";

export interface RetryPolicy {
  /** Attempts in all (the first included) for failures other than 429. */
  maxAttempts: number;
  /** Attempts in all while the server keeps answering 429; higher, since a rate limit is expected to lift. */
  maxRateLimitedAttempts: number;
  /** Backoff before the n-th retry is uniform in [0, min(maxDelayMs, baseDelayMs × 2^(n-1))]. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this ends the retries: better a clear error than a run that seems to hang. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  maxRateLimitedAttempts: 20,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/** Statuses worth another try when the call is idempotent: timeouts, rate limits and transient server faults. */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** GET and DELETE: retried on 429, transient 5xx and any network error. */
export function isRetryableRead(error: unknown): boolean {
  if (!(error instanceof HttpError)) return false;
  if (error.kind === "network") return true;
  return error.kind === "status" && error.status !== null && TRANSIENT_STATUSES.has(error.status);
}

/**
 * POST, PUT, PATCH: retried only when the server certainly did not act (429, 408, or a connection that failed
 * before the request was sent). A 409 or 422 is not-applied too, but sending it again changes nothing.
 */
export function isRetryableWrite(error: unknown): boolean {
  if (!(error instanceof HttpError) || error.outcome !== "not-applied") return false;
  if (error.kind === "network") return true;
  return error.kind === "status" && (error.status === 429 || error.status === 408);
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3). Undefined when absent
 * or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, nowMs: number): number | undefined {
  const raw = typeof value === "string" ? value : value?.[0];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP dates always name a day or month; without a letter, Date.parse would read "1.5" or "-1" as a date.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Full jitter (uniform in [0, ceiling]) so that clients that failed together do not retry together. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The wait before retry number `retry` (1-based). A server's `Retry-After` is a floor, not a suggestion; a
 * little jitter on top spreads the clients it released at the same instant.
 */
export function retryDelay(error: unknown, retry: number, policy: RetryPolicy, random: () => number): number {
  const retryAfter = error instanceof HttpError ? error.retryAfterMs : undefined;
  if (retryAfter !== undefined) return retryAfter + Math.floor(random() * policy.baseDelayMs);
  return backoffDelay(retry, policy, random);
}

export interface RetryOptions {
  policy?: RetryPolicy;
  shouldRetry: (error: unknown) => boolean;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Told before each wait; for progress and tests, never for printing keys (errors are already redacted). */
  onRetry?: (info: { error: unknown; retry: number; delayMs: number }) => void;
}

/**
 * Calls `attempt` until it succeeds, a failure is not retryable, or the attempts run out (last error thrown). An
 * API given up (an `HttpError` with `unreachable` set) is never retried, whatever `shouldRetry` says.
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  let failures = 0;
  let rateLimited = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (error instanceof HttpError && error.unreachable !== undefined) throw error;
      if (!options.shouldRetry(error)) throw error;
      const is429 = error instanceof HttpError && error.status === 429;
      if (is429) rateLimited++;
      else failures++;
      // Each budget counts its own first try, so a call gets maxAttempts tries for faults however many 429s it saw.
      if (is429 ? rateLimited >= policy.maxRateLimitedAttempts : failures >= policy.maxAttempts) throw error;
      const retryAfter = error instanceof HttpError ? error.retryAfterMs : undefined;
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
        throw (error as HttpError).withNote(`the service asked to wait ${Math.ceil(retryAfter / 1000)} s (Retry-After), longer than the ${Math.round(policy.maxRetryAfterMs / 1000)} s accessctl waits; try again later`);
      }
      const delayMs = retryDelay(error, is429 ? rateLimited : failures, policy, options.random);
      options.onRetry?.({ error, retry: n, delayMs });
      await options.sleep(delayMs);
    }
  }
}
