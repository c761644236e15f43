/**
 * One Cedar change → its API calls (docs/services.md#how-apply-writes): a policy is created without
 * `cedar_policy_set` and its rules are POSTed one by one; a rename or update is one PATCH of the changed fields on
 * the same id; a policy's rule moves are one call of the documented reorder endpoint, after its other rule writes,
 * with every rule id then live in the desired order; deleting a policy is one DELETE (its rules go with it).
 * When the service lacks a call accessctl assumed, the adapter throws `UndocumentedCallError` and the executor
 * stops the run: nothing more is sent.
 */
import { deepEqual } from "../json/deep-equal.js";
import { formatAddress } from "../address/address.js";
import type { CedarClient, CedarPolicyPatch, CedarRulePatch } from "../live/cedar-client.js";
import type { CedarPolicySettings, LiveCedarRule } from "../live/types.js";
import { sameRule } from "../cedar/canonical.js";
import type { CedarPolicyChange, CedarRuleChange } from "../plan/model.js";
import { ALREADY_GONE, ApplyChangeError, type ChangeOutcome } from "./change-outcome.js";
import type { RunState } from "./run-state.js";
import { createOrAdopt, settleDelete, settleIdempotent, type SettleOptions } from "./settle.js";


export async function applyCedarPolicyChange(change: CedarPolicyChange, cedar: CedarClient, run: RunState, settle: SettleOptions): Promise<ChangeOutcome> {
  switch (change.kind) {
    case "delete": {
      const { alreadyGone } = await settleDelete(() => cedar.deletePolicy(change.liveId), settle);
      return alreadyGone ? ALREADY_GONE : { adopted: false };
    }
    case "reorder":
      return reorder(change, cedar, run, settle);
    case "update":
    case "rename": {
      // The plan's bodies use the model's names, as the adapter's inputs do: they are sent as they are.
      const body = change.body;
      const updated = await settleIdempotent(() => cedar.updatePolicy(change.liveId, body), settle);
      return { adopted: false, liveId: updated.id };
    }
    case "create":
      break;
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

/**
 * The policy's one reorder call. Its id list is built now, from the ids then live: the plan's live rules and the
 * rules this run created, in the desired order. It must name every rule of the policy, each once (the vendor does
 * not say whether a partial list is allowed), so the rules are read first: a set that differs from the plan's
 * means the policy changed meanwhile, and nothing is sent. A refusal (400) is not retried.
 */
async function reorder(change: Extract<CedarPolicyChange, { kind: "reorder" }>, cedar: CedarClient, run: RunState, settle: SettleOptions): Promise<ChangeOutcome> {
  const where = formatAddress(change.address);
  const ids = change.order.map((slot) => {
    if ("liveId" in slot) return slot.liveId;
    const id = run.cedarRuleId(slot.create);
    if (id === undefined) throw new ApplyChangeError(`the reorder of ${where} needs the rule of ${slot.create}, which this run did not create`);
    return id;
  });
  const live = new Set((await cedar.listRules(change.liveId)).map((r) => r.id));
  const wanted = new Set(ids);
  const extra = [...live].filter((id) => !wanted.has(id));
  const missing = ids.filter((id) => !live.has(id));
  if (extra.length > 0 || missing.length > 0) {
    const parts = [...(extra.length ? [`rules not in the plan: ${extra.join(", ")}`] : []), ...(missing.length ? [`rules gone: ${missing.join(", ")}`] : [])];
    throw new ApplyChangeError(
      `the rules of ${where} changed meanwhile (${parts.join("; ")}): the reorder must name every rule of the policy, so it was not sent; plan again`,
    );
  }
  await settleIdempotent(() => cedar.reorderRules(change.liveId, ids), settle);
  const n = change.moves.length;
  return { adopted: false, liveId: change.liveId, note: `1 reorder call for ${n} rule move${n === 1 ? "" : "s"}` };
}

export async function applyCedarRuleChange(change: CedarRuleChange, cedar: CedarClient, run: RunState, settle: SettleOptions): Promise<ChangeOutcome> {
  const policyName = change.policy.name;
  const policyId = change.policy.id ?? run.cedarPolicyId(policyName);
  if (policyId === undefined) {
    throw new ApplyChangeError(`Cedar policy \`${policyName}\` has no id: it is neither live nor created earlier in this run`);
  }
  switch (change.kind) {
    case "delete": {
      const { alreadyGone } = await settleDelete(() => cedar.deleteRule(policyId, change.liveId), settle);
      return alreadyGone ? ALREADY_GONE : { adopted: false };
    }
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
  run.cedarRuleCreated(change.id, value.id);
  if (adopted) {
    // The position of an adopted rule is the policy's reorder's to fix (the plan has one whenever it matters).
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

/** An adopted rule has the meaning already; only its notice and audit flag may need a PATCH. */
function differingRuleFields(want: CedarRulePatch, have: LiveCedarRule): CedarRulePatch {
  const out: CedarRulePatch = {};
  if (want.notice !== undefined && !deepEqual(want.notice, have.notice)) out.notice = want.notice;
  if (want.auditSession !== undefined && want.auditSession !== have.auditSession) out.auditSession = want.auditSession;
  return out;
}
