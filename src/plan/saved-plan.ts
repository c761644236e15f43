/**
 * Saved plans (`plan --out`, `apply --plan`): reading one back with clear errors, and saying how a fresh plan
 * differs from the reviewed one, change by change.
 */
import { readFileSync } from "node:fs";
import { stableJson } from "../cedar/canonical.js";
import { UsageError } from "../diagnostics/diagnostic.js";
import { PLAN_FORMAT_VERSION, type Change, type Plan } from "./model.js";

export function readSavedPlan(path: string): Plan {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
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
    throw new UsageError(`the plan file ${path} has format version ${String(plan.formatVersion)}; this accessctl reads version ${PLAN_FORMAT_VERSION}`, "make the plan again with this version of accessctl");
  }
  if (!Array.isArray(plan.changes) || typeof plan.checksum !== "string" || !plan.desired || !Array.isArray(plan.desired.files)) {
    throw new UsageError(`the plan file ${path} is incomplete (no changes, checksum or desired files)`, "give the file written by `accessctl plan --out`, unedited");
  }
  return plan as Plan;
}

export interface PlanDifference {
  id: string;
  address: string;
  /** `added`: only in the fresh plan; `removed`: only in the reviewed one; `changed`: in both, differently. */
  how: "added" | "removed" | "changed";
}

export function comparePlans(reviewed: readonly Change[], fresh: readonly Change[]): PlanDifference[] {
  const before = new Map(reviewed.map((c) => [c.id, c]));
  const after = new Map(fresh.map((c) => [c.id, c]));
  const out: PlanDifference[] = [];
  for (const [id, c] of after) {
    const r = before.get(id);
    if (!r) out.push({ id, address: c.address, how: "added" });
    else if (stableJson(r) !== stableJson(c)) out.push({ id, address: c.address, how: "changed" });
  }
  for (const [id, c] of before) if (!after.has(id)) out.push({ id, address: c.address, how: "removed" });
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
