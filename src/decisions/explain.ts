/**
 * The core of `accessctl explain` (SPEC section 4a): one request's decision against a set of policies (the
 * desired ones, or the live ones with `--live`), and why — the priority group that decided, its deciding rules,
 * the permits a forbid overrode, the rules of higher groups that did not match, and the rules whose conditions
 * errored. Only rules whose scope can match the request reach the engine, so a cold explain costs one small parse
 * however large the tenant.
 */
import type { EvalPolicy } from "../cedar/evaluate.js";
import { literalOf } from "./entity-keys.js";
import { parseRequestLiterals } from "./request-literals.js";
import type { RequestProblem } from "./request-literals.js";
import { refFor } from "./rule-refs.js";
import type { RuleRef, RuleRefs } from "./rule-refs.js";
import { createSideEvaluator } from "./side-evaluator.js";

export interface ExplainInput {
  policies: readonly EvalPolicy[];
  /** Cedar schema text. */
  schema?: string;
  /** A Cedar entities JSON array. */
  entities?: unknown;
  principal: string;
  /** A literal, or a bare action id. */
  action: string;
  resource: string;
  /** JSON text (as given to `--context`) or an object. */
  context?: string | Record<string, unknown>;
  refs?: RuleRefs;
}

export interface Explanation {
  request: { principal: string; action: string; resource: string; context: Record<string, unknown> };
  decision: "allow" | "deny" | "error";
  /** The group that decided; null when no rule matched (deny by default) or the request could not be evaluated. */
  group: { priority: number } | null;
  deciding: RuleRef[];
  /** Permits of the deciding group that matched but lost to a forbid. */
  overridden: RuleRef[];
  /** The groups above the deciding one (every group when nothing matched), highest first: none of their rules matched. */
  notMatched: { priority: number; rules: RuleRef[] }[];
  /** Rules whose conditions errored in the groups consulted, and rules that do not parse (they never match). */
  errored: { rule: RuleRef; message: string }[];
  requestError?: string;
  warnings: string[];
}

export type ExplainResult = { ok: true; explanation: Explanation } | { ok: false; problems: RequestProblem[] };

export function explainRequest(input: ExplainInput): ExplainResult {
  const parsed = parseRequestLiterals(input.principal, input.action, input.resource, input.context);
  if (!parsed.ok) return parsed;
  const request = parsed.request;
  const evaluator = createSideEvaluator({
    sides: [input.policies],
    ...(input.schema === undefined ? {} : { schema: input.schema }),
    ...(input.entities === undefined ? {} : { entities: input.entities }),
  });
  const outcome = evaluator.evaluate([request])[0]?.[0];
  if (!outcome) throw new Error("bug: no outcome for the request");
  const ref = (key: string) => refFor(input.refs, key);

  const deciding = new Set(outcome.deciding);
  const overridden = outcome.decision === "deny" ? outcome.matched.filter((k) => !deciding.has(k) && priorityOf(input.policies, k) === outcome.priority) : [];
  const notMatched = new Map<number, RuleRef[]>();
  if (outcome.decision !== "error") {
    for (const p of input.policies) {
      if (!p.enabled || (outcome.priority !== undefined && p.priority <= outcome.priority)) continue;
      const list = notMatched.get(p.priority) ?? [];
      list.push(...p.rules.map((r) => ref(r.key)));
      notMatched.set(p.priority, list);
    }
  }
  const errored = [...evaluator.unparsable(), ...outcome.errors].map((e) => ({ rule: ref(e.key), message: e.message }));
  const explanation: Explanation = {
    request: { principal: literalOf(request.principal), action: literalOf(request.action), resource: literalOf(request.resource), context: request.context },
    decision: outcome.decision,
    group: outcome.priority === undefined ? null : { priority: outcome.priority },
    deciding: outcome.deciding.map(ref),
    overridden: overridden.map(ref),
    notMatched: [...notMatched].sort(([a], [b]) => b - a).map(([priority, rules]) => ({ priority, rules })),
    errored,
    ...(outcome.requestError === undefined ? {} : { requestError: outcome.requestError }),
    warnings: [...evaluator.warnings],
  };
  return { ok: true, explanation };
}

function priorityOf(policies: readonly EvalPolicy[], key: string): number | undefined {
  for (const p of policies) if (p.enabled && p.rules.some((r) => r.key === key)) return p.priority;
  return undefined;
}
