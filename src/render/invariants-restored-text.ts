/** The plan's restored invariants as text lines: `this apply restores invariant "X"` (none: no lines). */
import type { Plan } from "../plan/model.js";
import type { Palette } from "./colour.js";

export function renderInvariantsRestoredText(plan: Plan, p: Palette): string[] {
  const names = plan.invariantsRestored ?? [];
  if (names.length === 0) return [];
  return [...names.map((n) => `${p.green("✓")} this apply restores invariant ${JSON.stringify(n)} (it does not hold on the live rules)`), ""];
}
