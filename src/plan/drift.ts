/**
 * The drift split (`--base <dir>`): each change of the plan is marked as coming from the files (base ≠ head),
 * from drift (base ≠ live: changed outside Git, which this apply would revert), or both. The base plan is the
 * diff of the base branch's files against the same live state: a head change it also holds, identically, is
 * pure drift; one it lacks comes from the files; one it holds differently is both. Pure.
 */
import { deepEqual } from "../json/deep-equal.js";
import type { Change, DriftMark } from "./model.js";

export function driftMarks(head: readonly Change[], base: readonly Change[]): Record<string, DriftMark> {
  const baseById = new Map(base.map((c) => [c.id, c]));
  const marks: Record<string, DriftMark> = {};
  for (const c of head) {
    const b = baseById.get(c.id);
    // Dependencies may differ with the rest of the plan; the change itself is what is compared.
    marks[c.id] = !b ? "files" : deepEqual({ ...b, dependsOn: [] }, { ...c, dependsOn: [] }) ? "drift" : "both";
  }
  return marks;
}
