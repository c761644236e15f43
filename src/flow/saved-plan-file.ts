/** Reading a saved plan (`plan --out`) back for `apply --plan`, with clear errors. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { onFile } from "../errors/file-errors.js";
import { RefusedError, UsageError } from "../errors/user-errors.js";
import { PLAN_FORMAT_VERSION, type Plan } from "../plan/model.js";

const WRITTEN_BY_PLAN = "give the file written by `accessctl plan --out`";

/** `path` as the user gave it (named in errors), read relative to `cwd`. */
export function readSavedPlan(path: string, cwd = "."): Plan {
  const text = onFile(path, "read the plan file", () => readFileSync(resolve(cwd, path), "utf8"), WRITTEN_BY_PLAN);
  let plan: Partial<Plan>;
  try {
    plan = JSON.parse(text) as Partial<Plan>;
  } catch (e) {
    throw new UsageError(`the plan file ${path} is not JSON: ${(e as Error).message}`, `${WRITTEN_BY_PLAN}, unedited`);
  }
  if (plan.formatVersion !== PLAN_FORMAT_VERSION) {
    // A plan of another format may mean something else change by change: never apply it, whatever it holds.
    throw new RefusedError(
      `the plan file ${path} has format version ${String(plan.formatVersion)}, made by another version of accessctl (this one reads version ${PLAN_FORMAT_VERSION}); nothing was written`,
      "plan again with this version (`accessctl plan --out plan.json`), review it, then apply it",
    );
  }
  const missing = missingParts(plan);
  if (missing.length > 0) {
    throw new UsageError(`the plan file ${path} is incomplete (${missing.join(", ")})`, `${WRITTEN_BY_PLAN}, unedited`);
  }
  return plan as Plan;
}

/**
 * What apply reads from a saved plan before anything checks it against a fresh one, in words; empty when all
 * is there. An edited file fails here, as a usage error, rather than deeper down as a bug.
 */
function missingParts(plan: Partial<Plan>): string[] {
  const missing: string[] = [];
  if (!Array.isArray(plan.changes)) missing.push("no changes");
  if (typeof plan.checksum !== "string") missing.push("no checksum");
  const desired = isObject(plan.desired) ? plan.desired : undefined;
  if (typeof desired?.dir !== "string") missing.push("no desired directory");
  if (!Array.isArray(desired?.files)) missing.push("no desired files");
  else if (!desired.files.every((f) => isObject(f) && typeof f.path === "string" && typeof f.text === "string")) missing.push("desired files without their path or text");
  if (!isObject(plan.targets) || typeof plan.targets.local !== "boolean") missing.push("no targets");
  if (plan.only !== undefined && !(Array.isArray(plan.only) && plan.only.every((o) => typeof o === "string"))) missing.push("`only` is not a list of patterns");
  return missing;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
