/**
 * `command: apply` — on a push to the default branch: find the merged pull request; with `require-reviewed-plan`,
 * refuse (and say why on the pull request, change by change) unless the fresh plan's checksum is the one last
 * shown in its plan comment; otherwise apply, comment the outcome, and fail the job unless a fresh plan after
 * the apply is empty. `force` overrides the review check and threshold guards (never protection), for a manual
 * re-run. The flow is the core's `applyPlan`, as for the CLI; this file supplies the review and renders.
 */
import * as core from "@actions/core";
import type { DesiredState } from "../desired/types.js";
import { InvalidDesiredStateError } from "../errors/user-errors.js";
import { applyPlan, type ApplyOutcome } from "../flow/apply-flow.js";
import { loadDesired, planFor } from "../flow/plan-flow.js";
import type { Review } from "../flow/review.js";
import { applyCountsLine, progressLine, renderApplyReport } from "../render/apply-text.js";
import { PLAIN } from "../render/colour.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { annotate } from "./annotations.js";
import { appliedBody, nothingToApplyBody, refusedGuardsBody, refusedNotReviewedBody, refusedRetargetedBody, type ApplyHeader } from "./apply-comment.js";
import { upsertComment } from "./comments.js";
import type { PullRequestRef } from "./github-client.js";
import { applyMarker } from "./markers.js";
import { setPlanOutputs, SUMMARY_LIMIT, writeJobSummary, writePlanFile } from "./outputs.js";
import { inRunSession } from "./plan-core.js";
import { findMergedPullRequest, readReview } from "./reviewed-plan.js";
import { reportInvalid, type ActionRun } from "./run.js";

export async function runApply(run: ActionRun): Promise<void> {
  const { inputs, github } = run;
  let desired: DesiredState;
  try {
    const loaded = loadDesired(inputs.path, { env: run.env });
    desired = loaded.desired;
    annotate(loaded.warnings, run.redact);
  } catch (e) {
    if (!(e instanceof InvalidDesiredStateError)) throw e;
    await reportInvalid(run, e, "accessctl apply");
    core.setFailed(`The desired state in ${inputs.path} is invalid; nothing was written.`);
    return;
  }
  const pr = await findMergedPullRequest(run.api(), github.sha);
  core.info(pr ? `Commit ${github.sha} merged pull request #${pr.number}.` : `No merged pull request found for commit ${github.sha}.`);
  const header: ApplyHeader = { path: inputs.path, sha: github.sha, ...(github.runUrl ? { runUrl: github.runUrl } : {}) };
  const comment = async (body: string): Promise<void> => {
    if (pr && inputs.comment) await upsertComment(run.api(), pr.number, applyMarker(inputs.path), run.redact(body));
  };

  await inRunSession(run, desired, async (session) => {
    const plan = await planFor(session, desired, { decisions: false });
    const planFile = writePlanFile(plan, inputs.path, run.env, run.redact);
    setPlanOutputs(plan, planFile);
    const planMarkdown = renderPlanMarkdown(plan, { title: inputs.path, limit: SUMMARY_LIMIT, fullPlanAt: planFile });
    const review = inputs.requireReviewedPlan && !inputs.force ? await findReview(run, pr) : undefined;
    const outcome = await applyPlan(plan, session, {
      desired,
      force: inputs.force,
      ...(review ? { review } : {}),
      ...(inputs.concurrency === undefined ? {} : { concurrency: inputs.concurrency }),
      onProgress: (e) => core.info(run.redact(progressLine(e, PLAIN))),
      interrupt: run.interrupt,
    });
    const body = outcomeBody(outcome, header, pr);
    await writeJobSummary(outcome.kind === "no-changes" ? planMarkdown : `${body}\n---\n\n${planMarkdown}`, run.redact);
    await comment(body);
    reportOutcome(run, outcome);
  });
}

/** What was reviewed on the merged pull request, or why there is nothing to compare with. */
async function findReview(run: ActionRun, pr: PullRequestRef | undefined): Promise<Review | { missing: string }> {
  if (!pr) return { missing: "no merged pull request was found for this commit, so there is no reviewed plan" };
  const review = await readReview(run.api(), pr.number, run.inputs.path);
  return review ?? { missing: `pull request #${pr.number} has no plan comment with a checksum, so nothing was reviewed` };
}

function outcomeBody(outcome: ApplyOutcome, header: ApplyHeader, pr: PullRequestRef | undefined): string {
  switch (outcome.kind) {
    case "no-changes":
      return nothingToApplyBody(header);
    case "unreviewed":
      return refusedNotReviewedBody(header, outcome.plan, pr ? { prNumber: pr.number } : {});
    case "stale":
      return refusedNotReviewedBody(header, outcome.plan, {
        ...(pr ? { prNumber: pr.number } : {}),
        reviewedChecksum: outcome.review.checksum,
        ...(outcome.differences ? { differences: outcome.differences } : {}),
      });
    case "retargeted":
      return refusedRetargetedBody(header, outcome.plan);
    case "refused":
      return refusedGuardsBody(header, outcome.plan, outcome.guards);
    case "failed":
    case "interrupted":
      return appliedBody(header, outcome.summary, undefined);
    case "not-converged":
    case "applied":
      return appliedBody(header, outcome.summary, outcome.after);
  }
}

function reportOutcome(run: ActionRun, outcome: ApplyOutcome): void {
  switch (outcome.kind) {
    case "no-changes":
      return;
    case "unreviewed":
    case "stale":
      core.setFailed(`Refusing to apply: the fresh plan ${outcome.plan.checksum} is not the reviewed plan; nothing was written. See the pull request comment.`);
      return;
    case "refused":
      core.setFailed(`Refused by ${outcome.guards.length} guard(s); nothing was written.`);
      return;
    case "retargeted":
      core.setFailed("Refusing to apply: the target changed since the review (the plan comment was made against other services); nothing was written.");
      return;
  }
  const s = outcome.summary;
  core.info(run.redact(renderApplyReport(s, PLAIN)));
  const counts = applyCountsLine(s, PLAIN);
  core.setOutput("summary", s.ok ? `Applied ${s.counts.applied} change(s).` : counts);
  if (outcome.kind === "failed" || outcome.kind === "interrupted") core.setFailed(counts);
  else if (outcome.kind === "not-converged") core.setFailed(`The live state did not converge: a fresh plan after the apply still has ${outcome.after.changes.length} change(s).`);
}
