/**
 * The apply flow both front ends share, from a fresh plan to an outcome: nothing to do; not the reviewed plan;
 * refused by guards; applied and converged; applied but not converged; failed. The CLI asks for confirmation
 * through `confirm`; the Action has none. Neither front end decides anything here: they render the outcome.
 */
import { executePlan, type ProgressEvent } from "../apply/execute.js";
import { summarizeApply, type ApplySummary } from "../apply/report.js";
import type { DesiredState } from "../desired/types.js";
import type { Guard, Plan } from "../plan/model.js";
import { isEmpty } from "../plan/summary.js";
import type { Session } from "../session/open-session.js";
import { targetsDigest } from "./binding.js";
import type { Interrupt } from "./interrupt.js";
import { planFor } from "./plan-flow.js";
import { reviewDifferences, type Review, type ReviewDifference } from "./review.js";

export interface ApplyRequest {
  /** The desired state the plan was made from: the convergence check plans it again. */
  desired: DesiredState;
  /** The plan's `--only` selection; the convergence check covers the same one. */
  only?: readonly string[];
  /** Overrides threshold guards (never protection or preflight guards). */
  force?: boolean;
  /**
   * What was reviewed. A `Review`: the fresh plan must have its checksum. `{missing}`: a review was required and
   * none exists (the words say why). Undefined: no review is required (`apply --yes`).
   */
  review?: Review | { missing: string };
  /** Asked before anything is written; throws (a RefusedError) to stop. */
  confirm?: (plan: Plan) => Promise<void>;
  concurrency?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** SIGINT / SIGTERM: nothing new starts; the report follows, with no convergence check. */
  interrupt?: Interrupt;
}

export type ApplyOutcome =
  | { kind: "no-changes"; plan: Plan }
  | { kind: "unreviewed"; plan: Plan; why: string }
  | { kind: "stale"; plan: Plan; review: Review; differences?: ReviewDifference[] }
  | { kind: "retargeted"; plan: Plan; review: Review }
  | { kind: "refused"; plan: Plan; guards: Guard[] }
  | { kind: "failed"; plan: Plan; summary: ApplySummary }
  | { kind: "interrupted"; plan: Plan; summary: ApplySummary }
  | { kind: "not-converged"; plan: Plan; summary: ApplySummary; after: Plan }
  | { kind: "applied"; plan: Plan; summary: ApplySummary; after: Plan };

/** Guards that stop this apply: all of them, less the forceable ones under `force`. */
function blockingGuards(plan: Plan, force: boolean): Guard[] {
  return plan.guards.filter((g) => !g.forceable || !force);
}

export async function applyPlan(plan: Plan, session: Session, request: ApplyRequest): Promise<ApplyOutcome> {
  const review = request.review;
  // A reviewed plan made against other services is never applied here, even when nothing would change.
  if (review !== undefined && !("missing" in review) && review.targets !== undefined && review.targets !== targetsDigest(plan.targets)) {
    return { kind: "retargeted", plan, review };
  }
  if (isEmpty(plan.summary)) return { kind: "no-changes", plan };
  if (review !== undefined) {
    if ("missing" in review) return { kind: "unreviewed", plan, why: review.missing };
    if (review.checksum !== plan.checksum) {
      return { kind: "stale", plan, review, ...(review.changes ? { differences: reviewDifferences(review.changes, plan.changes) } : {}) };
    }
  }
  const guards = blockingGuards(plan, request.force === true);
  if (guards.length > 0) return { kind: "refused", plan, guards };
  await request.confirm?.(plan);

  const report = await executePlan(plan.changes, session.clients, {
    ...(request.concurrency === undefined ? {} : { concurrency: request.concurrency }),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(request.interrupt ? { signal: request.interrupt.stopStarting } : {}),
  });
  const summary = summarizeApply(report);
  if (request.interrupt?.received) return { kind: "interrupted", plan, summary };
  if (!summary.ok) return { kind: "failed", plan, summary };
  const after = await planFor(session, request.desired, { ...(request.only ? { only: request.only } : {}), decisions: false });
  return isEmpty(after.summary) ? { kind: "applied", plan, summary, after } : { kind: "not-converged", plan, summary, after };
}
