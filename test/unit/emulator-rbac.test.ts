import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { rbacCaller, type Caller } from "../helpers/emulator-client.js";

let em: EmulatorHandle;
let api: Caller;

beforeAll(async () => {
  em = await startEmulator({ port: 0 });
  api = rbacCaller(em.url);
});
afterAll(() => em.close());

async function orgPermissionId(name: string): Promise<string> {
  const res = await api("GET", "/v1/organization/permissions");
  const found = res.body.data.permissions.find((p: { name: string }) => p.name === name);
  if (!found) throw new Error(`no permission ${name}`);
  return found.id;
}

async function project(name: string): Promise<{ id: string }> {
  const res = await api("GET", "/v1/projects");
  return res.body.data.projects.find((p: { name: string }) => p.name === name);
}

describe("RBAC auth and routing", () => {
  it("401 without or with a wrong key, in the RBAC envelope", async () => {
    const none = await fetch(`${em.url}/v1/organization/roles`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ success: false, error: expect.any(String) });
    const wrong = await rbacCaller(em.url, "nope")("GET", "/v1/organization/roles");
    expect(wrong.status).toBe(401);
    // `Bearer <key>` is not the documented form: refused too.
    const bearer = await rbacCaller(em.url, "Bearer local-rbac-key")("GET", "/v1/organization/roles");
    expect(bearer.status).toBe(401);
  });

  it("404 for unknown routes and methods, in the RBAC envelope", async () => {
    for (const [method, path] of [["GET", "/v1/organization/nothing"], ["PATCH", "/v1/organization/roles/x"], ["GET", "/"]] as const) {
      const res = await api(method, path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ success: false, error: expect.any(String) });
    }
  });
});

describe("RBAC seeds (docs/services.md#the-emulator)", () => {
  it("organization and project permissions, projects, system roles", async () => {
    const org = (await api("GET", "/v1/organization/permissions")).body.data.permissions;
    expect(org).toHaveLength(27);
    expect(org.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["billing:read", "iam:manage", "project:create", "user:delete"]));
    expect(org[0]).toEqual({ id: expect.any(String), name: expect.any(String), description: expect.any(String) });

    const projects = (await api("GET", "/v1/projects")).body.data.projects;
    expect(projects.map((p: { name: string }) => p.name)).toEqual(["Support Bot", "Search", "Analytics"]);
    expect(projects[0]).toEqual({ id: expect.any(String), name: "Support Bot", description: null, organizationId: expect.any(String), created_at: expect.any(String) });

    const perms = (await api("GET", `/v1/projects/${projects[0].id}/permissions`)).body.data.permissions;
    expect(perms).toHaveLength(22 * 4 + 3);
    expect(perms.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["trace:read", "testRun:evaluate", "iam:manage", "project:delete"]));
    const other = (await api("GET", `/v1/projects/${projects[1].id}/permissions`)).body.data.permissions;
    const orgIds = new Set(org.map((p: { id: string }) => p.id));
    expect(perms.some((p: { id: string }) => orgIds.has(p.id) || other.some((o: { id: string }) => o.id === p.id))).toBe(false);

    const roles = (await api("GET", "/v1/organization/roles")).body.data.roles;
    expect(roles.map((r: { name: string; organizationId: unknown }) => [r.name, r.organizationId])).toEqual([["Owner", null], ["Admin", null], ["Member", null]]);
    const projectRoles = (await api("GET", `/v1/projects/${projects[0].id}/roles`)).body.data.roles;
    expect(projectRoles.map((r: { name: string; projectId: unknown }) => [r.name, r.projectId])).toEqual([["Owner", null], ["Manager", null], ["Member", null]]);
    expect((await api("GET", "/v1/organization/policies")).body).toEqual({ success: true, data: { policies: [] } });
  });

  it("members page with page/pageSize and total", async () => {
    const first = await api("GET", "/v1/organization/members?page=1&pageSize=3");
    expect(first.status).toBe(200);
    expect(first.body.data.total).toBe(4);
    expect(first.body.data.members).toHaveLength(3);
    expect(first.body.data.members[0]).toEqual({ id: expect.any(String), email: "owner@example.com", name: expect.any(String), organizationRole: { id: expect.any(String), name: "Owner" } });
    const second = await api("GET", "/v1/organization/members?page=2&pageSize=3");
    expect(second.body.data.members.map((m: { email: string }) => m.email)).toEqual(["ops@example.com"]);
    const beyond = await api("GET", "/v1/organization/members?page=9&pageSize=3");
    expect(beyond.body.data).toMatchObject({ members: [], total: 4 });
    const all = await api("GET", "/v1/organization/members");
    expect(all.body.data.members).toHaveLength(4);
    for (const bad of ["page=0", "pageSize=101", "pageSize=0", "page=x"]) {
      expect((await api("GET", `/v1/organization/members?${bad}`)).status).toBe(400);
    }
    const p = await project("Search");
    const pm = await api("GET", `/v1/projects/${p.id}/members?pageSize=100`);
    expect(pm.body.data.total).toBe(4);
    expect(pm.body.data.members[0].projectRole).toEqual({ id: expect.any(String), name: "Member" });
    expect((await api("GET", "/v1/projects/nope/members")).status).toBe(404);
  });
});

describe("RBAC organization policies", () => {
  it("create, duplicate name 409, unknown permission 422, malformed 400", async () => {
    const read = await orgPermissionId("billing:read");
    const created = await api("POST", "/v1/organization/policies", { name: "Read billing", permissionIds: [read], description: "d" });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      success: true,
      data: { policy: { id: expect.any(String), name: "Read billing", description: "d", permissions: [{ id: read, name: "billing:read" }] } },
    });
    const dup = await api("POST", "/v1/organization/policies", { name: "Read billing", permissionIds: [] });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ success: false, error: expect.stringContaining("already exists") });

    const unknown = await api("POST", "/v1/organization/policies", { name: "X", permissionIds: ["perm_nope"] });
    expect(unknown.status).toBe(422);
    const p = await project("Support Bot");
    const projPerm = (await api("GET", `/v1/projects/${p.id}/permissions`)).body.data.permissions[0].id;
    expect((await api("POST", "/v1/organization/policies", { name: "X", permissionIds: [projPerm] })).status).toBe(422);

    for (const body of [
      "{not json",
      "[]",
      { permissionIds: [] },
      { name: "", permissionIds: [] },
      { name: "X" },
      { name: "X", permissionIds: "billing:read" },
      { name: "X", permissionIds: [read, read] },
      { name: "X", permissionIds: [], description: 5 },
    ]) {
      const res = await api("POST", "/v1/organization/policies", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual({ success: false, error: expect.any(String) });
    }
    expect((await api("POST", "/v1/organization/policies")).status).toBe(400);
  });

  it("PUT is a full replacement and keeps the id; 404 for an unknown id", async () => {
    const read = await orgPermissionId("metric:read");
    const manage = await orgPermissionId("metric:manage");
    const created = (await api("POST", "/v1/organization/policies", { name: "Metrics", permissionIds: [read], description: "old" })).body.data.policy;
    const put = await api("PUT", `/v1/organization/policies/${created.id}`, { name: "Metrics v2", permissionIds: [manage] });
    expect(put.status).toBe(200);
    expect(put.body.data.policy).toEqual({ id: created.id, name: "Metrics v2", description: null, permissions: [{ id: manage, name: "metric:manage" }] });
    const list = (await api("GET", "/v1/organization/policies")).body.data.policies;
    expect(list.find((p: { id: string }) => p.id === created.id)).toEqual(put.body.data.policy);
    expect((await api("PUT", "/v1/organization/policies/pol_nope", { name: "Y", permissionIds: [] })).status).toBe(404);
    expect((await api("PUT", `/v1/organization/policies/${created.id}`, { name: "Read billing", permissionIds: [] })).status).toBe(409);
    expect((await api("PUT", `/v1/organization/policies/${created.id}`, { name: "Metrics v2" })).status).toBe(400);
    expect((await api("PUT", `/v1/organization/policies/${created.id}`, { name: "Metrics v2", permissionIds: ["zz"] })).status).toBe(422);
  });
});

describe("RBAC organization roles", () => {
  it("create with policies, 409 duplicate and system names, 422 unknown policy", async () => {
    const pol = (await api("POST", "/v1/organization/policies", { name: "Role pol", permissionIds: [] })).body.data.policy;
    const created = await api("POST", "/v1/organization/roles", { name: "Billing Manager", policyIds: [pol.id], description: null });
    expect(created.status).toBe(200);
    expect(created.body.data.role).toEqual({
      id: expect.any(String),
      name: "Billing Manager",
      description: null,
      organizationId: em.state.organizationId,
      policies: [{ id: pol.id, name: "Role pol" }],
    });
    expect((await api("POST", "/v1/organization/roles", { name: "Billing Manager", policyIds: [] })).status).toBe(409);
    const system = await api("POST", "/v1/organization/roles", { name: "Admin", policyIds: [] });
    expect(system.status).toBe(409);
    expect(system.body.error).toMatch(/system role/);
    expect((await api("POST", "/v1/organization/roles", { name: "R", policyIds: ["pol_nope"] })).status).toBe(422);
    expect((await api("POST", "/v1/organization/roles", { name: "R" })).status).toBe(400);
    // Renaming to a system role's name is refused too.
    expect((await api("PUT", `/v1/organization/roles/${created.body.data.role.id}`, { name: "Owner", policyIds: [] })).status).toBe(409);
  });

  it("403 on editing or deleting a system role", async () => {
    const owner = (await api("GET", "/v1/organization/roles")).body.data.roles[0];
    const put = await api("PUT", `/v1/organization/roles/${owner.id}`, { name: "Owner", policyIds: [] });
    expect(put.status).toBe(403);
    expect(put.body).toEqual({ success: false, error: expect.stringContaining("system role") });
    expect((await api("DELETE", `/v1/organization/roles/${owner.id}`)).status).toBe(403);
  });

  it("409 deleting an attached policy or an assigned role; deletes answer {id, deleted}", async () => {
    const pol = (await api("POST", "/v1/organization/policies", { name: "Attached", permissionIds: [] })).body.data.policy;
    const role = (await api("POST", "/v1/organization/roles", { name: "Holder", policyIds: [pol.id] })).body.data.role;
    const attached = await api("DELETE", `/v1/organization/policies/${pol.id}`);
    expect(attached.status).toBe(409);
    expect(attached.body.error).toMatch(/Holder/);

    await em.state.assignOrganizationRole("dev@example.com", role.id);
    const members = (await api("GET", "/v1/organization/members?pageSize=100")).body.data.members;
    expect(members.find((m: { email: string }) => m.email === "dev@example.com").organizationRole).toEqual({ id: role.id, name: "Holder" });
    const assigned = await api("DELETE", `/v1/organization/roles/${role.id}`);
    expect(assigned.status).toBe(409);
    expect(assigned.body.error).toMatch(/assigned to 1 member/);

    const memberRole = (await api("GET", "/v1/organization/roles")).body.data.roles.find((r: { name: string }) => r.name === "Member");
    await em.state.assignOrganizationRole("dev@example.com", memberRole.id);
    expect(await api("DELETE", `/v1/organization/roles/${role.id}`)).toMatchObject({ status: 200, body: { success: true, data: { id: role.id, deleted: true } } });
    expect(await api("DELETE", `/v1/organization/policies/${pol.id}`)).toMatchObject({ status: 200, body: { success: true, data: { id: pol.id, deleted: true } } });
    expect((await api("DELETE", `/v1/organization/policies/${pol.id}`)).status).toBe(404);
    expect((await api("DELETE", `/v1/organization/roles/${role.id}`)).status).toBe(404);
  });
});

describe("RBAC project scope", () => {
  it("project policies use project permissions; project roles reference their own project's policies", async () => {
    const bot = await project("Support Bot");
    const search = await project("Search");
    const perms = (await api("GET", `/v1/projects/${bot.id}/permissions`)).body.data.permissions;
    const traceRead = perms.find((p: { name: string }) => p.name === "trace:read");
    const orgPerm = await orgPermissionId("billing:read");

    const pol = await api("POST", `/v1/projects/${bot.id}/policies`, { name: "View traces", permissionIds: [traceRead.id] });
    expect(pol.status).toBe(200);
    expect(pol.body.data.policy.permissions).toEqual([{ id: traceRead.id, name: "trace:read" }]);
    expect((await api("POST", `/v1/projects/${bot.id}/policies`, { name: "Org perm", permissionIds: [orgPerm] })).status).toBe(422);
    expect((await api("POST", `/v1/projects/${search.id}/policies`, { name: "Other", permissionIds: [traceRead.id] })).status).toBe(422);
    // Names are per scope: the same name in another project is fine.
    expect((await api("POST", `/v1/projects/${search.id}/policies`, { name: "View traces", permissionIds: [] })).status).toBe(200);
    expect((await api("POST", `/v1/projects/${bot.id}/policies`, { name: "View traces", permissionIds: [] })).status).toBe(409);

    const role = await api("POST", `/v1/projects/${bot.id}/roles`, { name: "Analyst", policyIds: [pol.body.data.policy.id] });
    expect(role.status).toBe(200);
    expect(role.body.data.role).toEqual({ id: expect.any(String), name: "Analyst", description: null, projectId: bot.id, policies: [{ id: pol.body.data.policy.id, name: "View traces" }] });
    expect((await api("POST", `/v1/projects/${search.id}/roles`, { name: "Analyst", policyIds: [pol.body.data.policy.id] })).status).toBe(422);
    expect((await api("POST", `/v1/projects/${bot.id}/roles`, { name: "Manager", policyIds: [] })).status).toBe(409);
    const manager = (await api("GET", `/v1/projects/${bot.id}/roles`)).body.data.roles.find((r: { name: string }) => r.name === "Manager");
    expect((await api("PUT", `/v1/projects/${bot.id}/roles/${manager.id}`, { name: "Manager", policyIds: [] })).status).toBe(403);
    expect((await api("DELETE", `/v1/projects/${bot.id}/roles/${manager.id}`)).status).toBe(403);
    // A role id of another project is not found in this one.
    expect((await api("PUT", `/v1/projects/${search.id}/roles/${role.body.data.role.id}`, { name: "A", policyIds: [] })).status).toBe(404);

    const put = await api("PUT", `/v1/projects/${bot.id}/policies/${pol.body.data.policy.id}`, { name: "View traces", permissionIds: [], description: "x" });
    expect(put.body.data.policy).toMatchObject({ description: "x", permissions: [] });
    expect((await api("DELETE", `/v1/projects/${bot.id}/policies/${pol.body.data.policy.id}`)).status).toBe(409);

    await em.state.assignProjectRole("ops@example.com", bot.id, role.body.data.role.id);
    expect((await api("DELETE", `/v1/projects/${bot.id}/roles/${role.body.data.role.id}`)).status).toBe(409);
    const pm = (await api("GET", `/v1/projects/${bot.id}/members`)).body.data.members;
    expect(pm.find((m: { email: string }) => m.email === "ops@example.com").projectRole.name).toBe("Analyst");

    for (const path of ["/v1/projects/nope/policies", "/v1/projects/nope/roles", "/v1/projects/nope/permissions"]) {
      expect((await api("GET", path)).status).toBe(404);
    }
  });
});
