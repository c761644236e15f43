/**
 * `POST /v1/policies/evaluate` through the project's evaluator (src/cedar/evaluate.ts), which implements
 * API.md's semantics: disabled policies skipped, priority groups highest first, forbid wins inside a group,
 * default deny, erroring rules do not match and are reported.
 */

import { entityLiteral } from "../cedar/assemble.js";
import { evaluate } from "../cedar/evaluate.js";
import type { EvalPolicy } from "../cedar/evaluate.js";
import type { Body } from "./body-fields.js";
import { rulesOf } from "./cedar-views.js";
import { badRequest } from "./errors.js";
import type { Store } from "./store.js";

/** Accepts `User::"alice"` or `{type, id}`; for the action a bare id means `Action::"id"`. */
function entityArg(body: Body, field: "principal" | "action" | "resource"): string {
  const v = body[field];
  if (typeof v === "string" && v !== "") {
    return field === "action" && !v.includes("::") ? entityLiteral("Action", v) : v;
  }
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const { type, id } = v as Record<string, unknown>;
    if (typeof type === "string" && typeof id === "string") return entityLiteral(type, id);
  }
  throw badRequest(`${field} must be an entity literal such as User::"alice" or an object {type, id}`);
}

export function evaluateRequest(store: Store, body: Body) {
  const principal = entityArg(body, "principal");
  const action = entityArg(body, "action");
  const resource = entityArg(body, "resource");
  const context = body.context;
  if (context !== undefined && context !== null && (typeof context !== "object" || Array.isArray(context))) {
    throw badRequest("context must be a JSON object");
  }
  const entities = body.entities;
  if (entities !== undefined && !Array.isArray(entities)) throw badRequest("entities must be a JSON array of Cedar entities");

  const policyOfRule = new Map<string, string>();
  const policies: EvalPolicy[] = [...store.all("cedarPolicies")].map((p) => ({
    key: p.id,
    enabled: p.enabled,
    priority: p.priority,
    rules: rulesOf(store, p.id).map((r) => {
      policyOfRule.set(r.id, p.id);
      return { key: r.id, text: r.policy_text };
    }),
  }));
  const result = evaluate({
    policies,
    ...(entities === undefined ? {} : { entities }),
    request: { principal, action, resource, context: (context ?? {}) as Record<string, unknown> },
  });
  if (result.requestError !== undefined) throw badRequest(`cannot evaluate the request: ${result.requestError}`);

  const permitted = result.decision === "allow";
  const matchingPolicyIds = [...new Set(result.deciding.map((ruleId) => policyOfRule.get(ruleId) ?? ruleId))];
  const reason = permitted
    ? `permitted by ${result.deciding.length} rule(s) of policy ${matchingPolicyIds.join(", ")}`
    : result.deciding.length > 0
      ? `forbidden by ${result.deciding.length} rule(s) of policy ${matchingPolicyIds.join(", ")}`
      : "no rule matched (default deny)";
  return {
    permitted,
    matching_policy_ids: matchingPolicyIds,
    matching_rule_ids: result.deciding,
    reason,
    errors: result.errors.map((e) => ({ rule_id: e.key, policy_id: policyOfRule.get(e.key) ?? null, message: e.message })),
  };
}
