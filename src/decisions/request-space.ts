/**
 * The requests of the universe that some of the given rules can match: by scope (`==`, `in`, `is`, action groups),
 * then, when it pays, by the engine's request environments. A request that none of the changed rules can match is
 * decided the same way before and after the change, so the decision review evaluates only these.
 *
 * Above the cap nothing is enumerated further and the answer says `capped`: never a silent sample.
 */
import type { EntityRef } from "../cedar/assemble.js";
import { keyOf } from "./entity-keys.js";
import { requestEnv } from "./request-envs.js";
import { ruleFacts } from "./rule-facts.js";
import { ScopeIndex } from "./scope-index.js";
import type { DecisionRequest } from "./side-evaluator.js";
import type { ScopedRule } from "./scope-index.js";
import type { Universe } from "./universe.js";

export const DEFAULT_MAX_REQUESTS = 100_000;

/**
 * One request-environment call costs about as much as evaluating this many requests (≈1 ms vs ≈60 µs): below
 * that many requests per conditional rule, evaluating is cheaper than narrowing.
 */
const ENV_PAYOFF = 16;

export interface UniverseRequest {
  /** Index into `universe.actions`. */
  action: number;
  principal: EntityRef;
  resource: EntityRef;
  /** Index into the action's `contexts`. */
  context: number;
}

export interface RequestSpaceOptions {
  /** `cedar.review.maxRequests` (default 100,000). */
  maxRequests?: number;
  /** Narrow with the engine's request environments: when it pays (default), always, or never. */
  envs?: "auto" | "always" | "never";
}

export interface RequestSpace {
  /** In universe order: action, principal, resource, context. Empty when capped. */
  requests: UniverseRequest[];
  /** More than `maxRequests` requests: none are returned. */
  capped: boolean;
  /** The number of requests (when capped: the count at which counting stopped, above the cap). */
  count: number;
  /** How many rules the request environments narrowed. */
  narrowedByEnvs: number;
}

/** The requests that at least one of `texts` can match. */
export function requestsMatching(universe: Universe, texts: readonly string[], options: RequestSpaceOptions = {}): RequestSpace {
  const max = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const mode = options.envs ?? "auto";
  const distinct = [...new Set(texts)];
  const rules: ScopedRule[] = distinct.map((text) => ({ scope: ruleFacts(text).scope }));
  let space = enumerate(universe, rules, max);
  const schema = universe.schemaInfo?.json;
  const conditional = rules.filter((r) => r.scope.conditional).length;
  const pays = space.capped || space.count > ENV_PAYOFF * conditional;
  if (mode === "never" || !schema || !universe.typed || conditional === 0 || (mode === "auto" && !pays)) return space;
  let narrowed = 0;
  const withEnvs = rules.map((r, i): ScopedRule => {
    if (!r.scope.conditional) return r;
    const env = requestEnv(distinct[i] ?? "", schema);
    if (!env) return r;
    narrowed++;
    return { ...r, env };
  });
  space = enumerate(universe, withEnvs, max);
  return { ...space, narrowedByEnvs: narrowed };
}

/** Every request of the universe, within the cap (for checks that look at all of it). */
export function everyRequest(universe: Universe, options: Pick<RequestSpaceOptions, "maxRequests"> = {}): RequestSpace {
  return requestsMatching(universe, ["permit(principal, action, resource);"], { ...options, envs: "never" });
}

function enumerate(universe: Universe, rules: readonly ScopedRule[], max: number): RequestSpace {
  const index = new ScopeIndex(rules, universe.hierarchy);
  const requests: UniverseRequest[] = [];
  let count = 0;
  for (let action = 0; action < universe.actions.length; action++) {
    const a = universe.actions[action];
    if (!a || a.contexts.length === 0) continue;
    const actionKey = keyOf(a.ref);
    for (const principal of a.principals) {
      const candidates = index.candidates(actionKey, keyOf(principal));
      if (candidates.length === 0) continue;
      for (const resource of a.resources) {
        const resourceKey = keyOf(resource);
        if (!candidates.some((i) => index.admitsResource(i, resourceKey))) continue;
        count += a.contexts.length;
        if (count > max) return { requests: [], capped: true, count, narrowedByEnvs: 0 };
        for (let context = 0; context < a.contexts.length; context++) requests.push({ action, principal, resource, context });
      }
    }
  }
  return { requests, capped: false, count, narrowedByEnvs: 0 };
}

/** Universe requests as the evaluator takes them (the action's entity, the context's value). */
export function toDecisionRequests(universe: Universe, requests: readonly UniverseRequest[]): DecisionRequest[] {
  return requests.map((r) => {
    const action = universe.actions[r.action];
    if (!action) throw new Error("bug: a request names an action outside the universe");
    return { principal: r.principal, action: action.ref, resource: r.resource, context: action.contexts[r.context] ?? {} };
  });
}
