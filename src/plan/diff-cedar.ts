/**
 * Diff of the Cedar tenant: policy metadata, and each policy's ordered rules matched for the fewest writes
 * (docs/plan-and-apply.md#changes). Rules are compared by meaning, annotations and comments left out
 * (`canonical.ts`). All the moves of one policy are one `reorder` change, its last write.
 * Pure, apart from the memoized engine call behind `canonicalRule`, made only for rules that neither their tokens nor
 * their parsed tree match.
 */
import { deepEqual } from "../json/deep-equal.js";
import type { Address } from "../address/address.js";
import { pushAll } from "../arrays/push-all.js";
import { canonicalRule, meaningKey, tokenKey } from "../cedar/canonical.js";
import type { DesiredCedarPolicy, DesiredRule } from "../desired/types.js";
import { CEDAR_CALLS } from "../live/cedar-client.js";
import type { CedarPolicySettings, LiveCedarPolicy, LiveCedarRule } from "../live/types.js";
import { isOwned, type DiffContext } from "./diff-context.js";
import { pairObjects, type CedarPairing } from "./match-objects.js";
import {
  changeId,
  type CedarPolicyFields,
  type CedarRuleFields,
  type CedarRuleUpdateFields,
  type Change,
  type FieldChange,
  type Ref,
  type RuleMove,
  type RuleSlot,
} from "./model.js";

const SCOPE = "cedar";

const policyAddress = (name: string): Address => ({ kind: "cedar-policy", name });

export function diffCedar(desired: readonly DesiredCedarPolicy[], live: readonly LiveCedarPolicy[], ctx: DiffContext): { changes: Change[]; pairing: CedarPairing } {
  const changes: Change[] = [];
  const pairing = pairObjects(desired, live, policyAddress, "Cedar policy", ctx);
  for (const { desired: d, live: l, renamedFrom } of pairing.matched) {
    const a = policyAddress(d.name);
    const policyRef: Ref = l ? { name: d.name, id: l.id } : { name: d.name };
    let policyChange: string | undefined;
    let policyWrite: string | undefined;
    if (!l) {
      policyChange = changeId("create", a);
      changes.push({
        id: policyChange, kind: "create", type: "cedar-policy", address: a, scope: SCOPE, dependsOn: [], fields: [],
        body: { name: d.name, maxDurationSeconds: d.maxDurationSeconds, ...optionalFields(d) },
      });
    } else {
      const fields = policyFieldChanges(d, l, renamedFrom);
      if (fields.length > 0) {
        const kind = renamedFrom !== undefined ? "rename" : "update";
        // Field changes are named as the body's keys: the body is the changed fields' new values.
        const body: Record<string, unknown> = {};
        for (const f of fields) body[f.field] = f.after;
        policyWrite = changeId(kind, a);
        changes.push({
          id: changeId(kind, a), kind, type: "cedar-policy", address: a, scope: SCOPE, dependsOn: [], fields, liveId: l.id, body: body as CedarPolicyFields,
          ...(renamedFrom !== undefined ? { fromName: renamedFrom } : {}),
        });
      }
    }
    pushAll(changes, diffRules(d, l?.rules ?? [], policyRef, policyChange, policyWrite));
  }
  for (const l of pairing.unclaimed) {
    const a = policyAddress(l.name);
    if (!isOwned(ctx.settings, a)) continue;
    changes.push({
      id: changeId("delete", a), kind: "delete", type: "cedar-policy", address: a, scope: SCOPE, dependsOn: [], fields: [],
      liveId: l.id, name: l.name, ruleCount: l.rules.length,
    });
  }
  return { changes, pairing: { live, policies: pairing } };
}

/** The settings a file may leave out (keeping the live value, or the API's default on create), in body order. */
const OPTIONAL_POLICY_FIELDS = ["description", "enabled", "priority", "defaultDurationSeconds", "notificationChannel"] as const satisfies readonly (keyof CedarPolicySettings)[];

/** Every setting the files give, compared after the name. */
const COMPARED_POLICY_FIELDS = ["description", "enabled", "priority", "maxDurationSeconds", "defaultDurationSeconds", "notificationChannel"] as const satisfies readonly (keyof CedarPolicySettings)[];

function optionalFields(d: DesiredCedarPolicy): CedarPolicyFields {
  const out: Record<string, unknown> = {};
  for (const k of OPTIONAL_POLICY_FIELDS) if (d[k] !== undefined) out[k] = d[k];
  return out as CedarPolicyFields;
}

function policyFieldChanges(d: DesiredCedarPolicy, l: LiveCedarPolicy, renamedFrom: string | undefined): FieldChange[] {
  const fields: FieldChange[] = [];
  if (renamedFrom !== undefined) fields.push({ field: "name", before: renamedFrom, after: d.name });
  for (const k of COMPARED_POLICY_FIELDS) {
    const want = d[k];
    if (want !== undefined && !deepEqual(want, l[k])) fields.push({ field: k, before: l[k], after: want });
  }
  return fields;
}

interface RulePair {
  desired: DesiredRule;
  live: LiveCedarRule;
  sameMeaning: boolean;
}

export interface MatchOptions {
  /**
   * Pair leftover rules of different meaning into one PATCH each (the undocumented rule PATCH, `CEDAR_CALLS`);
   * false replaces each by a create and a delete instead.
   */
  patchRules?: boolean;
}

/**
 * Matches desired rules to live rules so that the plan makes the fewest writes: rules of the same meaning keep
 * their id (moving costs nothing of their own: the policy's one reorder call carries them), then leftover rules
 * are paired by position into PATCHes of their text (one write instead of a delete and a create), and only what
 * is left is created or deleted. Deterministic (live rules come sorted by ordinal and creation), so the checksum
 * is. Linear in the number of rules, apart from canonical forms computed for rules whose tokens match nothing.
 */
export function matchRules(
  desired: readonly DesiredRule[],
  live: readonly LiveCedarRule[],
  options: MatchOptions = {},
): { pairs: RulePair[]; creates: DesiredRule[]; deletes: LiveCedarRule[] } {
  const pairs: RulePair[] = [];
  let restDesired = [...desired];
  let restLive = [...live];
  // Cheapest first: tokens, then the parsed tree (no engine), then the engine's JSON form for what is left.
  for (const keyOf of [tokenKey, meaningKey, canonicalRule]) {
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
  const creates: DesiredRule[] = [];
  const taken = new Set<LiveCedarRule>();
  if (options.patchRules ?? CEDAR_CALLS.updateRule.assumed) {
    // Changed rules: pair those at the same position first, then the rest in order.
    const liveAt = new Map<number, LiveCedarRule[]>();
    for (const l of restLive) {
      const list = liveAt.get(l.ordinal);
      if (list) list.push(l);
      else liveAt.set(l.ordinal, [l]);
    }
    const waiting: DesiredRule[] = [];
    for (const d of restDesired) {
      const l = liveAt.get(d.ordinal)?.find((c) => !taken.has(c));
      if (l) {
        taken.add(l);
        pairs.push({ desired: d, live: l, sameMeaning: false });
      } else waiting.push(d);
    }
    const freeLive = restLive.filter((l) => !taken.has(l));
    waiting.forEach((d, i) => {
      const l = freeLive[i];
      if (l) {
        taken.add(l);
        pairs.push({ desired: d, live: l, sameMeaning: false });
      } else creates.push(d);
    });
  } else pushAll(creates, restDesired);
  const deletes = restLive.filter((l) => !taken.has(l));
  pairs.sort((a, b) => a.desired.ordinal - b.desired.ordinal);
  return { pairs, creates, deletes };
}

function diffRules(
  d: DesiredCedarPolicy,
  live: readonly LiveCedarRule[],
  policy: Ref,
  policyChange: string | undefined,
  policyWrite: string | undefined,
): Change[] {
  const out: Change[] = [];
  const base = { type: "cedar-rule" as const, scope: SCOPE, policy, dependsOn: policyChange ? [policyChange] : [] };
  const ruleAddress = (ordinal: number): Address => ({ kind: "cedar-rule", policy: policy.name, ordinal });
  const { pairs, creates, deletes } = matchRules(d.rules, live);
  const moves: RuleMove[] = [];
  /** Desired position → the rule that will hold it. */
  const slots = new Map<number, RuleSlot>();
  for (const { desired: r, live: l, sameMeaning } of pairs) {
    const a = ruleAddress(r.ordinal);
    slots.set(r.ordinal, { liveId: l.id });
    // A rule that moves is a move, whatever else changes: its update never carries `ordinal`.
    if (l.ordinal !== r.ordinal) moves.push({ address: a, liveId: l.id, from: l.ordinal, to: r.ordinal, text: r.text });
    const fields: FieldChange[] = [];
    const body: CedarRuleUpdateFields = {};
    if (!sameMeaning) {
      fields.push({ field: "text", before: l.text, after: r.text });
      body.text = r.text;
    }
    if (r.notice !== undefined && !deepEqual(r.notice, l.notice)) {
      fields.push({ field: "notice", before: l.notice, after: r.notice });
      body.notice = r.notice;
    }
    if (r.auditSession !== undefined && r.auditSession !== l.auditSession) {
      fields.push({ field: "auditSession", before: l.auditSession, after: r.auditSession });
      body.auditSession = r.auditSession;
    }
    if (fields.length === 0) continue;
    out.push({ ...base, id: changeId("update", a), kind: "update", address: a, fields, liveId: l.id, body, beforeText: l.text });
  }
  for (const r of creates) {
    const a = ruleAddress(r.ordinal);
    const id = changeId("create", a);
    slots.set(r.ordinal, { create: id });
    const body: CedarRuleFields & { text: string; ordinal: number } = { text: r.text, ordinal: r.ordinal };
    if (r.notice !== undefined) body.notice = r.notice;
    if (r.auditSession !== undefined) body.auditSession = r.auditSession;
    out.push({ ...base, id, kind: "create", address: a, fields: [], body });
  }
  // Deletes run after the policy's other rule writes, so a replaced rule is never missing in between.
  const writes = out.map((c) => c.id);
  for (const l of deletes) {
    const a = ruleAddress(l.ordinal);
    out.push({ ...base, dependsOn: writes, id: changeId("delete", a, l.id), kind: "delete", address: a, fields: [], liveId: l.id, text: l.text, ordinal: l.ordinal });
  }
  // The reorder is the policy's last write: every rule id then live, in the desired order. Moves exist only in a
  // live policy (its rules are live), so it has an id.
  if (moves.length > 0 && policy.id !== undefined) {
    const order = d.rules.map((r) => {
      const slot = slots.get(r.ordinal);
      if (slot === undefined) throw new Error(`bug: rule ${r.ordinal} of ${policy.name} has no place in the reorder`);
      return slot;
    });
    const a = policyAddress(policy.name);
    out.push({
      id: changeId("reorder", a), kind: "reorder", type: "cedar-policy", address: a, scope: SCOPE, fields: [], liveId: policy.id,
      dependsOn: [...(policyWrite !== undefined ? [policyWrite] : []), ...out.map((c) => c.id)], moves, order,
    });
  }
  return out;
}
