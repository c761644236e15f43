/**
 * "This apply restores invariant X": the invariants that hold with the rules after the plan but not with the live
 * ones — live drift or an earlier apply broke them, and this plan mends them. Each invariant is decided on both
 * sides over one universe (the live, desired and test rules' literals); an invariant above the cap is left out:
 * nothing is claimed that was not checked. Pure.
 */
import type { EvalPolicy } from "../cedar/evaluate.js";
import { tenantAfter } from "../decisions/tenant-sides.js";
import type { Universe } from "../decisions/universe.js";
import type { DesiredInvariant, DesiredState } from "../desired/types.js";
import type { LiveCedarPolicy } from "../live/types.js";
import type { Change } from "../plan/model.js";
import { decideInvariant } from "./invariants.js";
import { createUniverseDecider, qualityUniverse } from "./universe-decider.js";

export interface RestoredInput {
  /** The tenant as it is live. */
  live: readonly EvalPolicy[];
  /** The tenant as the plan leaves it. */
  desired: readonly EvalPolicy[];
  invariants: readonly DesiredInvariant[];
  /** Must hold every rule text of both sides. */
  universe: Universe;
  /** Cedar schema text. */
  schema?: string;
  /** A Cedar entities JSON array. */
  entities?: unknown;
  maxRequests?: number;
}

/** Names of the invariants that hold on `desired` and not on `live`, in file order. */
export function restoredInvariants(input: RestoredInput): string[] {
  const invariants = input.invariants.filter((i) => i.scopeText !== "");
  if (invariants.length === 0) return [];
  const decider = createUniverseDecider({
    universe: input.universe,
    sides: [input.live, input.desired],
    ...(input.schema === undefined ? {} : { schema: input.schema }),
    ...(input.entities === undefined ? {} : { entities: input.entities }),
  });
  const base = { universe: input.universe, decider, ...(input.maxRequests === undefined ? {} : { maxRequests: input.maxRequests }) };
  return invariants
    .filter((inv, i) => {
      // One decision per request for both sides; an invariant above the cap is neither holding nor violated.
      const decided = decideInvariant(inv, i, base);
      if (decided.capped) return false;
      const holds = (side: number) => decided.outcomes.every((o) => o[side]?.decision === inv.expect);
      return holds(1) && !holds(0);
    })
    .map((inv) => inv.name);
}

/** The plan's `invariantsRestored`: the live Cedar tenant before and after `changes`, with the files' invariants. */
export function planInvariantsRestored(desired: DesiredState, live: readonly LiveCedarPolicy[] | undefined, changes: readonly Change[]): string[] {
  const cedar = desired.cedar;
  if (!live || !cedar?.invariants?.length || !changes.some((c) => c.type === "cedar-policy" || c.type === "cedar-rule")) return [];
  const before = tenantAfter(live, []);
  const after = tenantAfter(live, changes);
  const texts = [...before, ...after].flatMap((p) => p.rules.map((r) => r.text));
  const schema = cedar.schema?.text;
  const entities = cedar.tests?.entities?.value;
  return restoredInvariants({
    live: before,
    desired: after,
    invariants: cedar.invariants,
    universe: qualityUniverse(desired, texts),
    ...(schema === undefined ? {} : { schema }),
    ...(entities === undefined ? {} : { entities }),
    ...(cedar.review?.maxRequests === undefined ? {} : { maxRequests: cedar.review.maxRequests }),
  });
}
