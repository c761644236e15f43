/**
 * The GitHub Action's entry (bundled to dist-action/index.js): read the inputs, run the command's flow over the
 * same core as the CLI, and turn errors into a failed step with a message that says what to do — keys and the
 * token redacted from everything.
 */
import * as core from "@actions/core";
import { InvalidDesiredStateError, UsageError } from "../diagnostics/diagnostic.js";
import { HttpError } from "../live/http-error.js";
import { annotate } from "./annotations.js";
import { runApply } from "./apply-command.js";
import { runDrift } from "./drift-command.js";
import { readInputs } from "./inputs.js";
import { runPlan } from "./plan-command.js";
import { createRun, type ActionRun } from "./run.js";

const FLOWS = { plan: runPlan, apply: runApply, drift: runDrift } as const;

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let redact = (s: string): string => s;
  try {
    const inputs = readInputs();
    // Paths in diagnostics and annotations are relative to the workspace (the repository root).
    const workspace = env["GITHUB_WORKSPACE"];
    if (workspace && workspace !== process.cwd()) process.chdir(workspace);
    const run: ActionRun = createRun(inputs, env, process.cwd());
    redact = run.redact;
    await FLOWS[inputs.command](run);
  } catch (e) {
    // Problems found against the live state (a permission or project the service lacks) belong on the files too.
    if (e instanceof InvalidDesiredStateError) annotate(e.diagnostics, redact);
    core.setFailed(redact(describe(e)));
  }
}

function describe(e: unknown): string {
  if (e instanceof InvalidDesiredStateError) return `${e.message}: see the annotations`;
  if (e instanceof UsageError) return e.hint ? `${e.message}\nhint: ${e.hint}` : e.message;
  const err = e as Error & { userFacing?: boolean; status?: number };
  if (e instanceof HttpError || err.userFacing) return err.message;
  // Octokit's RequestError: a GitHub API call failed (often a missing `permissions:` entry in the workflow).
  if (typeof err.status === "number") return `GitHub API: ${err.message} (status ${err.status}; check the job's \`permissions\`)`;
  return `internal error (this is a bug in accessctl; please report it): ${err.stack ?? String(e)}`;
}

await main();
