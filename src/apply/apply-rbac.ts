/**
 * One RBAC change → its API calls. Bodies are full (PUT replaces the object; `description` is always sent);
 * `Ref`s without an id are filled from the policies this run created in the same scope.
 */
import { formatAddress } from "../address/address.js";
import { ORGANIZATION, projectScope, type RbacClient, type RbacScopeRef } from "../live/rbac-client.js";
import type { LiveRbacPolicy, LiveRole } from "../live/types.js";
import type { Ref, RbacPolicyChange, RoleChange } from "../plan/model.js";
import { ALREADY_GONE, ApplyChangeError, type ChangeOutcome } from "./change-outcome.js";
import type { RunState } from "./run-state.js";
import { createOrAdopt, settleDelete, settleIdempotent, type SettleOptions } from "./settle.js";

export async function applyRbacChange(
  change: RbacPolicyChange | RoleChange,
  rbac: RbacClient,
  run: RunState,
  settle: SettleOptions,
): Promise<ChangeOutcome> {
  const scope = scopeOf(change);
  if (change.kind === "delete") {
    const remove = change.type === "rbac-policy" ? () => rbac.deletePolicy(scope, change.liveId) : () => rbac.deleteRole(scope, change.liveId);
    const { alreadyGone } = await settleDelete(remove, settle);
    return alreadyGone ? ALREADY_GONE : { adopted: false };
  }

  if (change.type === "rbac-policy") {
    const body = { name: change.body.name, description: change.body.description, permissionIds: ids(change.body.permissions, "permission", () => undefined) };
    if (change.kind !== "create") {
      const updated = await settleIdempotent(() => rbac.updatePolicy(scope, change.liveId, body), settle);
      return { adopted: false, liveId: updated.id };
    }
    const { value, adopted } = await createOrAdopt<LiveRbacPolicy>(
      {
        create: () => rbac.createPolicy(scope, body),
        find: async () => (await rbac.listPolicies(scope)).filter((p) => p.name === body.name),
        describe: (p) => p.id,
      },
      settle,
    );
    if (adopted && (value.description !== body.description || !sameSet(value.permissionIds, body.permissionIds))) {
      await settleIdempotent(() => rbac.updatePolicy(scope, value.id, body), settle);
    }
    run.rbacPolicyCreated(change.scope, body.name, value.id);
    return { adopted, liveId: value.id };
  }

  const policyIds = ids(change.body.policies, "policy", (name) => run.rbacPolicyId(change.scope, name));
  const body = { name: change.body.name, description: change.body.description, policyIds };
  if (change.kind !== "create") {
    const updated = await settleIdempotent(() => rbac.updateRole(scope, change.liveId, body), settle);
    return { adopted: false, liveId: updated.id };
  }
  const { value, adopted } = await createOrAdopt<LiveRole>(
    {
      create: () => rbac.createRole(scope, body),
      // A system role of that name cannot be ours: the create would have been refused.
      find: async () => (await rbac.listRoles(scope)).filter((r) => !r.system && r.name === body.name),
      describe: (r) => r.id,
    },
    settle,
  );
  if (adopted && (value.description !== body.description || !sameSet(value.policyIds, body.policyIds))) {
    await settleIdempotent(() => rbac.updateRole(scope, value.id, body), settle);
  }
  return { adopted, liveId: value.id };
}

function scopeOf(change: RbacPolicyChange | RoleChange): RbacScopeRef {
  if (change.scope === "organization") return ORGANIZATION;
  if (change.projectId === undefined) throw new ApplyChangeError(`bug: ${formatAddress(change.address)} has no project id in the plan`);
  return projectScope(change.projectId);
}

/** Every ref's id: the plan's, else one created earlier in this run, else the change cannot be sent. */
function ids(refs: readonly Ref[], what: string, created: (name: string) => string | undefined): string[] {
  return refs.map((r) => {
    const id = r.id ?? created(r.name);
    if (id === undefined) throw new ApplyChangeError(`${what} \`${r.name}\` has no id: it is neither live nor created earlier in this run`);
    return id;
  });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const s = new Set(a);
  return s.size === new Set(b).size && b.every((x) => s.has(x));
}
