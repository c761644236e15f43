/**
 * Stored RBAC records → the wire shapes of the RBAC API (docs/services.md#the-rbac-api).
 */

import { ORG_SCOPE, type MemberRecord, type PermissionRecord, type ProjectRecord, type RbacPolicyRecord, type RoleRecord } from "./model.js";
import type { Store } from "./store.js";

export function permissionView(p: PermissionRecord) {
  return { id: p.id, name: p.name, description: p.description };
}

export function policyView(store: Store, p: RbacPolicyRecord) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    permissions: p.permissionIds.flatMap((id) => {
      const perm = store.get("permissions", id);
      return perm ? [{ id: perm.id, name: perm.name }] : [];
    }),
  };
}

export function roleView(store: Store, r: RoleRecord) {
  const policies = r.policyIds.flatMap((id) => {
    const pol = store.get("policies", id);
    return pol ? [{ id: pol.id, name: pol.name }] : [];
  });
  // System roles answer with a null owner (docs/services.md#what-accessctl-relies-on): that is how clients tell
  // them apart.
  if (r.scope === ORG_SCOPE) {
    return { id: r.id, name: r.name, description: r.description, organizationId: r.system ? null : store.organizationId, policies };
  }
  return { id: r.id, name: r.name, description: r.description, projectId: r.system ? null : r.scope, policies };
}

export function projectView(store: Store, p: ProjectRecord) {
  return { id: p.id, name: p.name, description: p.description, organizationId: store.organizationId, created_at: p.created_at };
}

function roleRef(store: Store, roleId: string | undefined) {
  const role = roleId === undefined ? undefined : store.get("roles", roleId);
  return role ? { id: role.id, name: role.name } : null;
}

export function orgMemberView(store: Store, m: MemberRecord) {
  return { id: m.id, email: m.email, name: m.name, organizationRole: roleRef(store, m.organizationRoleId) };
}

export function projectMemberView(store: Store, m: MemberRecord, projectId: string) {
  return { id: m.id, email: m.email, name: m.name, projectRole: roleRef(store, m.projectRoleIds[projectId]) };
}
