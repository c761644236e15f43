import type { Change, PlanSummary } from "./model.js";

/**
 * Counts by kind. Renames count as updates too ("N to update (1 rename)", docs/plan-and-apply.md#output); `update`
 * includes them.
 */
export function summarize(changes: readonly Change[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, rename: 0, delete: 0, move: 0 };
  for (const c of changes) {
    if (c.kind === "rename") {
      s.rename++;
      s.update++;
    } else if (c.kind === "reorder") {
      // Moved rules, not calls: one reorder carries every move of its policy.
      s.move += c.moves.length;
    } else s[c.kind]++;
  }
  return s;
}

export function isEmpty(s: PlanSummary): boolean {
  return s.create + s.update + s.delete + s.move === 0;
}
