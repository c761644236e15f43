/**
 * One Cedar change → its API calls (SPEC section 5): a policy is created without `cedar_policy_set` and its rules
 * are POSTed one by one; a rename or update is one PATCH of the changed fields on the same id; a rule move is a
 * PATCH of `{ordinal}` alone; deleting a policy is one DELETE (its rules go with it).
 */
import { deepEqual } from "../json/deep-equal.js";
import type { CedarClient, CedarPolicyPatch, CedarRulePatch } from "../live/cedar-client.js";
import type { CedarPolicySettings, LiveCedarRule } from "../live/types.js";
import { sameRule } from "../cedar/canonical.js";
import type { CedarPolicyChange, CedarRuleChange } from "../plan/model.js";
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
  // The plan's bodies use the model's names, as the adapter's inputs do: they are sent as they are.
  if (change.kind !== "create") {
    const body = change.body;
    const updated = await settleIdempotent(() => cedar.updatePolicy(change.liveId, body), settle);
    return { adopted: false, liveId: updated.id };
  }
  const body = change.body;
  const name = body.name;
  const { value, adopted } = await createOrAdopt<{ id: string } & CedarPolicySettings>(
    {
      // Only the fields the files give are sent: the API's defaults apply to the others.
      create: () => cedar.createPolicy(body),
      find: async () => (await cedar.listPolicies()).filter((p) => p.name === name),
      describe: (p) => p.id,
    },
    settle,
  );
  if (adopted) {
    const differing = differingPolicyFields(body, value);
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
    case "update": {
      const body = change.body;
      await settleIdempotent(() => cedar.updateRule(policyId, change.liveId, body), settle);
      return { adopted: false, liveId: change.liveId };
    }
    case "create":
      break;
  }
  const input = change.body;
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

/** The wanted fields an adopted policy does not have yet. */
function differingPolicyFields(want: CedarPolicyPatch, have: CedarPolicySettings): CedarPolicyPatch {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(want) as (keyof CedarPolicySettings)[]) {
    const value = want[key];
    if (value !== undefined && !deepEqual(have[key], value)) out[key] = value;
  }
  return out as CedarPolicyPatch;
}

/** An adopted rule has the meaning already; only its ordinal, notice and audit flag may need a PATCH. */
function differingRuleFields(want: CedarRulePatch, have: LiveCedarRule): CedarRulePatch {
  const out: CedarRulePatch = {};
  if (want.ordinal !== undefined && want.ordinal !== have.ordinal) out.ordinal = want.ordinal;
  if (want.notice !== undefined && !deepEqual(want.notice, have.notice)) out.notice = want.notice;
  if (want.auditSession !== undefined && want.auditSession !== have.auditSession) out.auditSession = want.auditSession;
  return out;
}
