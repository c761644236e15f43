/**
 * The plan's pure stages wired together: diff → select (`--only`) → order → guards → impact → the plan as data.
 * Desired-state problems found against the live state throw InvalidDesiredStateError (exit 3); live state that
 * breaks identity throws LiveStateError (exit 1); `--only` leaving out a dependency that is not live yet throws
 * UsageError (exit 1). No I/O: the live state comes in as an argument.
 */
import type { Pattern } from "../address/address.js";
import type { DesiredState } from "../desired/types.js";
import { InvalidDesiredStateError, LiveStateError, UsageError } from "../errors/user-errors.js";
import type { LiveState } from "../live/types.js";
import { planChecksum } from "../plan/checksum.js";
import { diff } from "../plan/diff.js";
import { driftMarks } from "../plan/drift.js";
import { checkGuards } from "../plan/guards.js";
import { computeImpact } from "../plan/impact.js";
import { PLAN_FORMAT_VERSION, type Plan } from "../plan/model.js";
import { selectChanges } from "../plan/only.js";
import { sortChanges } from "../plan/order.js";
import { summarize } from "../plan/summary.js";

export interface ComposeOptions {
  only?: readonly Pattern[];
  onlySources?: string[];
  targets: Plan["targets"];
  /** The base branch's desired state, for the drift split. */
  base?: DesiredState;
}

export function composePlan(desired: DesiredState, live: LiveState, options: ComposeOptions): Plan {
  const only = options.only ?? [];
  const found = diff(desired, live);
  if (found.diagnostics.length > 0) throw new InvalidDesiredStateError(found.diagnostics);
  if (found.liveErrors.length > 0) throw new LiveStateError(found.liveErrors);
  const selected = selectChanges(found.changes, only);
  if (selected.errors.length > 0) throw new UsageError(selected.errors.join("\n"), "--only does not pull in dependencies");
  const changes = sortChanges(selected.changes);
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    sourceDigest: desired.digest,
    desired: { dir: desired.dir, files: desired.sources },
    targets: options.targets,
    changes,
    summary: summarize(changes),
    checksum: planChecksum(changes),
    guards: checkGuards(changes, found.pairings, desired.settings),
    impact: computeImpact(changes, found.pairings, desired),
  };
  if (options.onlySources && options.onlySources.length > 0) plan.only = options.onlySources;
  if (options.base) {
    // The base branch's own problems (names the live state lacks) do not stop the head's plan.
    plan.drift = driftMarks(changes, selectChanges(diff(options.base, live).changes, only).changes);
  }
  return plan;
}
