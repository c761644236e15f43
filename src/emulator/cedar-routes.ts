/**
 * The Cedar policy API (docs/services.md#the-cedar-policy-api): policies holding ordered Cedar rules, and evaluation.
 * Ids are UUIDs; errors are `{code, message, details?}` (rendered by the HTTP layer).
 */

import { scopeFieldsOf, type RuleScopeFields } from "../cedar/rule-fields.js";
import {
  optionalBoolean,
  optionalInteger,
  optionalNullableInteger,
  optionalNullableString,
  requireObject,
  requiredIdList,
  requiredName,
  type Body,
} from "./body-fields.js";
import { evaluateRequest } from "./cedar-evaluate.js";
import { hasStructuredFields, readStructuredFields, ruleFromFields, ruleFromText, rulesFromPolicySet } from "./cedar-rules.js";
import { policyFullView, policySummaryView, ruleView, rulesOf, compareRules } from "./cedar-views.js";
import { badRequest, conflict, notFound } from "./errors.js";
import { createdUuid } from "./ids.js";
import type { Change, CedarPolicyRecord, CedarRuleRecord } from "./model.js";
import { decodeCursor, pageOf, readLimit } from "./pagination.js";
import { route, type Reply, type Route, type RouteContext } from "./router.js";
import type { Store } from "./store.js";

function policyById(store: Store, id: string | undefined): CedarPolicyRecord {
  const p = id === undefined ? undefined : store.get("cedarPolicies", id);
  if (!p) throw notFound(`policy ${id ?? ""} not found`);
  return p;
}

function ruleById(store: Store, policy: CedarPolicyRecord, id: string | undefined): CedarRuleRecord {
  const r = id === undefined ? undefined : store.get("cedarRules", id);
  if (!r || r.policy_id !== policy.id) throw notFound(`rule ${id ?? ""} not found in policy ${policy.id}`);
  return r;
}

function checkName(store: Store, name: string, except?: string): void {
  if (store.cedarPolicyNameHolders(name, except).length > 0) {
    throw conflict(`a policy named ${JSON.stringify(name)} already exists`);
  }
}

function checkDurations(max: number, def: number | null): void {
  if (def !== null && def > max) {
    throw badRequest(`default_duration_seconds (${def}) must not exceed max_duration_seconds (${max})`);
  }
}

function ruleRecord(
  store: Store,
  policyId: string,
  fields: RuleScopeFields,
  ordinal: number,
  extra: { notice: string | null; audit_session: boolean },
  now: string,
): CedarRuleRecord {
  const seq = store.nextCounter();
  return {
    id: createdUuid("rule", seq),
    policy_id: policyId,
    ...fields,
    ordinal,
    ...extra,
    created_at: now,
    updated_at: now,
    createdSeq: seq,
  };
}

// ---- policies ----------------------------------------------------------------------------------------------

function listPolicies(ctx: RouteContext): Reply {
  const limit = readLimit(ctx.query, ctx.options.pageSize);
  const after = decodeCursor(ctx.query, ["number"]);
  const afterSeq = (after?.[0] as number | undefined) ?? Number.NEGATIVE_INFINITY;
  // Map order is creation order, i.e. createdSeq order (a PATCH keeps an entry's place).
  const page = pageOf(
    [...ctx.store.all("cedarPolicies")],
    limit,
    (p) => p.createdSeq > afterSeq,
    (p) => [p.createdSeq],
    (p) => policySummaryView(ctx.store, p),
  );
  return { status: 200, body: page };
}

function createPolicy(ctx: RouteContext): Reply {
  const body = requireObject(ctx.body);
  const name = requiredName(body);
  const max = optionalInteger(body, "max_duration_seconds", 1);
  if (max === undefined) throw badRequest("missing field: max_duration_seconds");
  const def = optionalNullableInteger(body, "default_duration_seconds", 1) ?? null;
  checkDurations(max, def);
  const setText = optionalNullableString(body, "cedar_policy_set");
  const contents = setText ? rulesFromPolicySet(setText) : [];
  const record = {
    name,
    description: optionalNullableString(body, "description") ?? null,
    enabled: optionalBoolean(body, "enabled") ?? true,
    priority: optionalInteger(body, "priority") ?? 0,
    max_duration_seconds: max,
    default_duration_seconds: def,
    notification_channel: optionalNullableString(body, "notification_channel") ?? null,
  };
  checkName(ctx.store, name);
  const seq = ctx.store.nextCounter();
  const policy: CedarPolicyRecord = {
    id: createdUuid("policy", seq),
    ...record,
    created_at: ctx.now,
    updated_at: ctx.now,
    createdSeq: seq,
  };
  // The policy and the rules of its policy set are one commit: a crash never leaves half a policy set.
  const changes: Change[] = [{ op: "put", c: "cedarPolicies", v: policy }];
  contents.forEach((fields, i) => {
    changes.push({ op: "put", c: "cedarRules", v: ruleRecord(ctx.store, policy.id, fields, i + 1, { notice: null, audit_session: true }, ctx.now) });
  });
  ctx.store.commit(changes);
  return { status: 201, body: policyFullView(ctx.store, policy) };
}

function getPolicy(ctx: RouteContext): Reply {
  return { status: 200, body: policyFullView(ctx.store, policyById(ctx.store, ctx.params.policyId)) };
}

function patchPolicy(ctx: RouteContext): Reply {
  const existing = policyById(ctx.store, ctx.params.policyId);
  const body = requireObject(ctx.body);
  if (body.cedar_policy_set !== undefined) {
    throw badRequest("cedar_policy_set is accepted on create only; add, change or delete rules through /rules");
  }
  const next: CedarPolicyRecord = { ...existing };
  if (body.name !== undefined) next.name = requiredName(body);
  const description = optionalNullableString(body, "description");
  if (description !== undefined) next.description = description;
  const enabled = optionalBoolean(body, "enabled");
  if (enabled !== undefined) next.enabled = enabled;
  const priority = optionalInteger(body, "priority");
  if (priority !== undefined) next.priority = priority;
  if (body.max_duration_seconds === null) throw badRequest("max_duration_seconds cannot be null");
  const max = optionalInteger(body, "max_duration_seconds", 1);
  if (max !== undefined) next.max_duration_seconds = max;
  const def = optionalNullableInteger(body, "default_duration_seconds", 1);
  if (def !== undefined) next.default_duration_seconds = def;
  const channel = optionalNullableString(body, "notification_channel");
  if (channel !== undefined) next.notification_channel = channel;
  checkDurations(next.max_duration_seconds, next.default_duration_seconds);
  checkName(ctx.store, next.name, existing.id);
  if (JSON.stringify(next) !== JSON.stringify(existing)) {
    next.updated_at = ctx.now;
    ctx.store.commit([{ op: "put", c: "cedarPolicies", v: next }]);
  }
  return { status: 200, body: policyFullView(ctx.store, next) };
}

function deletePolicy(ctx: RouteContext): Reply {
  const existing = policyById(ctx.store, ctx.params.policyId);
  const changes: Change[] = ctx.store.ruleIdsOf(existing.id).map((id) => ({ op: "del", c: "cedarRules", id }));
  changes.push({ op: "del", c: "cedarPolicies", id: existing.id });
  ctx.store.commit(changes);
  return { status: 204 };
}

// ---- rules -------------------------------------------------------------------------------------------------

function listRules(ctx: RouteContext): Reply {
  const policy = policyById(ctx.store, ctx.params.policyId);
  const limit = readLimit(ctx.query, ctx.options.pageSize);
  const after = decodeCursor(ctx.query, ["number", "string", "number"]);
  const isAfter = (r: CedarRuleRecord): boolean => {
    if (!after) return true;
    const [ordinal, createdAt, seq] = after as [number, string, number];
    return compareRules(r, { ordinal, created_at: createdAt, createdSeq: seq } as CedarRuleRecord) > 0;
  };
  const page = pageOf(rulesOf(ctx.store, policy.id), limit, isAfter, (r) => [r.ordinal, r.created_at, r.createdSeq], ruleView);
  return { status: 200, body: page };
}

function readOrdinal(body: Body): number | undefined {
  if (body.ordinal === null) return undefined;
  return optionalInteger(body, "ordinal");
}

function createRule(ctx: RouteContext): Reply {
  const policy = policyById(ctx.store, ctx.params.policyId);
  const body = requireObject(ctx.body);
  const text = optionalNullableString(body, "policy_text");
  // policy_text wins over the structured fields (docs/services.md#rules-and-their-text).
  const fields = typeof text === "string" ? ruleFromText(text) : ruleFromFields(readStructuredFields(body, undefined));
  let ordinal = readOrdinal(body);
  if (ordinal === undefined) {
    // Appended last: one pass, no sort, so 2,000 appends to one policy stay linear each.
    let max = 0;
    for (const id of ctx.store.ruleIdsOf(policy.id)) max = Math.max(max, ctx.store.get("cedarRules", id)?.ordinal ?? 0);
    ordinal = max + 1;
  }
  const extra = {
    notice: optionalNullableString(body, "notice") ?? null,
    audit_session: optionalBoolean(body, "audit_session") ?? true,
  };
  const rule = ruleRecord(ctx.store, policy.id, fields, ordinal, extra, ctx.now);
  ctx.store.commit([{ op: "put", c: "cedarRules", v: rule }]);
  return { status: 201, body: ruleView(rule) };
}

function getRule(ctx: RouteContext): Reply {
  const policy = policyById(ctx.store, ctx.params.policyId);
  return { status: 200, body: ruleView(ruleById(ctx.store, policy, ctx.params.ruleId)) };
}


function patchRule(ctx: RouteContext): Reply {
  const policy = policyById(ctx.store, ctx.params.policyId);
  const existing = ruleById(ctx.store, policy, ctx.params.ruleId);
  const body = requireObject(ctx.body);
  const next: CedarRuleRecord = { ...existing };
  const text = optionalNullableString(body, "policy_text");
  let fields: RuleScopeFields | undefined;
  if (typeof text === "string") fields = ruleFromText(text);
  // Structured fields merge over the current ones. Ordinal, notice and audit_session alone leave them untouched.
  else if (hasStructuredFields(body)) fields = ruleFromFields(readStructuredFields(body, scopeFieldsOf(existing)));
  if (fields) Object.assign(next, fields);
  const ordinal = readOrdinal(body);
  if (ordinal !== undefined) next.ordinal = ordinal;
  const notice = optionalNullableString(body, "notice");
  if (notice !== undefined) next.notice = notice;
  const audit = optionalBoolean(body, "audit_session");
  if (audit !== undefined) next.audit_session = audit;
  if (JSON.stringify(next) !== JSON.stringify(existing)) {
    next.updated_at = ctx.now;
    ctx.store.commit([{ op: "put", c: "cedarRules", v: next }]);
  }
  return { status: 200, body: ruleView(next) };
}

/**
 * The documented reorder: `ids` must be exactly the policy's rule ids, each once (400 otherwise: a partial list
 * is refused); the rules are then numbered 1..n in that order, in one commit.
 */
function reorderRules(ctx: RouteContext): Reply {
  const policy = policyById(ctx.store, ctx.params.policyId);
  const body = requireObject(ctx.body);
  const ids = requiredIdList(body, "ids");
  const current = new Set(ctx.store.ruleIdsOf(policy.id));
  const unknown = ids.filter((id) => !current.has(id));
  if (unknown.length > 0) throw badRequest(`ids names rules that are not in policy ${policy.id}: ${unknown.join(", ")}`);
  if (ids.length !== current.size) {
    const listed = new Set(ids);
    const left = [...current].filter((id) => !listed.has(id));
    throw badRequest(`ids must list every rule of policy ${policy.id} exactly once; missing: ${left.join(", ")}`);
  }
  const changes: Change[] = [];
  ids.forEach((id, i) => {
    const rule = ctx.store.get("cedarRules", id)!;
    if (rule.ordinal !== i + 1) changes.push({ op: "put", c: "cedarRules", v: { ...rule, ordinal: i + 1, updated_at: ctx.now } });
  });
  if (changes.length > 0) ctx.store.commit(changes);
  return { status: 200, body: { message: "Reordered" } };
}

function deleteRule(ctx: RouteContext): Reply {
  const policy = policyById(ctx.store, ctx.params.policyId);
  const existing = ruleById(ctx.store, policy, ctx.params.ruleId);
  ctx.store.commit([{ op: "del", c: "cedarRules", id: existing.id }]);
  return { status: 204 };
}

function evaluate(ctx: RouteContext): Reply {
  return { status: 200, body: evaluateRequest(ctx.store, requireObject(ctx.body)) };
}

export const cedarRoutes: readonly Route[] = [
  route("GET", "/v1/policies", listPolicies),
  route("POST", "/v1/policies", createPolicy),
  route("POST", "/v1/policies/evaluate", evaluate),
  route("GET", "/v1/policies/:policyId", getPolicy),
  route("PATCH", "/v1/policies/:policyId", patchPolicy),
  route("DELETE", "/v1/policies/:policyId", deletePolicy),
  route("GET", "/v1/policies/:policyId/rules", listRules),
  route("POST", "/v1/policies/:policyId/rules", createRule),
  route("GET", "/v1/policies/:policyId/rules/:ruleId", getRule),
  // Before the rule PATCH, which would otherwise take `reorder` for a rule id.
  route("PATCH", "/v1/policies/:policyId/rules/reorder", reorderRules),
  route("PATCH", "/v1/policies/:policyId/rules/:ruleId", patchRule),
  route("DELETE", "/v1/policies/:policyId/rules/:ruleId", deleteRule),
];
