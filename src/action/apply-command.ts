/**
 * `command: apply` — on a push to the default branch: find the merged pull request; with `require-reviewed-plan`,
 * refuse (and say why on the pull request, change by change) unless the fresh plan's checksum is the one last
 * shown in its plan comment; otherwise apply, comment the outcome, and fail the job unless a fresh plan after
 * the apply is empty. `force` overrides the review check and threshold guards (never protection), for a manual
 * re-run.
 */
import * as core from "@actions/core";
import { executePlan } from "../apply/execute.js";
import { summarizeApply } from "../apply/report.js";
import { InvalidDesiredStateError } from "../diagnostics/diagnostic.js";
import type { DesiredState } from "../desired/types.js";
import type { Plan } from "../plan/model.js";
import { isEmpty } from "../plan/summary.js";
import { progressLine, renderApplyReport } from "../render/apply-text.js";
import { PLAIN } from "../render/colour.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { annotate } from "./annotations.js";
import { appliedBody, nothingToApplyBody, refusedGuardsBody, refusedNotReviewedBody, type ApplyHeader } from "./apply-comment.js";
import { upsertComment } from "./comments.js";
import type { PullRequestRef } from "./github-client.js";
import { applyMarker } from "./markers.js";
import { setPlanOutputs, SUMMARY_LIMIT, writeJobSummary, writePlanFile } from "./outputs.js";
import { loadValid, planIn, withSession } from "./plan-core.js";
import { findMergedPullRequest, readReview } from "./reviewed-plan.js";
import { reportInvalid, type ActionRun } from "./run.js";

export async function runApply(run: ActionRun): Promise<void> {
  const { inputs, github } = run;
  let desired: DesiredState;
  try {
    const loaded = loadValid(inputs.path, run.env);
    desired = loaded.desired;
    annotate(loaded.result.diagnostics, run.redact);
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

  await withSession(desired, run.env, run.cwd, inputs.concurrency, async (session) => {
    const plan = await planIn(session, desired);
    const planFile = writePlanFile(plan, inputs.path, run.env, run.redact);
    setPlanOutputs(plan, planFile);
    const planMarkdown = renderPlanMarkdown(plan, { title: inputs.path, limit: SUMMARY_LIMIT, fullPlanAt: planFile });
    if (isEmpty(plan.summary)) {
      await writeJobSummary(planMarkdown, run.redact);
      await comment(nothingToApplyBody(header));
      return;
    }
    if (inputs.requireReviewedPlan && !inputs.force) {
      const refusal = await reviewRefusal(run, pr, plan, header);
      if (refusal) {
        await writeJobSummary(`${refusal}\n---\n\n${planMarkdown}`, run.redact);
        await comment(refusal);
        core.setFailed(`Refusing to apply: the fresh plan ${plan.checksum} is not the reviewed plan; nothing was written. See the pull request comment.`);
        return;
      }
    }
    const blocking = plan.guards.filter((g) => !g.forceable || !inputs.force);
    if (blocking.length > 0) {
      const body = refusedGuardsBody(header, plan, blocking);
      await writeJobSummary(`${body}\n---\n\n${planMarkdown}`, run.redact);
      await comment(body);
      core.setFailed(`Refused by ${blocking.length} guard(s); nothing was written.`);
      return;
    }

    const report = await executePlan(plan.changes, session.clients, {
      ...(inputs.concurrency === undefined ? {} : { concurrency: inputs.concurrency }),
      onProgress: (e) => core.info(run.redact(progressLine(e, PLAIN))),
    });
    const summary = summarizeApply(report);
    core.info(run.redact(renderApplyReport(summary, PLAIN)));
    const after: Plan | undefined = summary.ok ? await planIn(session, desired) : undefined;
    const body = appliedBody(header, summary, after);
    await writeJobSummary(`${body}\n---\n\n${planMarkdown}`, run.redact);
    await comment(body);
    core.setOutput("summary", summary.ok ? `Applied ${summary.counts.applied} change(s).` : `Apply incomplete: ${summary.counts.applied} applied, ${summary.counts.failed} failed, ${summary.counts.skipped} skipped.`);
    if (!summary.ok) core.setFailed(`Apply incomplete: ${summary.counts.failed} failed, ${summary.counts.skipped} skipped.`);
    else if (after && !isEmpty(after.summary)) core.setFailed(`The live state did not converge: a fresh plan after the apply still has ${after.changes.length} change(s).`);
  });
}

/** The refusal comment when the fresh plan is not the reviewed one; undefined when it is. */
async function reviewRefusal(run: ActionRun, pr: PullRequestRef | undefined, plan: Plan, header: ApplyHeader): Promise<string | undefined> {
  if (!pr) return refusedNotReviewedBody(header, plan, {});
  const review = await readReview(run.api(), pr.number, run.inputs.path);
  if (review.checksum === plan.checksum) {
    core.info(`The fresh plan is the one reviewed on pull request #${pr.number} (${plan.checksum}).`);
    return undefined;
  }
  return refusedNotReviewedBody(header, plan, {
    prNumber: pr.number,
    ...(review.checksum ? { reviewedChecksum: review.checksum } : {}),
    ...(review.changes ? { reviewed: review.changes } : {}),
  });
}
