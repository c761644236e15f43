/**
 * `command: drift` — on a schedule: plan the default branch's files against live. Drift (a non-empty plan) opens
 * or updates one issue per path with the Markdown plan; when the drift is gone, the issue gets a comment and is
 * closed. The job itself succeeds either way: the issue is the signal.
 */
import * as core from "@actions/core";
import { InvalidDesiredStateError } from "../errors/user-errors.js";
import { isEmpty } from "../plan/summary.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { annotate } from "./annotations.js";
import { reportDrift } from "./drift-issue.js";
import { setPlanOutputs, SUMMARY_LIMIT, writeJobSummary, writePlanFile } from "./outputs.js";
import { planCommentBody } from "./plan-comment.js";
import { loadDesired } from "../flow/plan-flow.js";
import { planInRun } from "./plan-core.js";
import { reportInvalid, type ActionRun } from "./run.js";

export async function runDrift(run: ActionRun): Promise<void> {
  const { inputs, github } = run;
  let loaded;
  try {
    loaded = loadDesired(inputs.path, { env: run.env });
  } catch (e) {
    if (!(e instanceof InvalidDesiredStateError)) throw e;
    await reportInvalid(run, e, "accessctl drift");
    core.setFailed(`The desired state in ${inputs.path} is invalid.`);
    return;
  }
  annotate(loaded.warnings, run.redact);
  const desired = loaded.desired;
  const plan = await planInRun(run, desired);
  const planFile = writePlanFile(plan, inputs.path, run.env, run.redact);
  setPlanOutputs(plan, planFile);
  await writeJobSummary(renderPlanMarkdown(plan, { title: inputs.path, limit: SUMMARY_LIMIT, fullPlanAt: planFile }), run.redact);
  if (!inputs.comment) return;

  const drifted = !isEmpty(plan.summary);
  const at = `commit <code>${github.sha.slice(0, 12)}</code>${github.runUrl ? ` (run ${github.runUrl})` : ""}`;
  const body = drifted
    ? planCommentBody(plan, {
        path: inputs.path,
        fullPlanAt: run.fullPlanAt(planFile),
        note: `The live state differs from the files at ${at}: someone changed access outside Git, or a change was never applied. The next apply reverts these changes; to keep them, change the files instead.`,
      })
    : undefined;
  const gone = `✅ No drift any more: the live state matches the files at ${at}. Closing.`;
  const outcome = await reportDrift(run.api(), inputs.path, body === undefined ? undefined : run.redact(body), run.redact(gone));
  if (outcome.action !== "none") core.info(`Drift issue #${outcome.number} ${outcome.action}.`);
}
