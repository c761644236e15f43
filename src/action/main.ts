/**
 * The GitHub Action's entry (bundled to dist-action/index.js): read the inputs, run the command's flow over the
 * same core as the CLI, and turn errors into a failed step with the message the CLI would print — keys and the
 * token redacted from everything.
 */
import * as core from "@actions/core";
import { InvalidDesiredStateError } from "../errors/user-errors.js";
import { Interrupt } from "../flow/interrupt.js";
import { annotate } from "./annotations.js";
import { failureText } from "./failure.js";
import { runApply } from "./apply-command.js";
import { runDrift } from "./drift-command.js";
import { readInputs } from "./inputs.js";
import { runPlan } from "./plan-command.js";
import { createRun, type ActionRun } from "./run.js";

const FLOWS = { plan: runPlan, apply: runApply, drift: runDrift } as const;

/** SIGINT gives the changes in flight this long to settle; SIGTERM (the runner's last word) none. */
const SIGINT_GRACE_MS = 5_000;

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let redact = (s: string): string => s;
  // A cancelled job gets SIGINT, then SIGTERM a few seconds later: nothing new starts, the outcome is still
  // reported and commented, and no convergence check follows.
  const interrupt = new Interrupt();
  const onSignal = (signal: "SIGINT" | "SIGTERM"): void => {
    core.warning(`${signal} received: the job is being cancelled; starting nothing new`);
    if (interrupt.received !== undefined || signal === "SIGTERM") {
      interrupt.receive(signal, 0);
      interrupt.stopNow();
    } else interrupt.receive(signal, SIGINT_GRACE_MS);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const inputs = readInputs();
    // Paths in diagnostics and annotations are relative to the workspace (the repository root).
    const workspace = env["GITHUB_WORKSPACE"];
    if (workspace && workspace !== process.cwd()) process.chdir(workspace);
    const run: ActionRun = createRun(inputs, env, process.cwd(), interrupt);
    redact = run.redact;
    await FLOWS[inputs.command](run);
  } catch (e) {
    // Problems found against the live state (a permission or project the service lacks) belong on the files too.
    if (e instanceof InvalidDesiredStateError) annotate(e.diagnostics, redact);
    core.setFailed(redact(interrupt.received ? `interrupted by ${interrupt.received}: ${failureText(e, env)}` : failureText(e, env)));
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

await main();
