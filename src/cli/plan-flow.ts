/**
 * What `plan` and `apply` share: validate the files, open the session (announced on stderr before anything
 * else), read the live state and make the plan.
 */
import { compilePattern, AddressSyntaxError, type Pattern } from "../address/address.js";
import { UsageError } from "../diagnostics/diagnostic.js";
import type { DesiredState } from "../desired/types.js";
import { requireValidDesiredState, validateDesiredState } from "../desired/validate.js";
import type { LiveState } from "../live/types.js";
import { makePlan } from "../plan/make-plan.js";
import type { Plan } from "../plan/model.js";
import { needsOf, withSession as withOpenSession, type Session } from "../session/open-session.js";
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
  return requireValidDesiredState(dir, { env: ctx.env, denyWarnings: flags.denyWarnings === true, ...(files ? { files } : {}) }).desired;
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

export function withSession<T>(ctx: CliContext, desired: DesiredState, flags: PlanFlags, fn: (s: Session) => Promise<T>): Promise<T> {
  const options = {
    env: ctx.env,
    cwd: ctx.cwd,
    need: needsOf(desired),
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
  };
  return withOpenSession(options, (n) => writeErr(ctx, n), fn);
}

export async function planWith(session: Session, desired: DesiredState, flags: PlanFlags, base?: DesiredState): Promise<{ plan: Plan; live: LiveState }> {
  return makePlan(desired, session.clients, {
    targets: session.targets,
    ...(base ? { base } : {}),
    ...(flags.only && flags.only.length ? { only: compileOnly(flags.only), onlySources: flags.only } : {}),
  });
}
