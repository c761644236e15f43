/**
 * The offline check `validate` and `test` share: every stage of validation, with the checks whose cost belongs to
 * these two commands only (hygiene warnings and the coverage threshold; plan and apply skip them).
 */
import { validateDesiredState } from "../desired/validate.js";
import type { CliContext } from "./context.js";

export function checkFiles(dir: string, ctx: CliContext, denyWarnings: boolean | undefined): ReturnType<typeof validateDesiredState> {
  return validateDesiredState(dir, { env: ctx.env, cwd: ctx.cwd, denyWarnings: denyWarnings === true, quality: { hygiene: true, coverage: true } });
}
