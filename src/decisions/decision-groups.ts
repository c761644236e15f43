/**
 * Outcomes before and after a change → the groups of `plan.decisions` (SPEC section 10): one per (principal type,
 * action, resource type) whose decision changes somewhere, `wider` (deny → allow), `narrower` (allow → deny) or
 * `mixed`, with counts and at most five examples ordered by (principal, resource, context index) — a mixed group
 * shows both directions. A change in which rules errored with the same decision is counted as `errorChanged`,
 * never as wider or narrower; a group whose only changes are of that kind has no decision change and is not listed.
 */
import type { Outcome } from "./service-decision.js";
import type { DecisionRequest } from "./side-evaluator.js";
import type { UniverseRequest } from "./request-space.js";
import { refFor } from "./rule-refs.js";
import type { RuleRef, RuleRefs } from "./rule-refs.js";
import { compareRefs, compareStrings, literalOf } from "./entity-keys.js";

const MAX_EXAMPLES = 5;

export interface DecisionExample {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, unknown>;
  before: Outcome["decision"];
  after: Outcome["decision"];
  decidingBefore: RuleRef[];
  decidingAfter: RuleRef[];
  /** Only with a base: the base branch decides as after, so live differs from Git (drift this apply reverts). */
  drift?: boolean;
}

export interface DecisionGroup {
  principalType: string;
  /** The action literal, e.g. `Action::"view"`. */
  action: string;
  resourceType: string;
  change: "wider" | "narrower" | "mixed";
  counts: { wider: number; narrower: number; errorChanged: number; evaluated: number; drift?: number };
  examples: DecisionExample[];
}

interface Flip {
  n: number;
  direction: "wider" | "narrower";
}

export function decisionGroups(
  requests: readonly DecisionRequest[],
  positions: readonly UniverseRequest[],
  outcomes: readonly Outcome[][],
  options: { refs?: RuleRefs; drift?: boolean } = {},
): { groups: DecisionGroup[]; errorChangedElsewhere: number } {
  const byKey = new Map<string, { group: DecisionGroup; flips: Flip[] }>();
  requests.forEach((request, n) => {
    const [before, after, base] = outcomes[n] ?? [];
    if (!before || !after) throw new Error("bug: a request without both outcomes");
    const key = `${request.principal.type}\u0000${literalOf(request.action)}\u0000${request.resource.type}`;
    let entry = byKey.get(key);
    if (!entry) {
      const counts: DecisionGroup["counts"] = { wider: 0, narrower: 0, errorChanged: 0, evaluated: 0, ...(options.drift ? { drift: 0 } : {}) };
      const group: DecisionGroup = {
        principalType: request.principal.type,
        action: literalOf(request.action),
        resourceType: request.resource.type,
        change: "wider",
        counts,
        examples: [],
      };
      entry = { group, flips: [] };
      byKey.set(key, entry);
    }
    const counts = entry.group.counts;
    counts.evaluated++;
    const direction =
      before.decision === "deny" && after.decision === "allow" ? "wider" : before.decision === "allow" && after.decision === "deny" ? "narrower" : undefined;
    if (direction) {
      counts[direction]++;
      entry.flips.push({ n, direction });
      if (base?.decision === after.decision && counts.drift !== undefined) counts.drift++;
    } else if (before.decision !== after.decision || errorKeys(before) !== errorKeys(after)) {
      counts.errorChanged++;
    }
  });

  const groups: DecisionGroup[] = [];
  let errorChangedElsewhere = 0;
  for (const { group, flips } of byKey.values()) {
    const { wider, narrower } = group.counts;
    if (wider + narrower === 0) {
      errorChangedElsewhere += group.counts.errorChanged;
      continue;
    }
    group.change = wider > 0 && narrower > 0 ? "mixed" : wider > 0 ? "wider" : "narrower";
    const order = (a: Flip, b: Flip) => {
      const ra = requests[a.n] as DecisionRequest;
      const rb = requests[b.n] as DecisionRequest;
      return compareRefs(ra.principal, rb.principal) || compareRefs(ra.resource, rb.resource) || (positions[a.n]?.context ?? 0) - (positions[b.n]?.context ?? 0);
    };
    group.examples = pickExamples(flips.sort(order), group.change === "mixed").sort(order).map((f) => example(f.n));
    groups.push(group);
  }
  groups.sort((a, b) => compareStrings(a.principalType, b.principalType) || compareStrings(a.action, b.action) || compareStrings(a.resourceType, b.resourceType));
  return { groups, errorChangedElsewhere };

  function example(n: number): DecisionExample {
    const r = requests[n] as DecisionRequest;
    const [before, after, base] = outcomes[n] as Outcome[];
    return {
      principal: literalOf(r.principal),
      action: literalOf(r.action),
      resource: literalOf(r.resource),
      context: r.context,
      before: before?.decision ?? "error",
      after: after?.decision ?? "error",
      decidingBefore: (before?.deciding ?? []).map((k) => refFor(options.refs, k)),
      decidingAfter: (after?.deciding ?? []).map((k) => refFor(options.refs, k)),
      ...(options.drift ? { drift: base?.decision === after?.decision } : {}),
    };
  }
}

/** The first examples in order; a mixed group keeps at least one of each direction. */
function pickExamples(sorted: readonly Flip[], mixed: boolean): Flip[] {
  const first = sorted.slice(0, MAX_EXAMPLES);
  if (!mixed) return first;
  for (const direction of ["wider", "narrower"] as const) {
    if (first.some((f) => f.direction === direction)) continue;
    const missing = sorted.find((f) => f.direction === direction);
    if (missing) first[first.length - 1] = missing;
  }
  return first;
}

function errorKeys(o: Outcome): string {
  return o.errors
    .map((e) => e.key)
    .sort()
    .join("\u0000");
}
