/**
 * `command: plan` — on a pull request: plan against live and against the base commit's files (the drift split),
 * write the job summary and keep ONE comment per path up to date (never a second; "No changes" updates it too).
 * A pull request from a fork, or a run without targets, is validated only: job summary and annotations, no
 * comment (such runs get no secrets and a read-only token).
 */
import * as core from "@actions/core";
import { InvalidDesiredStateError } from "../errors/user-errors.js";
import type { DesiredState } from "../desired/types.js";
import { describeError } from "../errors/describe-error.js";
import { renderPlanMarkdown, escapeMarkdown } from "../render/plan-markdown.js";
import { annotate } from "./annotations.js";
import { readFilesAtCommit } from "./base-files.js";
import { upsertComment } from "./comments.js";
import { pathMarker } from "./markers.js";
import { setNoPlanOutputs, setPlanOutputs, SUMMARY_LIMIT, writeJobSummary, writePlanFile } from "./outputs.js";
import { diagnosticsMarkdown, errorCommentBody, invalidCommentBody, planCommentBody } from "./plan-comment.js";
import { emptyDesiredState, loadBase as loadBaseFiles, loadDesired } from "../flow/plan-flow.js";
import { validateDesiredState } from "../desired/validate.js";
import { hasTarget, planInRun } from "./plan-core.js";
import { reportInvalid, type ActionRun } from "./run.js";

export async function runPlan(run: ActionRun): Promise<void> {
  const { inputs, github } = run;
  const pr = github.pullRequest;
  if (pr?.fromFork) return validateOnly(run, "a pull request from a fork: its run has no secrets and a read-only token");
  if (!hasTarget(run.env)) return validateOnly(run, "no target is configured (ACCESSCTL_RBAC_URL / ACCESSCTL_CEDAR_URL are not set; secrets are not given to this run)");

  let desired: DesiredState;
  try {
    const loaded = loadDesired(inputs.path, { env: run.env });
    desired = loaded.desired;
    annotate(loaded.warnings, run.redact);
  } catch (e) {
    return planFailed(run, e);
  }
  const base = pr?.baseSha ? loadBase(run, pr.baseSha) : undefined;
  let plan;
  try {
    plan = await planInRun(run, desired, base?.desired);
  } catch (e) {
    return planFailed(run, e);
  }
  annotate(plan.warnings ?? [], run.redact);
  const planFile = writePlanFile(plan, inputs.path, run.env, run.redact);
  setPlanOutputs(plan, planFile);
  await writeJobSummary(renderPlanMarkdown(plan, { title: inputs.path, limit: SUMMARY_LIMIT, fullPlanAt: planFile }), run.redact);
  core.info(run.redact(`${plan.changes.length} change(s); checksum ${plan.checksum}; plan file ${planFile}`));

  if (pr && inputs.comment) {
    const note = base?.desired ? `Drift is measured against the base commit <code>${base.sha.slice(0, 12)}</code>.` : base ? "⚠️ The base commit's files are invalid: the drift split is left out." : undefined;
    const body = planCommentBody(plan, { path: inputs.path, fullPlanAt: run.fullPlanAt(planFile), ...(note ? { note } : {}) });
    const { id, created } = await upsertComment(run.api(), pr.number, pathMarker(inputs.path), run.redact(body));
    core.info(`${created ? "Created" : "Updated"} the plan comment ${id} on pull request #${pr.number}.`);
  }
}

/** The base commit's desired state, for the drift split; an invalid base only leaves the split out. */
function loadBase(run: ActionRun, sha: string): { sha: string; desired?: DesiredState } {
  const files = readFilesAtCommit(run.github.workspace, sha, run.inputs.path);
  // The directory is new in this pull request: the base manages nothing, so every change comes from the files.
  if (![...files.keys()].some((f) => /\.ya?ml$/i.test(f))) return { sha, desired: emptyDesiredState(run.inputs.path) };
  const base = loadBaseFiles(run.inputs.path, { env: run.env, files });
  if (!base.desired) core.warning(`The base commit's files in ${run.inputs.path} are invalid (${base.problems} problem(s)); the drift split is left out.`);
  return base.desired ? { sha, desired: base.desired } : { sha };
}

async function planFailed(run: ActionRun, e: unknown): Promise<void> {
  const pr = run.github.pullRequest;
  if (!(e instanceof InvalidDesiredStateError)) {
    // The comment must not go on showing an older plan (and its checksum) as if it were current.
    if (pr && run.inputs.comment) {
      const described = describeError(e);
      const message = described.internal ? "an internal error; see the job log" : described.message;
      await upsertComment(run.api(), pr.number, pathMarker(run.inputs.path), run.redact(errorCommentBody(run.inputs.path, message))).catch(() => undefined);
    }
    throw e;
  }
  await reportInvalid(run, e, "accessctl plan");
  if (pr && run.inputs.comment) {
    await upsertComment(run.api(), pr.number, pathMarker(run.inputs.path), run.redact(invalidCommentBody(run.inputs.path, e.diagnostics, "the annotations of this run")));
  }
  core.setFailed(`The desired state in ${run.inputs.path} is invalid; see the annotations.`);
}

async function validateOnly(run: ActionRun, why: string): Promise<void> {
  const result = validateDesiredState(run.inputs.path, { env: run.env });
  annotate(result.diagnostics, run.redact);
  const verdict = result.desired ? "✅ The desired state is valid." : "❌ The desired state is invalid.";
  const list = result.diagnostics.length ? `\n${diagnosticsMarkdown(result.diagnostics, "the annotations of this run")}` : "";
  await writeJobSummary(
    `### accessctl validate: ${escapeMarkdown(run.inputs.path)}\n\nValidation only — ${escapeMarkdown(why)}. No live state was read and no comment is posted.\n\n${verdict}\n${list}`,
    run.redact,
  );
  setNoPlanOutputs(result.desired ? "Validation only: the desired state is valid." : "Validation only: the desired state is invalid.");
  core.notice(`Validation only: ${why}.`);
  if (!result.desired) core.setFailed(`The desired state in ${run.inputs.path} is invalid; see the annotations.`);
}
