/**
 * The universe the rule-quality checks look at, and one evaluator for all of them: hygiene decides every request
 * of the universe, each invariant the requests its scope matches, often the same ones — each request is decided
 * once per validation, against one parsed set of rules (side-evaluator.ts).
 *
 * The universe is the decision review's (SPEC section 10), built from the rules, the access tests, the schema and
 * the tests' entities, plus the entity literals the invariants name: `principal: {eq: User::"mallory"}` checks
 * mallory even when no rule or test names her.
 */
import type { EvalPolicy, RuleError } from "../cedar/evaluate.js";
import { keyOf } from "../decisions/entity-keys.js";
import { toDecisionRequests } from "../decisions/request-space.js";
import type { UniverseRequest } from "../decisions/request-space.js";
import type { Outcome } from "../decisions/service-decision.js";
import { createSideEvaluator } from "../decisions/side-evaluator.js";
import type { DecisionRequest } from "../decisions/side-evaluator.js";
import { buildUniverse } from "../decisions/universe.js";
import type { Universe } from "../decisions/universe.js";
import type { DesiredState } from "../desired/types.js";

export interface DeciderInput {
  universe: Universe;
  /** Each side a whole set of policies (one for validation; live and after for the plan). */
  sides: readonly (readonly EvalPolicy[])[];
  /** Cedar schema text. */
  schema?: string;
  /** A Cedar entities JSON array. */
  entities?: unknown;
}

export interface UniverseDecider {
  /**
   * `outcomes[request][side]` for requests of `universe` (the decider's own, or one with other contexts: `tag`
   * tells which, so that answers are shared only between requests that are the same).
   */
  decide(universe: Universe, positions: readonly UniverseRequest[], tag?: string): { requests: DecisionRequest[]; outcomes: Outcome[][] };
  /** Entities that do not match the schema, requests evaluated without it, …: once each. */
  readonly warnings: string[];
  unparsable(): RuleError[];
}

export function createUniverseDecider(input: DeciderInput): UniverseDecider {
  const evaluator = createSideEvaluator({
    sides: input.sides,
    ...(input.schema === undefined ? {} : { schema: input.schema }),
    ...(input.entities === undefined ? {} : { entities: input.entities }),
    hierarchy: input.universe.hierarchy,
  });
  const memo = new Map<string, Outcome[]>();
  const decide = (universe: Universe, positions: readonly UniverseRequest[], tag = "") => {
    const requests = toDecisionRequests(universe, positions);
    const keys = positions.map((p) => `${tag}\u0001${p.action}\u0001${keyOf(p.principal)}\u0001${keyOf(p.resource)}\u0001${p.context}`);
    const missing: number[] = [];
    keys.forEach((k, i) => {
      if (!memo.has(k)) missing.push(i);
    });
    if (missing.length > 0) {
      const answers = evaluator.evaluate(missing.map((i) => requests[i] as DecisionRequest));
      missing.forEach((i, n) => memo.set(keys[i] as string, answers[n] as Outcome[]));
    }
    return { requests, outcomes: keys.map((k) => memo.get(k) as Outcome[]) };
  };
  return { decide, warnings: evaluator.warnings, unparsable: () => evaluator.unparsable() };
}

/** The universe of the quality checks for a desired state (and, at plan time, the live rules' texts too). */
export function qualityUniverse(desired: DesiredState, moreRules: readonly string[] = []): Universe {
  const cedar = desired.cedar;
  const schema = cedar?.schema?.text;
  const entities = cedar?.tests?.entities?.value;
  const rules = new Set<string>(moreRules);
  for (const p of cedar?.policies ?? []) for (const r of p.rules) rules.add(r.text);
  for (const inv of cedar?.invariants ?? []) if (inv.scopeText !== "") rules.add(inv.scopeText);
  const tests = (cedar?.tests?.cases ?? []).map((t) => ({ principal: t.principal, action: t.action, resource: t.resource, context: t.context }));
  return buildUniverse({ ...(schema === undefined ? {} : { schema }), ...(entities === undefined ? {} : { entities }), rules: [...rules], tests });
}

/** The universe with every action's contexts replaced by one (an invariant's own `context`). */
export function withContext(universe: Universe, context: Record<string, unknown>): Universe {
  const actions = universe.actions.map((a) => ({ ...a, contexts: [context] }));
  return { ...universe, actions, size: actions.reduce((n, a) => n + a.principals.length * a.resources.length, 0) };
}
