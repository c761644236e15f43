/**
 * The RBAC API (docs/services.md#the-rbac-api): organization and project policies, roles, permissions, projects,
 * members. Status codes for cases the vendor leaves open (docs/services.md#assumptions, "Status codes by case"):
 * 400 malformed body → 422 unknown permission/policy id → 409 name taken (checked in that order), 403 system role
 * edits, 409 deleting an assigned role or an attached policy, 404 unknown id in the path.
 */

import {
  optionalNullableString,
  queryInteger,
  requireObject,
  requiredIdList,
  requiredName,
} from "./body-fields.js";
import { ApiError, conflict, forbidden, notFound, unprocessable } from "./errors.js";
import { createdId } from "./ids.js";
import { ORG_SCOPE, type RbacPolicyRecord, type RbacScope, type RoleRecord } from "./model.js";
import {
  orgMemberView,
  permissionView,
  policyView,
  projectMemberView,
  projectView,
  roleView,
} from "./rbac-views.js";
import { route, type Reply, type Route, type RouteContext } from "./router.js";
import type { Store } from "./store.js";

const ok = (data: unknown): Reply => ({ status: 200, body: { success: true, data } });

/** The scope of the request: the organization, or an existing project (404 otherwise). */
function scopeOf(ctx: RouteContext): RbacScope {
  const projectId = ctx.params.projectId;
  if (projectId === undefined) return ORG_SCOPE;
  if (!ctx.store.get("projects", projectId)) throw notFound(`project ${projectId} not found`);
  return projectId;
}

function scopeLabel(scope: RbacScope): string {
  return scope === ORG_SCOPE ? "the organization" : `project ${scope}`;
}

function policyIn(store: Store, scope: RbacScope, id: string): RbacPolicyRecord {
  const p = store.get("policies", id);
  if (!p || p.scope !== scope) throw notFound(`policy ${id} not found in ${scopeLabel(scope)}`);
  return p;
}

function roleIn(store: Store, scope: RbacScope, id: string): RoleRecord {
  const r = store.get("roles", id);
  if (!r || r.scope !== scope) throw notFound(`role ${id} not found in ${scopeLabel(scope)}`);
  return r;
}

// ---- permissions, projects, members ------------------------------------------------------------------------

function listPermissions(ctx: RouteContext): Reply {
  const scope = scopeOf(ctx);
  const permissions = [...ctx.store.all("permissions")].filter((p) => p.scope === scope).map(permissionView);
  return ok({ permissions });
}

function listProjects(ctx: RouteContext): Reply {
  return ok({ projects: [...ctx.store.all("projects")].map((p) => projectView(ctx.store, p)) });
}

function listMembers(ctx: RouteContext): Reply {
  const scope = scopeOf(ctx);
  const page = queryInteger(ctx.query, "page", 1, Number.MAX_SAFE_INTEGER) ?? 1;
  const pageSize = queryInteger(ctx.query, "pageSize", 1, 100) ?? 25;
  const all = [...ctx.store.all("members")];
  const inScope = scope === ORG_SCOPE ? all : all.filter((m) => m.projectRoleIds[scope] !== undefined);
  const slice = inScope.slice((page - 1) * pageSize, page * pageSize);
  const members =
    scope === ORG_SCOPE
      ? slice.map((m) => orgMemberView(ctx.store, m))
      : slice.map((m) => projectMemberView(ctx.store, m, scope));
  return ok({ members, total: inScope.length, page, pageSize });
}

// ---- policies ----------------------------------------------------------------------------------------------

function readPolicyBody(ctx: RouteContext, scope: RbacScope) {
  const body = requireObject(ctx.body);
  const name = requiredName(body);
  const permissionIds = requiredIdList(body, "permissionIds");
  // PUT is a full replacement: an absent description is stored as null (the vendor leaves it open,
  // docs/services.md#assumptions; ours).
  const description = optionalNullableString(body, "description") ?? null;
  const unknown = permissionIds.filter((id) => ctx.store.get("permissions", id)?.scope !== scope);
  if (unknown.length > 0) {
    throw unprocessable(`unknown permission id(s) for ${scopeLabel(scope)}: ${unknown.join(", ")}`);
  }
  return { name, permissionIds, description };
}

function listPolicies(ctx: RouteContext): Reply {
  const scope = scopeOf(ctx);
  const policies = [...ctx.store.all("policies")].filter((p) => p.scope === scope).map((p) => policyView(ctx.store, p));
  return ok({ policies });
}

function createPolicy(ctx: RouteContext): Reply {
  const scope = scopeOf(ctx);
  const fields = readPolicyBody(ctx, scope);
  if (ctx.store.policyNameHolders(scope, fields.name).length > 0) {
    throw conflict(`a policy named ${JSON.stringify(fields.name)} already exists in ${scopeLabel(scope)}`);
  }
  const record: RbacPolicyRecord = { id: createdId("pol", ctx.store.nextCounter()), scope, ...fields };
  ctx.store.commit([{ op: "put", c: "policies", v: record }]);
  return ok({ policy: policyView(ctx.store, record) });
}

function updatePolicy(ctx: RouteContext): Reply {
  const scope = scopeOf(ctx);
  const existing = policyIn(ctx.store, scope, ctx.params.policyId ?? "");
  const fields = readPolicyBody(ctx, scope);
  if (ctx.store.policyNameHolders(scope, fields.name, existing.id).length > 0) {
    throw conflict(`a policy named ${JSON.stringify(fields.name)} already exists in ${scopeLabel(scope)}`);
  }
  const record: RbacPolicyRecord = { ...existing, ...fields };
  ctx.store.commit([{ op: "put", c: "policies", v: record }]);
  return ok({ policy: policyView(ctx.store, record) });
}

function deletePolicy(ctx: RouteContext): Reply {
  const scope = scopeOf(ctx);
  const existing = policyIn(ctx.store, scope, ctx.params.policyId ?? "");
  const users = [...ctx.store.all("roles")].filter((r) => r.policyIds.includes(existing.id));
  if (users.length > 0) {
    throw conflict(
      `policy ${JSON.stringify(existing.name)} is attached to role(s) ${users.map((r) => JSON.stringify(r.name)).join(", ")}; detach it first`,
    );
  }
  ctx.store.commit([{ op: "del", c: "policies", id: existing.id }]);
  return ok({ id: existing.id, deleted: true });
}

// ---- roles -------------------------------------------------------------------------------------------------

function readRoleBody(ctx: RouteContext, scope: RbacScope) {
  const body = requireObject(ctx.body);
  const name = requiredName(body);
  const policyIds = requiredIdList(body, "policyIds");
  const description = optionalNullableString(body, "description") ?? null;
  // Project roles reference the policies of their own project only (ours).
  const unknown = policyIds.filter((id) => ctx.store.get("policies", id)?.scope !== scope);
  if (unknown.length > 0) throw unprocessable(`unknown policy id(s) for ${scopeLabel(scope)}: ${unknown.join(", ")}`);
  return { name, policyIds, description };
}

function checkRoleName(store: Store, scope: RbacScope, name: string, except?: string): void {
  const holders = store.roleNameHolders(scope, name, except).map((id) => store.get("roles", id));
  if (holders.some((r) => r?.system)) {
    throw conflict(`${JSON.stringify(name)} is the name of a system role in ${scopeLabel(scope)}`);
  }
  if (holders.length > 0) throw conflict(`a role named ${JSON.stringify(name)} already exists in ${scopeLabel(scope)}`);
}

function refuseSystem(role: RoleRecord, verb: string): void {
  if (role.system) throw forbidden(`${JSON.stringify(role.name)} is a system role and cannot be ${verb}`);
}

function listRoles(ctx: RouteContext): Reply {
  const scope = scopeOf(ctx);
  const roles = [...ctx.store.all("roles")].filter((r) => r.scope === scope).map((r) => roleView(ctx.store, r));
  return ok({ roles });
}

function createRole(ctx: RouteContext): Reply {
  const scope = scopeOf(ctx);
  const fields = readRoleBody(ctx, scope);
  checkRoleName(ctx.store, scope, fields.name);
  const record: RoleRecord = { id: createdId("role", ctx.store.nextCounter()), scope, system: false, ...fields };
  ctx.store.commit([{ op: "put", c: "roles", v: record }]);
  return ok({ role: roleView(ctx.store, record) });
}

function updateRole(ctx: RouteContext): Reply {
  const scope = scopeOf(ctx);
  const existing = roleIn(ctx.store, scope, ctx.params.roleId ?? "");
  refuseSystem(existing, "edited");
  const fields = readRoleBody(ctx, scope);
  checkRoleName(ctx.store, scope, fields.name, existing.id);
  const record: RoleRecord = { ...existing, ...fields };
  ctx.store.commit([{ op: "put", c: "roles", v: record }]);
  return ok({ role: roleView(ctx.store, record) });
}

function deleteRole(ctx: RouteContext): Reply {
  const scope = scopeOf(ctx);
  const existing = roleIn(ctx.store, scope, ctx.params.roleId ?? "");
  refuseSystem(existing, "deleted");
  const holders = [...ctx.store.all("members")].filter((m) =>
    scope === ORG_SCOPE ? m.organizationRoleId === existing.id : m.projectRoleIds[scope] === existing.id,
  );
  if (holders.length > 0) {
    throw new ApiError(409, "conflict", `role ${JSON.stringify(existing.name)} is assigned to ${holders.length} member(s); reassign them first`);
  }
  ctx.store.commit([{ op: "del", c: "roles", id: existing.id }]);
  return ok({ id: existing.id, deleted: true });
}

export const rbacRoutes: readonly Route[] = [
  route("GET", "/v1/organization/permissions", listPermissions),
  route("GET", "/v1/organization/policies", listPolicies),
  route("POST", "/v1/organization/policies", createPolicy),
  route("PUT", "/v1/organization/policies/:policyId", updatePolicy),
  route("DELETE", "/v1/organization/policies/:policyId", deletePolicy),
  route("GET", "/v1/organization/roles", listRoles),
  route("POST", "/v1/organization/roles", createRole),
  route("PUT", "/v1/organization/roles/:roleId", updateRole),
  route("DELETE", "/v1/organization/roles/:roleId", deleteRole),
  route("GET", "/v1/organization/members", listMembers),
  route("GET", "/v1/projects", listProjects),
  route("GET", "/v1/projects/:projectId/permissions", listPermissions),
  route("GET", "/v1/projects/:projectId/policies", listPolicies),
  route("POST", "/v1/projects/:projectId/policies", createPolicy),
  route("PUT", "/v1/projects/:projectId/policies/:policyId", updatePolicy),
  route("DELETE", "/v1/projects/:projectId/policies/:policyId", deletePolicy),
  route("GET", "/v1/projects/:projectId/roles", listRoles),
  route("POST", "/v1/projects/:projectId/roles", createRole),
  route("PUT", "/v1/projects/:projectId/roles/:roleId", updateRole),
  route("DELETE", "/v1/projects/:projectId/roles/:roleId", deleteRole),
  route("GET", "/v1/projects/:projectId/members", listMembers),
];
