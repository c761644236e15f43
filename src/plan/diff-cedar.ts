/**
 * Diff of the Cedar tenant: policy metadata, and each policy's ordered rules matched for the fewest writes.
 * Pure, apart from the memoized engine call behind `canonicalRule`, made only for rules whose tokens differ.
 */
import { formatAddress } from "../address/address.js";
import { canonicalRule, tokenKey } from "../cedar/canonical.js";
import type { DesiredCedarPolicy, DesiredRule } from "../desired/types.js";
import type { LiveCedarPolicy, LiveCedarRule } from "../live/types.js";
import { isOwned, type DiffContext } from "./diff-context.js";
import { pairObjects } from "./match-objects.js";
import type { CedarPolicyFields, CedarRuleFields, Change, FieldChange, Ref } from "./model.js";

const SCOPE = "cedar";

export function diffCedar(desired: readonly DesiredCedarPolicy[], live: readonly LiveCedarPolicy[], ctx: DiffContext): Change[] {
  const changes: Change[] = [];
  const address = (name: string): string => formatAddress({ kind: "cedar-policy", name });
  const pairing = pairObjects(desired, live, address, "Cedar policy", ctx);
  for (const { desired: d, live: l, renamedFrom } of pairing.matched) {
    const policyRef: Ref = l ? { name: d.name, id: l.id } : { name: d.name };
    let policyChange: string | undefined;
    if (!l) {
      policyChange = `create:${d.address}`;
      changes.push({
        id: policyChange, kind: "create", type: "cedar-policy", address: d.address, scope: SCOPE, dependsOn: [], fields: [],
        body: { name: d.name, max_duration_seconds: d.maxDurationSeconds, ...optionalFields(d) },
      });
    } else {
      const fields = policyFieldChanges(d, l, renamedFrom);
      if (fields.length > 0) {
        const kind = renamedFrom !== undefined ? "rename" : "update";
        const body: CedarPolicyFields = {};
        for (const f of fields) (body as Record<string, unknown>)[WIRE[f.field]!] = f.after;
        changes.push({
          id: `${kind}:${d.address}`, kind, type: "cedar-policy", address: d.address, scope: SCOPE, dependsOn: [], fields, liveId: l.id, body,
          ...(renamedFrom !== undefined ? { fromName: renamedFrom } : {}),
        });
      }
    }
    changes.push(...diffRules(d, l?.rules ?? [], policyRef, policyChange));
  }
  for (const l of pairing.unclaimed) {
    const a = address(l.name);
    if (!isOwned(ctx, a)) continue;
    changes.push({
      id: `delete:${a}`, kind: "delete", type: "cedar-policy", address: a, scope: SCOPE, dependsOn: [], fields: [],
      liveId: l.id, name: l.name, ruleCount: l.rules.length,
    });
  }
  return changes;
}

/** Field name in plans → wire name. */
const WIRE: Record<string, keyof CedarPolicyFields> = {
  name: "name",
  description: "description",
  enabled: "enabled",
  priority: "priority",
  maxDurationSeconds: "max_duration_seconds",
  defaultDurationSeconds: "default_duration_seconds",
  notificationChannel: "notification_channel",
};

function optionalFields(d: DesiredCedarPolicy): CedarPolicyFields {
  const out: CedarPolicyFields = {};
  if (d.description !== undefined) out.description = d.description;
  if (d.enabled !== undefined) out.enabled = d.enabled;
  if (d.priority !== undefined) out.priority = d.priority;
  if (d.defaultDurationSeconds !== undefined) out.default_duration_seconds = d.defaultDurationSeconds;
  if (d.notificationChannel !== undefined) out.notification_channel = d.notificationChannel;
  return out;
}

function policyFieldChanges(d: DesiredCedarPolicy, l: LiveCedarPolicy, renamedFrom: string | undefined): FieldChange[] {
  const fields: FieldChange[] = [];
  if (renamedFrom !== undefined) fields.push({ field: "name", before: renamedFrom, after: d.name });
  const compare = (field: string, want: unknown, have: unknown): void => {
    if (want !== undefined && want !== have) fields.push({ field, before: have, after: want });
  };
  compare("description", d.description, l.description);
  compare("enabled", d.enabled, l.enabled);
  compare("priority", d.priority, l.priority);
  compare("maxDurationSeconds", d.maxDurationSeconds, l.maxDurationSeconds);
  compare("defaultDurationSeconds", d.defaultDurationSeconds, l.defaultDurationSeconds);
  compare("notificationChannel", d.notificationChannel, l.notificationChannel);
  return fields;
}

interface RulePair {
  desired: DesiredRule;
  live: LiveCedarRule;
  sameMeaning: boolean;
}

/**
 * Matches desired rules to live rules so that the plan makes the fewest writes: rules of the same meaning keep
 * their id (a move is one PATCH of `{ordinal}`), then leftover rules are paired into PATCHes of their text
 * (one write instead of a delete and a create), and only what is left is created or deleted. Linear in the number
 * of rules, apart from canonical forms computed for rules whose tokens match nothing.
 */
export function matchRules(desired: readonly DesiredRule[], live: readonly LiveCedarRule[]): { pairs: RulePair[]; creates: DesiredRule[]; deletes: LiveCedarRule[] } {
  const pairs: RulePair[] = [];
  let restDesired = [...desired];
  let restLive = [...live];
  for (const keyOf of [tokenKey, canonicalRule]) {
    if (restDesired.length === 0 || restLive.length === 0) break;
    const byKey = new Map<string, LiveCedarRule[]>();
    for (const l of restLive) {
      const k = keyOf(l.text);
      const list = byKey.get(k);
      if (list) list.push(l);
      else byKey.set(k, [l]);
    }
    const taken = new Set<LiveCedarRule>();
    const unmatched: DesiredRule[] = [];
    for (const d of restDesired) {
      const candidates = byKey.get(keyOf(d.text))?.filter((l) => !taken.has(l));
      if (!candidates || candidates.length === 0) {
        unmatched.push(d);
        continue;
      }
      const l = candidates.find((c) => c.ordinal === d.ordinal) ?? candidates[0]!;
      taken.add(l);
      pairs.push({ desired: d, live: l, sameMeaning: true });
    }
    restDesired = unmatched;
    restLive = restLive.filter((l) => !taken.has(l));
  }
  // Changed rules: pair those at the same position first, then the rest in order.
  const liveAt = new Map<number, LiveCedarRule[]>();
  for (const l of restLive) liveAt.set(l.ordinal, [...(liveAt.get(l.ordinal) ?? []), l]);
  const taken = new Set<LiveCedarRule>();
  const waiting: DesiredRule[] = [];
  for (const d of restDesired) {
    const l = liveAt.get(d.ordinal)?.find((c) => !taken.has(c));
    if (l) {
      taken.add(l);
      pairs.push({ desired: d, live: l, sameMeaning: false });
    } else waiting.push(d);
  }
  const freeLive = restLive.filter((l) => !taken.has(l));
  const creates: DesiredRule[] = [];
  waiting.forEach((d, i) => {
    const l = freeLive[i];
    if (l) {
      taken.add(l);
      pairs.push({ desired: d, live: l, sameMeaning: false });
    } else creates.push(d);
  });
  const deletes = restLive.filter((l) => !taken.has(l));
  pairs.sort((a, b) => a.desired.ordinal - b.desired.ordinal);
  return { pairs, creates, deletes };
}

function diffRules(d: DesiredCedarPolicy, live: readonly LiveCedarRule[], policy: Ref, policyChange: string | undefined): Change[] {
  const out: Change[] = [];
  const base = { type: "cedar-rule" as const, scope: SCOPE, policy, dependsOn: policyChange ? [policyChange] : [] };
  const { pairs, creates, deletes } = matchRules(d.rules, live);
  for (const { desired: r, live: l, sameMeaning } of pairs) {
    const fields: FieldChange[] = [];
    const body: CedarRuleFields = {};
    if (!sameMeaning) {
      fields.push({ field: "cedar", before: l.text, after: r.text });
      body.policy_text = r.text;
    }
    if (l.ordinal !== r.ordinal) {
      fields.push({ field: "ordinal", before: l.ordinal, after: r.ordinal });
      body.ordinal = r.ordinal;
    }
    if (r.notice !== undefined && r.notice !== l.notice) {
      fields.push({ field: "notice", before: l.notice, after: r.notice });
      body.notice = r.notice;
    }
    if (r.auditSession !== undefined && r.auditSession !== l.auditSession) {
      fields.push({ field: "auditSession", before: l.auditSession, after: r.auditSession });
      body.audit_session = r.auditSession;
    }
    if (fields.length === 0) continue;
    if (fields.length === 1 && body.ordinal !== undefined) {
      out.push({ ...base, id: `move:${r.address}`, kind: "move", address: r.address, fields, liveId: l.id, body: { ordinal: r.ordinal }, text: r.text });
    } else {
      out.push({ ...base, id: `update:${r.address}`, kind: "update", address: r.address, fields, liveId: l.id, body, beforeText: l.text });
    }
  }
  for (const r of creates) {
    const body: CedarRuleFields & { policy_text: string; ordinal: number } = { policy_text: r.text, ordinal: r.ordinal };
    if (r.notice !== undefined) body.notice = r.notice;
    if (r.auditSession !== undefined) body.audit_session = r.auditSession;
    out.push({ ...base, id: `create:${r.address}`, kind: "create", address: r.address, fields: [], body });
  }
  // Deletes run after the policy's other rule writes, so a replaced rule is never missing in between.
  const writes = out.map((c) => c.id);
  for (const l of deletes) {
    const a = formatAddress({ kind: "cedar-rule", policy: policy.name, ordinal: l.ordinal });
    out.push({ ...base, dependsOn: writes, id: `delete:${a}@${l.id}`, kind: "delete", address: a, fields: [], liveId: l.id, text: l.text, ordinal: l.ordinal });
  }
  return out;
}
