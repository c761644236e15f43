/**
 * Invariants (SPEC sections 4a and 10): each must hold for every request of the universe its scope matches —
 * "contractors never delete". The requests are those a rule of the same scope could match (request-space.ts),
 * with the universe's contexts or the invariant's own `context` instead; each is decided with the service's
 * semantics. Above the cap (`cedar.review.maxRequests`) an invariant is not checked and says so: never sampled.
 * Pure: the universe and a decider come in.
 */
import { literalOf } from "../decisions/entity-keys.js";
import { DEFAULT_MAX_REQUESTS, requestsMatching } from "../decisions/request-space.js";
import { refFor } from "../decisions/rule-refs.js";
import type { RuleRef, RuleRefs } from "../decisions/rule-refs.js";
import type { Outcome } from "../decisions/service-decision.js";
import type { DecisionRequest } from "../decisions/side-evaluator.js";
import type { Universe } from "../decisions/universe.js";
import type { DesiredInvariant } from "../desired/types.js";
import type { UniverseDecider } from "./universe-decider.js";
import { withContext } from "./universe-decider.js";

/** A request as outputs show it. */
export interface ShownRequest {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, unknown>;
}

export interface InvariantViolation {
  /** The first violating request in universe order. */
  request: ShownRequest;
  decision: "allow" | "deny" | "error";
  /** The rules that decide it (none: no rule matches, deny by default). */
  deciding: RuleRef[];
  requestError?: string;
  /** How many of the checked requests violate it. */
  count: number;
}

export interface InvariantCheck {
  name: string;
  expect: "allow" | "deny";
  /** `capped`: more than `maxRequests` requests match; none were checked. */
  status: "holds" | "violated" | "capped";
  /** Requests checked (when capped: how many match, counted up to where counting stopped). */
  requests: number;
  violation?: InvariantViolation;
}

export interface InvariantsInput {
  invariants: readonly DesiredInvariant[];
  universe: Universe;
  decider: UniverseDecider;
  /** Which of the decider's sides to check (default 0). */
  side?: number;
  maxRequests?: number;
  refs?: RuleRefs;
}

export function checkInvariants(input: InvariantsInput): InvariantCheck[] {
  return input.invariants.map((inv, i) => checkInvariant(inv, i, input));
}

/**
 * The requests an invariant's scope matches, decided on every side of the decider (`outcomes[request][side]`);
 * above the cap, only how many match (counted up to where counting stopped). `index` tells the invariants apart.
 */
export function decideInvariant(
  inv: DesiredInvariant,
  index: number,
  input: Pick<InvariantsInput, "universe" | "decider" | "maxRequests">,
): { capped: true; count: number } | { capped: false; requests: DecisionRequest[]; outcomes: Outcome[][] } {
  const max = input.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const universe = inv.context === undefined ? input.universe : withContext(input.universe, inv.context);
  const space = requestsMatching(universe, [inv.scopeText], { maxRequests: max, envs: "never" });
  if (space.capped) return { capped: true, count: space.count };
  return { capped: false, ...input.decider.decide(universe, space.requests, inv.context === undefined ? "" : `invariant ${index}`) };
}

export function checkInvariant(inv: DesiredInvariant, index: number, input: InvariantsInput): InvariantCheck {
  const side = input.side ?? 0;
  const decided = decideInvariant(inv, index, input);
  if (decided.capped) return { name: inv.name, expect: inv.expect, status: "capped", requests: decided.count };
  const { requests, outcomes } = decided;
  let first = -1;
  let count = 0;
  outcomes.forEach((o, n) => {
    if (o[side]?.decision === inv.expect) return;
    count++;
    if (first < 0) first = n;
  });
  const result: InvariantCheck = { name: inv.name, expect: inv.expect, status: count === 0 ? "holds" : "violated", requests: requests.length };
  if (first >= 0) {
    const outcome = outcomes[first]?.[side];
    const request = requests[first] as DecisionRequest;
    result.violation = {
      request: shownRequest(request),
      decision: outcome?.decision ?? "error",
      deciding: (outcome?.deciding ?? []).map((k) => refFor(input.refs, k)),
      ...(outcome?.requestError === undefined ? {} : { requestError: outcome.requestError }),
      count,
    };
  }
  return result;
}

export function shownRequest(r: DecisionRequest): ShownRequest {
  return { principal: literalOf(r.principal), action: literalOf(r.action), resource: literalOf(r.resource), context: r.context };
}
