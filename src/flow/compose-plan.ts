/**
 * The plan's pure stages wired together: diff → select (`--only`) → order → guards → impact → decision review and
 * restored invariants (for a reader) → the plan as data.
 * Desired-state problems found against the live state throw InvalidDesiredStateError (exit 3); live state that
 * breaks identity throws LiveStateError (exit 1); `--only` leaving out a dependency that is not live yet throws
 * UsageError (exit 1). No I/O: the live state comes in as an argument.
 */
import { matchPattern, type Pattern } from "../address/address.js";
import { planDecisionReview } from "../decisions/plan-review.js";
import type { DesiredState } from "../desired/types.js";
import { InvalidDesiredStateError, LiveStateError, UsageError } from "../errors/user-errors.js";
import type { LiveState } from "../live/types.js";
import { planChecksum } from "../plan/checksum.js";
import { diff } from "../plan/diff.js";
import { driftMarks } from "../plan/drift.js";
import { checkGuards } from "../plan/guards.js";
import { computeImpact } from "../plan/impact.js";
import { PLAN_FORMAT_VERSION, type Plan, type PlanLocation } from "../plan/model.js";
import { denyWarnings } from "../diagnostics/diagnostic.js";
import { liveAddresses, managedAddresses } from "../plan/managed-addresses.js";
import { declaredAddresses, unmatchedPatterns } from "../plan/unmatched-patterns.js";
import { selectChanges } from "../plan/only.js";
import { sortChanges } from "../plan/order.js";
import { summarize } from "../plan/summary.js";
import { planInvariantsRestored } from "../quality/restored-invariants.js";

export interface ComposeOptions {
  only?: readonly Pattern[];
  onlySources?: string[];
  targets: Plan["targets"];
  /** Where the desired-state directory is, for saved-plan binding. */
  location?: PlanLocation;
  /** `--deny-warnings`: a protect/ignore/owns pattern that names nothing stops the plan (exit 3). */
  denyWarnings?: boolean;
  /** The base branch's desired state, for the drift split. */
  base?: DesiredState;
  /**
   * Compute what only a reader needs: the Cedar decision review and the invariants the plan restores (default
   * true). An apply that nobody confirms (`--yes`, a reviewed plan, the Action on merge) leaves them out: they
   * can take seconds.
   */
  decisions?: boolean;
}

export function composePlan(desired: DesiredState, live: LiveState, options: ComposeOptions): Plan {
  const only = options.only ?? [];
  const found = diff(desired, live);
  if (found.diagnostics.length > 0) throw new InvalidDesiredStateError(found.diagnostics);
  if (found.liveErrors.length > 0) throw new LiveStateError(found.liveErrors);
  // `--only` never hides: a pattern that names nothing is a usage error, not a quiet "No changes".
  if (only.length > 0) {
    const known = managedAddresses(found.pairings);
    const idle = only.filter((p) => !known.some((a) => matchPattern(p, a)));
    if (idle.length > 0) {
      throw new UsageError(
        `--only ${idle.map((p) => JSON.stringify(p.source)).join(", ")} matches no declared object and no live object of the managed collections`,
        "patterns are case-sensitive addresses such as 'organization/roles/Billing*', 'projects/*/policies/**' or 'cedar/policies/team-a-*'; check the name, or leave --only out",
      );
    }
  }
  // A protection that protects nothing never passes in silence.
  const warnings = unmatchedPatterns(desired.settings, declaredAddresses(desired), liveAddresses(found.pairings));
  if (warnings.length > 0 && options.denyWarnings) throw new InvalidDesiredStateError(denyWarnings(warnings));
  const selected = selectChanges(found.changes, only);
  if (selected.errors.length > 0) throw new UsageError(selected.errors.join("\n"), "--only does not pull in dependencies");
  const changes = sortChanges(selected.changes);
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    sourceDigest: desired.digest,
    desired: { dir: desired.dir, ...(options.location ? { location: options.location } : {}), files: desired.sources },
    targets: options.targets,
    changes,
    summary: summarize(changes),
    checksum: planChecksum(changes),
    guards: checkGuards(changes, found.pairings, desired.settings),
    impact: computeImpact(changes, found.pairings, desired),
  };
  if (warnings.length > 0) plan.warnings = warnings;
  if (options.onlySources && options.onlySources.length > 0) {
    plan.only = options.onlySources;
    plan.outsideOnly = found.changes.length - changes.length;
  }
  // The base branch's own problems (names the live state lacks) do not stop the head's plan.
  const baseChanges = options.base ? selectChanges(diff(options.base, live).changes, only).changes : undefined;
  if (baseChanges) plan.drift = driftMarks(changes, baseChanges);
  if (options.decisions === false) return plan;
  const cedar = found.pairings.cedar;
  if (cedar && changes.some((c) => c.type === "cedar-policy" || c.type === "cedar-rule")) {
    const review = planDecisionReview({ desired, live: cedar.live, paired: cedar.policies.matched, changes, ...(baseChanges ? { baseChanges } : {}) });
    plan.decisions = review.decisions;
    if (review.notes.length > 0) plan.decisionNotes = review.notes;
  }
  const restored = planInvariantsRestored(desired, cedar?.live, changes);
  if (restored.length > 0) plan.invariantsRestored = restored;
  return plan;
}
