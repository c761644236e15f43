/**
 * Decides many requests against one or more sets of policies ("sides": the live rules and the rules after a
 * change; or just the desired rules) with the service's semantics, in one engine call per request for all sides.
 *
 * Why not one policy set for everything: the engine's cost per request grows with the size of the policy set
 * (≈2 µs per rule, matching or not), so 20,000 requests against 2,000 rules would take ~80 s. Instead each request
 * is given only the rules whose scope can match it (scope-index.ts), and only those with conditions: a rule without
 * conditions matches exactly when its scope does, and cannot error. Requests that need the same rules share one
 * parsed set (`preparsePolicySet` once, `statefulIsAuthorized` per request). Every rule is given as a `permit`
 * (effect rewritten, as in evaluate.ts) so that the engine's reasons list every rule that matched; the priority
 * groups are then applied per side (service-decision.ts). A rule with the same text on both sides is evaluated once.
 * Each call is given only the entities its rules can read (entity-needs.ts): each one costs more than a rule.
 * The rewriting is asPermit's (src/cedar/evaluate.ts), done here from the one lexing of rule-facts.ts.
 */
import type { EntityRef } from "../cedar/assemble.js";
import { parseRules } from "../cedar/check-rules.js";
import { preparsePolicySet, statefulIsAuthorized } from "../cedar/engine.js";
import type { CedarValueJson } from "../cedar/engine.js";
import { engineModes } from "../cedar/evaluate.js";
import type { EngineMode, EvalPolicy, RuleError } from "../cedar/evaluate.js";
import { keyOf } from "./entity-keys.js";
import { Hierarchy } from "./hierarchy.js";
import { ruleFacts } from "./rule-facts.js";
import type { RuleScope } from "./rule-scope.js";
import { ScopeIndex } from "./scope-index.js";
import { errorOutcome, serviceDecision } from "./service-decision.js";
import type { Outcome, SideRule } from "./service-decision.js";

export interface SideEvaluatorInput {
  /** Each side is a whole tenant: every policy, with `enabled` and `priority` (disabled ones are skipped). */
  sides: readonly (readonly EvalPolicy[])[];
  /** Cedar schema text. */
  schema?: string;
  /** A Cedar entities JSON array. */
  entities?: unknown;
  /** The universe's hierarchy, when there is one (else built from the entities and the schema). */
  hierarchy?: Hierarchy;
}

export interface DecisionRequest {
  principal: EntityRef;
  action: EntityRef;
  resource: EntityRef;
  context: Record<string, unknown>;
}

export interface SideEvaluator {
  /** `outcomes[request][side]`. */
  evaluate(requests: readonly DecisionRequest[]): Outcome[][];
  /** Problems found while preparing or evaluating (entities that do not match the schema, …), once each. */
  readonly warnings: string[];
  /** Rules that do not parse, found so far (they never match). */
  unparsable(): RuleError[];
  /** Engine calls made by `evaluate`, for measurements. */
  readonly stats: { sets: number; calls: number; skipped: number };
}

/** One distinct rule text as the engine sees it. */
interface EngineRule {
  text: string;
  scope: RuleScope;
  roots: string[];
  single: boolean;
  /** Its conditions read only the request's entities (entity-needs.ts). */
  shallow: boolean;
  /** Which side rules carry this text: [side, rule]. */
  owners: [number, SideRule][];
  unparsable?: string;
}

/** Shared by every request no rule matches (outcomes are read, never changed). */
const NOTHING_MATCHED: Outcome = Object.freeze(serviceDecision([], []));

// The engine cannot forget a parsed set, but parsing into the same id replaces it: one slot, reused per group.
const SLOT = "accessctl-decisions";

export function createSideEvaluator(input: SideEvaluatorInput): SideEvaluator {
  // The access tests' modes (src/cedar/evaluate.ts), so that a decision shown in review is the one `accessctl test` gives.
  const modes = engineModes(input, { preparse: true });
  const warnings = [...modes.warnings];
  const warned = new Set(warnings);
  const warn = (w: string) => {
    if (warned.has(w)) return;
    warned.add(w);
    warnings.push(w);
  };

  const rules: EngineRule[] = [];
  const byText = new Map<string, number>();
  input.sides.forEach((policies, side) => {
    let order = 0;
    for (const p of policies) {
      if (!p.enabled) continue;
      for (const r of p.rules) {
        const facts = ruleFacts(r.text);
        let i = byText.get(facts.permitText);
        if (i === undefined) {
          i = rules.length;
          byText.set(facts.permitText, i);
          rules.push({
            text: facts.permitText,
            scope: facts.scope,
            roots: facts.conditionLiterals,
            single: facts.single,
            shallow: facts.shallow,
            owners: [],
          });
        }
        rules[i]?.owners.push([side, { key: r.key, priority: p.priority, effect: facts.effect, order: order++ }]);
      }
    }
  });

  // The entities and the schema's action entities, as the engine is given them.
  const hierarchy = input.hierarchy ?? new Hierarchy([...modes.entities, ...(modes.actions ?? [])]);
  const index = new ScopeIndex(
    rules.map((r) => ({ scope: r.scope })),
    hierarchy,
  );
  const stats = { sets: 0, calls: 0, skipped: 0 };
  const sideCount = input.sides.length;

  /**
   * Parses the rules `ids` into the slot, dropping rules that do not parse. Returns the rules actually prepared
   * and how the engine names them. One text of single statements parses twice as fast as a record of texts; the
   * engine then names them `policy0`, `policy1`, … in order (annotations do not rename them).
   */
  const prepare = (ids: readonly number[]): { ids: number[]; ruleOf: (engineId: string) => number } => {
    for (;;) {
      const live = ids.filter((i) => rules[i]?.unparsable === undefined);
      if (live.length === 0) return { ids: live, ruleOf: () => -1 };
      stats.sets++;
      if (live.every((i) => rules[i]?.single)) {
        const text = live.map((i) => rules[i]?.text ?? "").join("\n");
        if (preparsePolicySet(SLOT, { staticPolicies: text }).type === "success") {
          return { ids: live, ruleOf: (id) => live[Number(id.slice("policy".length))] ?? -1 };
        }
      }
      const set: Record<string, string> = {};
      for (const i of live) set[`r${i}`] = rules[i]?.text ?? "";
      if (preparsePolicySet(SLOT, { staticPolicies: set }).type === "success") return { ids: live, ruleOf: (id) => Number(id.slice(1)) };
      const problems = parseRules(live.map((i) => ({ key: String(i), text: rules[i]?.text ?? "" })));
      if (problems.length === 0) throw new Error("bug: rules that parse one by one could not be preparsed together");
      for (const p of problems) {
        const r = rules[Number(p.key)];
        if (r && r.unparsable === undefined) r.unparsable = `the rule does not parse, so it cannot match: ${p.message}`;
      }
    }
  };

  /** What a group of rules needs to pick each request's entities: the same for every request of the group. */
  const needs = (ids: readonly number[]) => ({
    shallow: ids.every((i) => rules[i]?.shallow),
    roots: ids.flatMap((i) => rules[i]?.roots ?? []),
  });

  const call = (mode: EngineMode, request: DecisionRequest, group: ReturnType<typeof needs>) => {
    const uids = [request.principal, request.action, request.resource].map(keyOf);
    const context = request.context as Record<string, CedarValueJson>;
    const entities = group.shallow ? mode.index.ancestry(uids) : mode.index.reachable([...uids, ...group.roots], context);
    stats.calls++;
    return statefulIsAuthorized({
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      context,
      entities,
      validateRequest: false,
      preparsedPolicySetId: SLOT,
      ...(mode.schemaName === undefined ? {} : { preparsedSchemaName: mode.schemaName }),
    });
  };

  const finish = (matchedIds: readonly number[], erroredIds: readonly { id: number; message: string }[]): Outcome[] => {
    if (matchedIds.length === 0 && erroredIds.length === 0) return new Array<Outcome>(sideCount).fill(NOTHING_MATCHED);
    const out: Outcome[] = [];
    for (let side = 0; side < sideCount; side++) {
      const matched = matchedIds.flatMap((i) => (rules[i]?.owners ?? []).filter(([s]) => s === side).map(([, r]) => r));
      const errored = erroredIds.flatMap(({ id, message }) =>
        (rules[id]?.owners ?? []).filter(([s]) => s === side).map(([, rule]) => ({ rule, message })),
      );
      out.push(serviceDecision(matched, errored));
    }
    return out;
  };

  const evaluate = (requests: readonly DecisionRequest[]): Outcome[][] => {
    const outcomes: Outcome[][] = new Array<Outcome[]>(requests.length);
    const groups = new Map<string, { ids: number[]; members: { request: number; direct: number[] }[] }>();
    requests.forEach((request, n) => {
      const resourceKey = keyOf(request.resource);
      const scoped = index
        .candidates(keyOf(request.action), keyOf(request.principal))
        .filter((i) => rules[i]?.unparsable === undefined && index.admitsResource(i, resourceKey));
      const direct = scoped.filter((i) => !rules[i]?.scope.conditional);
      const conditional = scoped.filter((i) => rules[i]?.scope.conditional);
      if (conditional.length === 0) {
        stats.skipped++;
        outcomes[n] = finish(direct, []);
        return;
      }
      const signature = conditional.join(",");
      const group = groups.get(signature);
      if (group) group.members.push({ request: n, direct });
      else groups.set(signature, { ids: conditional, members: [{ request: n, direct }] });
    });

    const fallbacks: { count: number; first?: string } = { count: 0 };
    for (const group of groups.values()) {
      const { ids, ruleOf } = prepare(group.ids);
      const need = needs(ids);
      for (const { request: n, direct } of group.members) {
        const request = requests[n] as DecisionRequest;
        if (ids.length === 0) {
          outcomes[n] = finish(direct, []);
          continue;
        }
        let answer = call(modes.primary, request, need);
        if (answer.type !== "success" && modes.fallback) {
          fallbacks.first ??= answer.errors.map((e) => e.message).join("; ");
          fallbacks.count++;
          answer = call(modes.fallback, request, need);
        }
        if (answer.type !== "success") {
          const message = answer.errors.map((e) => e.message).join("; ");
          outcomes[n] = new Array<Outcome>(sideCount).fill(errorOutcome(message));
          continue;
        }
        const matched = [...direct, ...answer.response.diagnostics.reason.map(ruleOf)];
        const errored = answer.response.diagnostics.errors.map((e) => ({ id: ruleOf(e.policyId), message: e.error.message }));
        outcomes[n] = finish(matched, errored);
      }
    }
    // One line however many requests: the reader needs the fact and an example, not thousands of lines.
    if (fallbacks.count > 0) warn(`${fallbacks.count} request(s) do not match the schema and were evaluated without it, e.g.: ${fallbacks.first}`);
    return outcomes;
  };

  const unparsable = (): RuleError[] => {
    const byKey = new Map<string, string>();
    for (const r of rules) if (r.unparsable !== undefined) for (const [, o] of r.owners) byKey.set(o.key, r.unparsable);
    return [...byKey].map(([key, message]) => ({ key, message }));
  };

  return { evaluate, warnings, unparsable, stats };
}
