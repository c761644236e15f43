/** What running one change gives back to the walk, and the one error for a change that cannot even be sent. */

export interface ChangeOutcome {
  /** A create settled by adopting the live object after a lost answer. */
  adopted: boolean;
  /** The object's live id after the change (none for deletes). */
  liveId?: string;
  /** Why it counts as done without a plain success, e.g. a DELETE answering 404. */
  note?: string;
}

/** A change that cannot be sent (e.g. a reference with no id): it fails with this message, and nothing is written. */
export class ApplyChangeError extends Error {
  override readonly name = "ApplyChangeError";
}

/** A delete whose object was already gone (a 404): nothing to do, and the report says so. */
export const ALREADY_GONE: ChangeOutcome = { adopted: false, note: "already gone (404)" };

/**
 * A write that may or may not have happened, and that could not be settled (listing again failed, or the
 * outcome stayed unknown): reported as "outcome unknown", never as applied or failed. A plan shows the truth.
 */
export class OutcomeUnknownError extends Error {
  override readonly name = "OutcomeUnknownError";
}

