/**
 * The Action's side of the core the CLI uses: the same load and plan flow, with notices going to the job log
 * and the targets always remote (the Action never falls back to the embedded emulator).
 */
import * as core from "@actions/core";
import type { DesiredState } from "../desired/types.js";
import { inSession, planFor } from "../flow/plan-flow.js";
import { TARGET_VARS, type Env } from "../live/targets.js";
import type { Plan } from "../plan/model.js";
import { needsOf, type Session } from "../session/open-session.js";
import type { ActionRun } from "./run.js";

/** A run has live services to plan against when a URL variable is set (fork runs get no secrets). */
export function hasTarget(env: Env): boolean {
  return [TARGET_VARS.rbacUrl, TARGET_VARS.cedarUrl].some((name) => (env[name] ?? "").trim() !== "");
}

/** The run's session over the remote targets; notices go to the job log. */
export function inRunSession<T>(run: ActionRun, desired: DesiredState, fn: (s: Session) => Promise<T>): Promise<T> {
  return inSession(
    needsOf(desired),
    {
      env: run.env,
      cwd: run.cwd,
      target: "remote",
      notice: (n) => core.info(run.redact(n)),
      interrupt: run.interrupt,
      ...(run.inputs.concurrency === undefined ? {} : { concurrency: run.inputs.concurrency }),
    },
    fn,
  );
}

export function planInRun(run: ActionRun, desired: DesiredState, base?: DesiredState): Promise<Plan> {
  return inRunSession(run, desired, (s) => planFor(s, desired, base ? { base } : {}));
}
