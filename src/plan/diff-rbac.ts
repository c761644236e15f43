/**
 * Diff of one RBAC scope (the organization, or one project): custom policies and roles. Pure.
 * Names are resolved to ids from the live lists; an unknown permission or policy name is a desired-state error.
 */
import { rbacAddress, type Address } from "../address/address.js";
import { diag } from "../diagnostics/diagnostic.js";
import type { DesiredRbacScope, NameRef } from "../desired/types.js";
import type { LiveRbacScope, LiveRole } from "../live/types.js";
import { isOwned, type DiffContext } from "./diff-context.js";
import { pairObjects, type RbacScopePairing } from "./match-objects.js";
import { changeId, type Change, type FieldChange, type RbacPolicyBody, type Ref, type RoleBody, type ScopeKey } from "./model.js";

export interface RbacScopeInput {
  scope: ScopeKey;
  /** Undefined for the organization. */
  project?: { name: string; id: string };
  desired: DesiredRbacScope;
  live: LiveRbacScope;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

const sortedNames = (refs: readonly Ref[]): string[] => refs.map((r) => r.name).sort();

export function diffRbacScope(input: RbacScopeInput, ctx: DiffContext): { changes: Change[]; pairing: RbacScopePairing } {
  const { desired, live, project } = input;
  const address = (kind: "policy" | "role", name: string): Address => rbacAddress(kind, name, project?.name);
  const pairing: RbacScopePairing = { scope: input.scope, live, ...(project ? { project } : {}) };
  const base = { scope: input.scope, ...(project ? { projectId: project.id } : {}) };
  const changes: Change[] = [];
  const permissionById = new Map(live.permissions.map((p) => [p.id, p.name]));
  const permissionByName = new Map(live.permissions.map((p) => [p.name, p.id]));
  const livePolicyName = new Map(live.policies.map((p) => [p.id, p.name]));
  // The first live policy of each name (a `find` in live order), without a scan per reference.
  const livePolicyByName = new Map<string, (typeof live.policies)[number]>();
  for (const p of live.policies) if (!livePolicyByName.has(p.name)) livePolicyByName.set(p.name, p);
  const scopeWords = project ? `project \`${project.name}\`` : "the organization";

  const resolvePermissions = (refs: NameRef[], owner: string): Ref[] =>
    refs.map((r) => {
      const id = permissionByName.get(r.name);
      if (id === undefined) {
        const [resource] = r.name.split(":");
        const near = live.permissions.filter((p) => p.name.startsWith(`${resource}:`)).map((p) => p.name);
        ctx.diagnostics.push(
          diag("unknown-permission", `permission \`${r.name}\` does not exist in ${scopeWords}`, r.loc, {
            address: owner,
            hint: near.length ? `permissions of \`${resource}\` here: ${near.join(", ")}` : `the live permission list of ${scopeWords} has no \`${resource}:\` permission; check the name`,
          }),
        );
        return { name: r.name };
      }
      return { name: r.name, id };
    });

  // Policies: the ids they will have after this run (live id, or none yet when created in this run).
  const policyIdAfter = new Map<string, string | undefined>();
  const policyChangeId = new Map<string, string>();
  if (desired.policies) {
    const policies = pairObjects(desired.policies, live.policies, (n) => address("policy", n), "policy", ctx);
    pairing.policies = policies;
    for (const { desired: d, live: l, renamedFrom } of policies.matched) {
      const permissions = resolvePermissions(d.permissions, d.address);
      const a = address("policy", d.name);
      policyIdAfter.set(d.name, l?.id);
      if (!l) {
        const id = changeId("create", a);
        policyChangeId.set(d.name, id);
        changes.push({
          ...base, id, kind: "create", type: "rbac-policy", address: a, dependsOn: [],
          fields: [], body: { name: d.name, description: d.description ?? null, permissions },
        });
        continue;
      }
      const fields: FieldChange[] = [];
      if (renamedFrom !== undefined) fields.push({ field: "name", before: renamedFrom, after: d.name });
      if (d.description !== undefined && d.description !== l.description) fields.push({ field: "description", before: l.description, after: d.description });
      const liveIds = l.permissionIds;
      if (!sameSet(liveIds, permissions.map((p) => p.id ?? `?${p.name}`))) {
        fields.push({
          field: "permissions",
          before: liveIds.map((id) => permissionById.get(id) ?? id).sort(),
          after: sortedNames(permissions),
        });
      }
      if (fields.length === 0) continue;
      const kind = renamedFrom !== undefined ? "rename" : "update";
      const body: RbacPolicyBody = { name: d.name, description: d.description === undefined ? l.description : d.description, permissions };
      changes.push({
        ...base, id: changeId(kind, a), kind, type: "rbac-policy", address: a, dependsOn: [], fields, liveId: l.id, body,
        ...(renamedFrom !== undefined ? { fromName: renamedFrom } : {}),
      });
    }
    for (const l of policies.unclaimed) {
      const a = address("policy", l.name);
      if (!isOwned(ctx.settings, a)) continue;
      changes.push({
        ...base, id: changeId("delete", a), kind: "delete", type: "rbac-policy", address: a, dependsOn: [], fields: [], liveId: l.id,
        before: { name: l.name, description: l.description, permissions: byRefName(l.permissionIds.map((id) => ({ name: permissionById.get(id) ?? id, id }))) },
      });
    }
  }

  const resolvePolicies = (refs: NameRef[], owner: string): Ref[] =>
    refs.map((r) => {
      if (desired.policies) {
        // Checked offline: the scope declares it. Its id is known unless it is created in this run.
        const id = policyIdAfter.get(r.name);
        return id === undefined ? { name: r.name } : { name: r.name, id };
      }
      const l = livePolicyByName.get(r.name);
      if (!l) {
        ctx.diagnostics.push(
          diag("unknown-policy", `policy \`${r.name}\` does not exist in ${scopeWords}`, r.loc, {
            address: owner,
            hint: `${scopeWords} holds ${live.policies.length ? live.policies.map((p) => `\`${p.name}\``).join(", ") : "no custom policy"}; declare the policy in the files or fix the name`,
          }),
        );
        return { name: r.name };
      }
      return { name: r.name, id: l.id };
    });

  if (desired.roles) {
    const custom = live.roles.filter((r) => !r.system);
    const roles = pairObjects(desired.roles, custom, (n) => address("role", n), "role", ctx);
    pairing.roles = roles;
    for (const { desired: d, live: l, renamedFrom } of roles.matched) {
      const policies = resolvePolicies(d.policies, d.address);
      const a = address("role", d.name);
      const dependsOn = policies.filter((p) => p.id === undefined && policyChangeId.has(p.name)).map((p) => policyChangeId.get(p.name)!);
      if (!l) {
        changes.push({
          ...base, id: changeId("create", a), kind: "create", type: "role", address: a, dependsOn,
          fields: [], body: { name: d.name, description: d.description ?? null, policies },
        });
        continue;
      }
      const fields: FieldChange[] = [];
      if (renamedFrom !== undefined) fields.push({ field: "name", before: renamedFrom, after: d.name });
      if (d.description !== undefined && d.description !== l.description) fields.push({ field: "description", before: l.description, after: d.description });
      if (!sameSet(l.policyIds, policies.map((p) => p.id ?? `?${p.name}`))) {
        fields.push({ field: "policies", before: l.policyIds.map((id) => livePolicyName.get(id) ?? id).sort(), after: sortedNames(policies) });
      }
      if (fields.length === 0) continue;
      const kind = renamedFrom !== undefined ? "rename" : "update";
      const body: RoleBody = { name: d.name, description: d.description === undefined ? l.description : d.description, policies };
      changes.push({
        ...base, id: changeId(kind, a), kind, type: "role", address: a, dependsOn, fields, liveId: l.id, body,
        ...(renamedFrom !== undefined ? { fromName: renamedFrom } : {}),
      });
    }
    for (const l of roles.unclaimed) {
      const a = address("role", l.name);
      if (!isOwned(ctx.settings, a)) continue;
      changes.push({
        ...base, id: changeId("delete", a), kind: "delete", type: "role", address: a, dependsOn: [], fields: [], liveId: l.id,
        before: roleBody(l, livePolicyName),
      });
    }
  }

  // Policy deletes wait for every role change of the scope: a policy still attached to a role cannot be deleted.
  const roleChanges = changes.filter((c) => c.type === "role").map((c) => c.id).sort();
  for (const c of changes) if (c.type === "rbac-policy" && c.kind === "delete") c.dependsOn = roleChanges;
  return { changes, pairing };
}

function roleBody(l: LiveRole, policyName: Map<string, string>): RoleBody {
  return { name: l.name, description: l.description, policies: byRefName(l.policyIds.map((id) => ({ name: policyName.get(id) ?? id, id }))) };
}

/** Live lists come in the API's order; plans (and so checksums) must not depend on it. */
function byRefName(refs: Ref[]): Ref[] {
  return refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || ((a.id ?? "") < (b.id ?? "") ? -1 : 1));
}
