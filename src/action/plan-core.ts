/**
 * The action's adapter over the core the CLI uses (validate → open session → make plan → execute). The CLI's
 * plan-flow.ts writes to a CliContext's stderr; here notices go to the job log instead, and errors travel as the
 * same error classes (InvalidDesiredStateError, UsageError, HttpError, LiveStateError) for main.ts to report.
 */
import * as core from "@actions/core";
import { requireValidDesiredState, validateDesiredState, type ValidateResult } from "../desired/validate.js";
import type { DesiredState } from "../desired/types.js";
import { TARGET_VARS, type Env } from "../live/targets.js";
import { makePlan } from "../plan/make-plan.js";
import type { Plan } from "../plan/model.js";
import { needsOf, withSession as withOpenSession, type Session } from "../session/open-session.js";

export function validate(path: string, env: Env, files?: ReadonlyMap<string, string>): ValidateResult {
  return validateDesiredState(path, { env, ...(files ? { files } : {}) });
}

/** The head's desired state, or InvalidDesiredStateError with every problem. */
export function loadValid(path: string, env: Env): { desired: DesiredState; result: ValidateResult } {
  return requireValidDesiredState(path, { env });
}

/** A run has live services to plan against when a URL variable is set (fork runs get no secrets). */
export function hasTarget(env: Env): boolean {
  return [TARGET_VARS.rbacUrl, TARGET_VARS.cedarUrl].some((name) => (env[name] ?? "").trim() !== "");
}

export function withSession<T>(desired: DesiredState, env: Env, cwd: string, concurrency: number | undefined, fn: (s: Session) => Promise<T>): Promise<T> {
  // `target: remote`: the action never falls back to the embedded emulator. Notices go to the job log.
  const options = { env, cwd, need: needsOf(desired), target: "remote", ...(concurrency === undefined ? {} : { concurrency }) };
  return withOpenSession(options, (n) => core.info(n), fn);
}

export async function planIn(session: Session, desired: DesiredState, base?: DesiredState): Promise<Plan> {
  return (await makePlan(desired, session.clients, { targets: session.targets, ...(base ? { base } : {}) })).plan;
}
