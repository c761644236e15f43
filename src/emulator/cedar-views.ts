/**
 * Stored Cedar records → the wire shapes of the Cedar policy API (docs/services.md#the-cedar-policy-api), and the
 * list order of rules.
 */

import { scopeFieldsOf } from "../cedar/rule-fields.js";
import { ruleText } from "./cedar-rules.js";
import type { CedarPolicyRecord, CedarRuleRecord } from "./model.js";
import type { Store } from "./store.js";

export function ruleView(r: CedarRuleRecord) {
  return {
    id: r.id,
    policy_id: r.policy_id,
    policy_text: ruleText(r),
    ...scopeFieldsOf(r),
    ordinal: r.ordinal,
    notice: r.notice,
    audit_session: r.audit_session,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/**
 * Rules list by (ordinal, created_at) (docs/services.md#assumptions); creation sequence breaks ties within one
 * millisecond.
 */
export function compareRules(a: CedarRuleRecord, b: CedarRuleRecord): number {
  if (a.ordinal !== b.ordinal) return a.ordinal - b.ordinal;
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.createdSeq - b.createdSeq;
}

export function rulesOf(store: Store, policyId: string): CedarRuleRecord[] {
  return store
    .ruleIdsOf(policyId)
    .flatMap((id) => {
      const r = store.get("cedarRules", id);
      return r ? [r] : [];
    })
    .sort(compareRules);
}

function policyFields(p: CedarPolicyRecord) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    enabled: p.enabled,
    priority: p.priority,
    max_duration_seconds: p.max_duration_seconds,
    default_duration_seconds: p.default_duration_seconds,
    notification_channel: p.notification_channel,
  };
}

export function policySummaryView(store: Store, p: CedarPolicyRecord) {
  return { ...policyFields(p), rule_count: store.ruleCount(p.id), created_at: p.created_at, updated_at: p.updated_at };
}

export function policyFullView(store: Store, p: CedarPolicyRecord) {
  return { ...policyFields(p), created_at: p.created_at, updated_at: p.updated_at, rules: rulesOf(store, p.id).map(ruleView) };
}
