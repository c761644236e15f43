/**
 * One set of policies decided on the requests of the universe — all of them, or those some rules can match —
 * within the cap. The building block for checks that look at the whole universe rather than a change: coverage,
 * invariants ("contractors never delete": the requests an invariant's scope matches) and hygiene (shadowed and
 * redundant rules, from each request's matching and deciding rules).
 * A thin wrapper over the quality checks' decider (src/quality/universe-decider.ts), for one set of policies.
 */
import type { EvalPolicy } from "../cedar/evaluate.js";
import { createUniverseDecider } from "../quality/universe-decider.js";
import { everyRequest, requestsMatching } from "./request-space.js";
import type { RequestSpaceOptions, UniverseRequest } from "./request-space.js";
import type { Outcome } from "./service-decision.js";
import type { DecisionRequest } from "./side-evaluator.js";
import type { Universe } from "./universe.js";

export interface UniverseDecisionsInput {
  universe: Universe;
  policies: readonly EvalPolicy[];
  /** Cedar schema text. */
  schema?: string;
  /** A Cedar entities JSON array. */
  entities?: unknown;
  /** Only the requests these rules (e.g. an invariant's scope as `permit(<scope>);`) can match; default: all. */
  matching?: readonly string[];
  maxRequests?: number;
  envs?: RequestSpaceOptions["envs"];
}

export interface UniverseDecisions {
  /** In universe order; empty when capped. */
  requests: DecisionRequest[];
  /** Where each request sits in the universe (its action and context index). */
  positions: UniverseRequest[];
  /** `outcomes[i]` decides `requests[i]`. */
  outcomes: Outcome[];
  capped: boolean;
  /** The number of requests (when capped, where counting stopped). */
  count: number;
  warnings: string[];
}

export function decideUniverse(input: UniverseDecisionsInput): UniverseDecisions {
  const { universe } = input;
  const options = { ...(input.maxRequests === undefined ? {} : { maxRequests: input.maxRequests }), ...(input.envs ? { envs: input.envs } : {}) };
  const space = input.matching ? requestsMatching(universe, input.matching, options) : everyRequest(universe, options);
  if (space.capped) return { requests: [], positions: [], outcomes: [], capped: true, count: space.count, warnings: [] };
  const decider = createUniverseDecider({
    universe,
    sides: [input.policies],
    ...(input.schema === undefined ? {} : { schema: input.schema }),
    ...(input.entities === undefined ? {} : { entities: input.entities }),
  });
  const { requests, outcomes } = decider.decide(universe, space.requests);
  const warnings = [...decider.warnings, ...decider.unparsable().map((u) => `${u.key}: ${u.message}`)];
  return { requests, positions: space.requests, outcomes: outcomes.map((o) => o[0] as Outcome), capped: false, count: space.count, warnings };
}
