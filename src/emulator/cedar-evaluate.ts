/**
 * `POST /v1/policies/evaluate` through the project's evaluator (src/cedar/evaluate.ts), which implements the
 * service's semantics (docs/services.md#evaluation-semantics): disabled policies skipped, priority groups highest
 * first, forbid wins inside a group, default deny, erroring rules do not match and are reported.
 */

import { entityLiteral, parseEntityLiteral } from "../cedar/assemble.js";
import { evaluate } from "../cedar/evaluate.js";
import type { EvalPolicy } from "../cedar/evaluate.js";
import type { Body } from "./body-fields.js";
import { ruleText } from "./cedar-rules.js";
import { rulesOf } from "./cedar-views.js";
import { badRequest } from "./errors.js";
import type { Store } from "./store.js";

/**
 * One entity of the request, in either form. The service's documented form (docs/services.md#evaluation-semantics):
 * `principal` a user's email or id (→ `User::"<principal>"`), `resource` `"Type:id"` (split at its first `:`),
 * `action` an action id (→ `Action::"<action>"`). Ours, for tools and tests: an entity literal (`User::"alice"`) or
 * `{type, id}` anywhere.
 */
function entityArg(body: Body, field: "principal" | "action" | "resource"): string {
  const v = body[field];
  if (typeof v === "string" && v !== "") {
    if (parseEntityLiteral(v)) return v;
    if (field === "principal") return entityLiteral("User", v);
    if (field === "action") return entityLiteral("Action", v);
    const colon = v.indexOf(":");
    if (colon > 0 && colon < v.length - 1) return entityLiteral(v.slice(0, colon), v.slice(colon + 1));
  }
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const { type, id } = v as Record<string, unknown>;
    if (typeof type === "string" && typeof id === "string") return entityLiteral(type, id);
  }
  const documented = { principal: "a user's email or id", action: "an action id", resource: '"Type:id"' }[field];
  throw badRequest(`${field} must be ${documented}, an entity literal such as User::"alice", or an object {type, id}`);
}

/** `groups` (documented): the principal's parents `Group::"<g>"`, added to (or merged into) the request's entities. */
function withGroups(principal: string, groups: unknown, entities: unknown[] | undefined): unknown[] | undefined {
  if (groups === undefined || groups === null) return entities;
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== "string" || g === "")) throw badRequest("groups must be an array of non-empty strings");
  const uid = parseEntityLiteral(principal)!;
  const parents = (groups as string[]).map((id) => ({ type: "Group", id }));
  const list = [...(entities ?? [])];
  const i = list.findIndex((e) => {
    const u = (e as { uid?: { type?: unknown; id?: unknown } } | null)?.uid;
    return u?.type === uid.type && u.id === uid.id;
  });
  if (i < 0) list.push({ uid, attrs: {}, parents });
  else {
    const e = list[i] as { parents?: unknown[] };
    list[i] = { ...e, parents: [...(Array.isArray(e.parents) ? e.parents : []), ...parents] };
  }
  return list;
}

export function evaluateRequest(store: Store, body: Body) {
  const principal = entityArg(body, "principal");
  const action = entityArg(body, "action");
  const resource = entityArg(body, "resource");
  const context = body.context;
  if (context !== undefined && context !== null && (typeof context !== "object" || Array.isArray(context))) {
    throw badRequest("context must be a JSON object");
  }
  if (body.entities !== undefined && !Array.isArray(body.entities)) throw badRequest("entities must be a JSON array of Cedar entities");
  const entities = withGroups(principal, body.groups, body.entities as unknown[] | undefined);

  const policyOfRule = new Map<string, string>();
  const policies: EvalPolicy[] = [...store.all("cedarPolicies")].map((p) => ({
    key: p.id,
    enabled: p.enabled,
    priority: p.priority,
    rules: rulesOf(store, p.id).map((r) => {
      policyOfRule.set(r.id, p.id);
      return { key: r.id, text: ruleText(r) };
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
