/**
 * How apply settles a write whose outcome is unknown (never a duplicate: docs/services.md, "Writes whose outcome
 * is unknown").
 * The HTTP client already retries what the server certainly did not act on (429, a connection refused); what
 * reaches this module is a write that may or may not have happened (a 5xx, a reset after sending, a timeout):
 * - updates (PUT / PATCH) are idempotent: sent again;
 * - deletes: sent again, and a 404 counts as done;
 * - creates are never blindly repeated: list again, adopt the object if it is there, otherwise create again.
 * Attempts are bounded; a write that cannot be settled fails with a message that says so.
 */
import { HttpError, isNotFound } from "../live/http-error.js";
import { backoffDelay, withRetry, type RetryPolicy } from "../live/retry.js";
import { OutcomeUnknownError } from "./change-outcome.js";

export interface SettleOptions {
  /** Attempts in all (`maxAttempts`) and backoff for the settle loops; on top of the HTTP client's own retries. */
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** A write that may have happened: a 5xx, a reset after sending, an unreadable 2xx. */
export function isUnknownOutcome(error: unknown): boolean {
  return error instanceof HttpError && error.outcome === "unknown";
}

/**
 * Worth sending an idempotent write again: its outcome is unknown, or it is a transient refusal. A 429 is not:
 * the HTTP client has already spent its rate-limit budget on it.
 */
function isTransient(error: unknown): boolean {
  if (!(error instanceof HttpError) || error.status === 429) return false;
  if (error.outcome === "unknown") return true;
  return error.kind === "network" || error.status === 408 || (error.status !== null && error.status >= 500);
}

/** PUT / PATCH: sending the same body again is harmless, so an unknown outcome is simply retried. */
export function settleIdempotent<T>(write: () => Promise<T>, options: SettleOptions): Promise<T> {
  return withRetry(() => write(), { ...options, shouldRetry: isTransient }).catch((error: unknown) => {
    throw unsettled(error, options.policy.maxAttempts);
  });
}

/**
 * DELETE: retried like an update; a 404 — at once or after a lost answer — means the object is gone: done. A
 * `remove` that confirms the 404 itself (the Cedar adapter reads the object back) answers "already-gone".
 */
export async function settleDelete(remove: () => Promise<"deleted" | "already-gone" | void>, options: SettleOptions): Promise<{ alreadyGone: boolean }> {
  try {
    const answer = await withRetry(() => remove(), { ...options, shouldRetry: (e) => !isNotFound(e) && isTransient(e) });
    return { alreadyGone: answer === "already-gone" };
  } catch (error) {
    if (isNotFound(error)) return { alreadyGone: true };
    throw unsettled(error, options.policy.maxAttempts);
  }
}

export interface CreateOrAdopt<T> {
  create(): Promise<T>;
  /**
   * Lists again and returns the live objects that this create may have made (same name; for a rule, same meaning
   * and not claimed by another desired rule). Called only after an unknown outcome.
   */
  find(): Promise<T[]>;
  /** Describes a live object for an error message (its id). */
  describe(found: T): string;
}

export interface Created<T> {
  value: T;
  adopted: boolean;
}

/**
 * Creates, and after an unknown outcome lists again: one match is adopted; none → create again (after a
 * backoff); two or more → fail, naming them (never guess). A 409 right after an unknown outcome means the lost
 * create did happen: it is looked up the same way.
 */
export async function createOrAdopt<T>(ops: CreateOrAdopt<T>, options: SettleOptions): Promise<Created<T>> {
  const { maxAttempts } = options.policy;
  let sawUnknown = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await ops.create(), adopted: false };
    } catch (error) {
      const conflictAfterUnknown = sawUnknown && error instanceof HttpError && error.status === 409;
      if (!isUnknownOutcome(error) && !conflictAfterUnknown) throw error;
      sawUnknown = true;
      let found: T[];
      try {
        found = await ops.find();
      } catch (listError) {
        throw new OutcomeUnknownError(`${errorText(error)} — listing again to settle the outcome failed: ${errorText(listError)}; run plan to see the live state, then apply again`);
      }
      if (found.length === 1) return { value: found[0]!, adopted: true };
      if (found.length > 1) {
        throw new Error(`${errorText(error)} — listed again and found ${found.length} matching objects (${found.map(ops.describe).join(", ")}); resolve the duplicate in the service, then apply again`);
      }
      if (attempt >= maxAttempts) throw unsettled(error, attempt, "listed again after each, nothing to adopt");
      await options.sleep(backoffDelay(attempt, options.policy, options.random));
    }
  }
}

function unsettled(error: unknown, attempts: number, detail?: string): Error {
  if (!isUnknownOutcome(error)) return error instanceof Error ? error : new Error(String(error));
  const extra = detail === undefined ? "" : `, ${detail}`;
  return new OutcomeUnknownError(`${errorText(error)} — the outcome stayed unknown after ${attempts} attempts${extra}; run plan to see the live state, then apply again`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
