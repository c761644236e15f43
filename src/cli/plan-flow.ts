/**
 * What `plan` and `apply` share: validate the files, open the session (announced on stderr before anything
 * else), read the live state and make the plan.
 */
import { compilePattern, AddressSyntaxError, type Pattern } from "../address/address.js";
import { InvalidDesiredStateError, UsageError } from "../diagnostics/diagnostic.js";
import type { DesiredState } from "../desired/types.js";
import { validateDesiredState } from "../desired/validate.js";
import type { LiveState } from "../live/types.js";
import { makePlan } from "../plan/make-plan.js";
import type { Plan } from "../plan/model.js";
import { needsOf, openSession, type Session } from "../session/open-session.js";
import { writeErr, type CliContext } from "./context.js";

export interface PlanFlags {
  target?: string;
  only?: string[];
  denyWarnings?: boolean;
  concurrency?: number;
}

export function compileOnly(only: readonly string[] | undefined): Pattern[] {
  return (only ?? []).map((o) => {
    try {
      return compilePattern(o);
    } catch (e) {
      if (e instanceof AddressSyntaxError) throw new UsageError(`--only ${JSON.stringify(o)}: ${e.message}`, "give an address pattern, e.g. --only 'organization/roles/*'");
      throw e;
    }
  });
}

export function loadValid(ctx: CliContext, dir: string, flags: PlanFlags, files?: ReadonlyMap<string, string>): DesiredState {
  const result = validateDesiredState(dir, { env: ctx.env, denyWarnings: flags.denyWarnings === true, ...(files ? { files } : {}) });
  if (!result.desired) throw new InvalidDesiredStateError(result.diagnostics);
  return result.desired;
}

/**
 * The base branch's files for the drift split. An invalid base does not stop the plan (the head is what would be
 * applied): it is said on stderr, and every change is then attributed to the files.
 */
export function loadBase(ctx: CliContext, dir: string, flags: PlanFlags): DesiredState | undefined {
  const result = validateDesiredState(dir, { env: ctx.env, denyWarnings: flags.denyWarnings === true });
  if (!result.desired) writeErr(ctx, `warning: the base files in ${dir} are invalid (${result.diagnostics.length} problem(s)); the drift split is left out`);
  return result.desired;
}

export async function withSession<T>(ctx: CliContext, desired: DesiredState, flags: PlanFlags, fn: (s: Session) => Promise<T>): Promise<T> {
  const session = await openSession({
    env: ctx.env,
    cwd: ctx.cwd,
    need: needsOf(desired),
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
  });
  try {
    for (const n of session.notices) writeErr(ctx, n);
    return await fn(session);
  } finally {
    await session.close();
  }
}

export async function planWith(session: Session, desired: DesiredState, flags: PlanFlags, base?: DesiredState): Promise<{ plan: Plan; live: LiveState }> {
  return makePlan(desired, session.clients, {
    targets: session.targets,
    ...(base ? { base } : {}),
    ...(flags.only && flags.only.length ? { only: compileOnly(flags.only), onlySources: flags.only } : {}),
  });
}
