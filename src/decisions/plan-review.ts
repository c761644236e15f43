/**
 * The plan's decision review (SPEC sections 4a and 10; docs/plan-and-apply.md#decision-review): the whole tenant
 * before the plan's changes and after them, decided on one universe built from the live, desired and test rules,
 * every deciding rule named by its address, `@id` and file:line. Pure: the live state and the changes come in.
 */
import type { DesiredCedarPolicy, DesiredState } from "../desired/types.js";
import type { LiveCedarPolicy } from "../live/types.js";
import { matchRules } from "../plan/diff-cedar.js";
import type { Change } from "../plan/model.js";
import { reviewDecisions } from "./decision-diff.js";
import type { Decisions } from "./decision-diff.js";
import { desiredRuleRefs } from "./rule-refs.js";
import type { RuleRef } from "./rule-refs.js";
import { liveRuleAddress, liveRuleKey, tenantAfter } from "./tenant-sides.js";
import { buildUniverse } from "./universe.js";

export interface PlanReviewInput {
  desired: DesiredState;
  /** Every live Cedar policy of the tenant, managed or not. */
  live: readonly LiveCedarPolicy[];
  /** Desired policies and the live policy each one is (the diff's pairing). */
  paired: readonly { desired: DesiredCedarPolicy; live?: LiveCedarPolicy }[];
  /** The plan's changes (the selected ones under `--only`). */
  changes: readonly Change[];
  /** The base branch's changes against the same live state (`--base`), for the drift marks. */
  baseChanges?: readonly Change[];
}

export interface PlanReview {
  decisions: Decisions;
  /** Warnings for the reader: the cap, rules that do not parse, requests the engine could not evaluate. */
  notes: string[];
}

export function planDecisionReview(input: PlanReviewInput): PlanReview {
  const { desired, live } = input;
  const before = tenantAfter(live, []);
  const after = tenantAfter(live, input.changes);
  const base = input.baseChanges ? tenantAfter(live, input.baseChanges, (a) => `base:${a}`) : undefined;
  const cedar = desired.cedar;
  const schema = cedar?.schema?.text;
  const entities = cedar?.tests?.entities?.value;
  const tests = (cedar?.tests?.cases ?? []).map((t) => ({ principal: t.principal, action: t.action, resource: t.resource, context: t.context }));
  const texts = new Set<string>();
  for (const side of [before, after, ...(base ? [base] : [])]) for (const p of side) for (const r of p.rules) texts.add(r.text);
  for (const p of cedar?.policies ?? []) for (const r of p.rules) texts.add(r.text);
  const universe = buildUniverse({ ...(schema === undefined ? {} : { schema }), ...(entities === undefined ? {} : { entities }), rules: [...texts], tests });
  const review = reviewDecisions({
    before,
    after,
    ...(base ? { base } : {}),
    ...(schema === undefined ? {} : { schema }),
    ...(entities === undefined ? {} : { entities }),
    tests,
    universe,
    refs: planRuleRefs(desired, live, input.paired),
    ...(cedar?.review?.maxRequests === undefined ? {} : { maxRequests: cedar.review.maxRequests }),
  });
  const notes = [...review.notes];
  if (review.errorChangedElsewhere > 0) {
    notes.push(`${review.errorChangedElsewhere} request(s) keep their decision but not the rules whose conditions error on them (errorChanged)`);
  }
  return { decisions: review.decisions, notes };
}

/**
 * How the review names each rule: a desired rule by its address, `@id` and file:line; a live rule by the desired
 * rule it is (the diff's rule matching), else by its live address.
 */
export function planRuleRefs(
  desired: DesiredState,
  live: readonly LiveCedarPolicy[],
  paired: readonly { desired: DesiredCedarPolicy; live?: LiveCedarPolicy }[],
): Map<string, RuleRef> {
  const refs = desiredRuleRefs(desired);
  for (const p of live) for (const r of p.rules) refs.set(liveRuleKey(p.name, r.ordinal, r.id), { address: liveRuleAddress(p.name, r.ordinal) });
  for (const { desired: d, live: l } of paired) {
    if (!l) continue;
    for (const pair of matchRules(d.rules, l.rules).pairs) {
      const ref = refs.get(pair.desired.address);
      if (ref) refs.set(liveRuleKey(l.name, pair.live.ordinal, pair.live.id), ref);
    }
  }
  return refs;
}

/** Desired policies paired with live ones by name (then by a previous name), as the diff pairs them. */
export function pairByName(
  desired: readonly DesiredCedarPolicy[],
  live: readonly LiveCedarPolicy[],
): { desired: DesiredCedarPolicy; live?: LiveCedarPolicy }[] {
  const byName = new Map(live.map((l) => [l.name, l]));
  return desired.map((d) => {
    const l = byName.get(d.name) ?? d.previousNames.map((n) => byName.get(n.name)).find((x) => x !== undefined);
    return l ? { desired: d, live: l } : { desired: d };
  });
}
