/**
 * One Cedar change → its API calls (SPEC section 5): a policy is created without `cedar_policy_set` and its rules
 * are POSTed one by one; a rename or update is one PATCH of the changed fields on the same id; a rule move is a
 * PATCH of `{ordinal}` alone; deleting a policy is one DELETE (its rules go with it).
 */
import type { CedarClient, CedarPolicyInput, CedarPolicyPatch, CedarRuleInput, CedarRulePatch } from "../live/cedar-client.js";
import type { LiveCedarPolicy, LiveCedarRule } from "../live/types.js";
import { sameRule } from "../cedar/canonical.js";
import type { CedarPolicyChange, CedarPolicyFields, CedarRuleChange, CedarRuleFields } from "../plan/model.js";
import { ApplyChangeError, type ChangeOutcome } from "./change-outcome.js";
import type { RunState } from "./run-state.js";
import { createOrAdopt, settleDelete, settleIdempotent, type SettleOptions } from "./settle.js";

export async function applyCedarPolicyChange(
  change: CedarPolicyChange,
  cedar: CedarClient,
  run: RunState,
  settle: SettleOptions,
): Promise<ChangeOutcome> {
  if (change.kind === "delete") {
    const { alreadyGone } = await settleDelete(() => cedar.deletePolicy(change.liveId), settle);
    return alreadyGone ? { adopted: false, note: "already gone (404)" } : { adopted: false };
  }
  const patch = policyPatch(change.body);
  if (change.kind !== "create") {
    const updated = await settleIdempotent(() => cedar.updatePolicy(change.liveId, patch), settle);
    return { adopted: false, liveId: updated.id };
  }
  const name = change.body.name;
  const { value, adopted } = await createOrAdopt<{ id: string } & Omit<LiveCedarPolicy, "rules">>(
    {
      // Only the fields the files give are sent: the API's defaults apply to the others (the adapter's
      // `policyWire` leaves out undefined fields; its input type asks for all of them).
      create: () => cedar.createPolicy(patch as CedarPolicyInput),
      find: async () => (await cedar.listPolicies()).filter((p) => p.name === name),
      describe: (p) => p.id,
    },
    settle,
  );
  if (adopted) {
    const differing = differingPolicyFields(patch, value);
    if (Object.keys(differing).length > 0) await settleIdempotent(() => cedar.updatePolicy(value.id, differing), settle);
  }
  run.cedarPolicyCreated(name, value.id);
  return { adopted, liveId: value.id };
}

export async function applyCedarRuleChange(
  change: CedarRuleChange,
  cedar: CedarClient,
  run: RunState,
  settle: SettleOptions,
): Promise<ChangeOutcome> {
  const policyName = change.policy.name;
  const policyId = change.policy.id ?? run.cedarPolicyId(policyName);
  if (policyId === undefined) {
    throw new ApplyChangeError(`Cedar policy \`${policyName}\` has no id: it is neither live nor created earlier in this run`);
  }
  switch (change.kind) {
    case "delete": {
      const { alreadyGone } = await settleDelete(() => cedar.deleteRule(policyId, change.liveId), settle);
      return alreadyGone ? { adopted: false, note: "already gone (404)" } : { adopted: false };
    }
    case "move":
      // `{ordinal}` alone: a move touches nothing else.
      await settleIdempotent(() => cedar.updateRule(policyId, change.liveId, { ordinal: change.body.ordinal }), settle);
      return { adopted: false, liveId: change.liveId };
    case "update":
      await settleIdempotent(() => cedar.updateRule(policyId, change.liveId, rulePatch(change.body)), settle);
      return { adopted: false, liveId: change.liveId };
    case "create":
      break;
  }
  const input = rulePatch(change.body) as CedarRuleInput & { text: string };
  const { value, adopted } = await createOrAdopt<LiveCedarRule>(
    {
      create: async () => {
        const rule = await cedar.createRule(policyId, input);
        run.claim(policyName, rule.id);
        return rule;
      },
      find: async () => {
        const live = await cedar.listRules(policyId);
        // Synchronous from here on: no other change of this policy can claim in between.
        const found = live.find((r) => !run.isClaimed(policyName, r.id) && sameRule(r.text, input.text));
        if (found === undefined) return [];
        run.claim(policyName, found.id);
        return [found];
      },
      describe: (r) => r.id,
    },
    settle,
  );
  if (adopted) {
    const differing = differingRuleFields(input, value);
    if (Object.keys(differing).length > 0) await settleIdempotent(() => cedar.updateRule(policyId, value.id, differing), settle);
  }
  return { adopted, liveId: value.id };
}

/** Plan fields (wire names) → the adapter's input; only the fields present are carried. */
function policyPatch(body: CedarPolicyFields): CedarPolicyPatch {
  const p: CedarPolicyPatch = {};
  if (body.name !== undefined) p.name = body.name;
  if (body.description !== undefined) p.description = body.description;
  if (body.enabled !== undefined) p.enabled = body.enabled;
  if (body.priority !== undefined) p.priority = body.priority;
  if (body.max_duration_seconds !== undefined) p.maxDurationSeconds = body.max_duration_seconds;
  if (body.default_duration_seconds !== undefined) p.defaultDurationSeconds = body.default_duration_seconds;
  if (body.notification_channel !== undefined) p.notificationChannel = body.notification_channel;
  return p;
}

function rulePatch(body: CedarRuleFields): CedarRulePatch {
  const p: CedarRulePatch = {};
  if (body.policy_text !== undefined) p.text = body.policy_text;
  if (body.ordinal !== undefined) p.ordinal = body.ordinal;
  if (body.notice !== undefined) p.notice = body.notice;
  if (body.audit_session !== undefined) p.auditSession = body.audit_session;
  return p;
}

/** The wanted fields an adopted policy does not have yet. */
function differingPolicyFields(want: CedarPolicyPatch, have: Omit<LiveCedarPolicy, "rules">): CedarPolicyPatch {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(want)) {
    if (value !== undefined && have[key as keyof typeof have] !== value) out[key] = value;
  }
  return out as CedarPolicyPatch;
}

/** An adopted rule has the meaning already; only its ordinal, notice and audit flag may need a PATCH. */
function differingRuleFields(want: CedarRulePatch, have: LiveCedarRule): CedarRulePatch {
  const out: CedarRulePatch = {};
  if (want.ordinal !== undefined && want.ordinal !== have.ordinal) out.ordinal = want.ordinal;
  if (want.notice !== undefined && want.notice !== have.notice) out.notice = want.notice;
  if (want.auditSession !== undefined && want.auditSession !== have.auditSession) out.auditSession = want.auditSession;
  return out;
}
