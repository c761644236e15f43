import type { Change, PlanSummary } from "./model.js";

/** Counts by kind. Renames count as updates too (SPEC: "N to update (1 rename)"); `update` includes them. */
export function summarize(changes: readonly Change[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, rename: 0, delete: 0, move: 0 };
  for (const c of changes) {
    if (c.kind === "rename") {
      s.rename++;
      s.update++;
    } else s[c.kind]++;
  }
  return s;
}

export function isEmpty(s: PlanSummary): boolean {
  return s.create + s.update + s.delete + s.move === 0;
}
