/** Reading a saved plan (`plan --out`) back for `apply --plan`, with clear errors. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { RefusedError, UsageError } from "../errors/user-errors.js";
import { PLAN_FORMAT_VERSION, type Plan } from "../plan/model.js";

/** `path` as the user gave it (named in errors), read relative to `cwd`. */
export function readSavedPlan(path: string, cwd = "."): Plan {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the plan file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "give the file written by `accessctl plan --out`");
  }
  let plan: Partial<Plan>;
  try {
    plan = JSON.parse(text) as Partial<Plan>;
  } catch (e) {
    throw new UsageError(`the plan file ${path} is not JSON: ${(e as Error).message}`, "give the file written by `accessctl plan --out`, unedited");
  }
  if (plan.formatVersion !== PLAN_FORMAT_VERSION) {
    // A plan of another format may mean something else change by change: never apply it, whatever it holds.
    throw new RefusedError(
      `the plan file ${path} has format version ${String(plan.formatVersion)}, made by another version of accessctl (this one reads version ${PLAN_FORMAT_VERSION}); nothing was written`,
      "plan again with this version (`accessctl plan --out plan.json`), review it, then apply it",
    );
  }
  if (!Array.isArray(plan.changes) || typeof plan.checksum !== "string" || !plan.desired || !Array.isArray(plan.desired.files)) {
    throw new UsageError(`the plan file ${path} is incomplete (no changes, checksum or desired files)`, "give the file written by `accessctl plan --out`, unedited");
  }
  return plan as Plan;
}
