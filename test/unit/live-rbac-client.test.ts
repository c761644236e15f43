import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { ORGANIZATION, createRbacClient, projectScope, type RbacClient } from "../../src/live/rbac-client.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { HttpError } from "../../src/live/http-error.js";
import { routes, startFakeHttp, type FakeRequest, type FakeServer } from "../helpers/fake-http.js";

const KEY = "confident-org-key-0b1c2d";
const ok = (data: unknown) => ({ json: { success: true, data, deprecated: false, link: "https://docs", extra: 1 } });

let server: FakeServer;
let dispatcher: Dispatcher;
let rbac: RbacClient;

beforeAll(async () => {
  server = await startFakeHttp();
  dispatcher = createDispatcher({ env: {} });
  rbac = createRbacClient({ baseUrl: server.url, apiKey: KEY, dispatcher, sleep: async () => {}, random: () => 0 });
});
afterAll(async () => {
  await dispatcher.close();
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
});

describe("RBAC adapter", () => {
  it("sends the raw key in CONFIDENT_API_KEY and maps permissions, ignoring unknown fields", async () => {
    server.handle(
      routes({
        "GET /v1/organization/permissions": () =>
          ok({ permissions: [{ id: "p1", name: "billing:read", description: null, category: "billing", new: true }] }),
      }),
    );
    expect(await rbac.listPermissions(ORGANIZATION)).toEqual([{ id: "p1", name: "billing:read" }]);
    expect(server.requests[0]?.headers["confident_api_key"]).toBe(KEY);
    expect(server.requests[0]?.headers["authorization"]).toBeUndefined();
  });

  it("maps policies with their permission ids, and a policy without the field as none", async () => {
    server.handle(
      routes({
        "GET /v1/projects/pr%201/policies": () =>
          ok({
            policies: [
              { id: "po1", name: "Readers", description: "d", permissions: [{ id: "p1", name: "x:read" }, { id: "p2", name: "y" }], v: 2 },
              { id: "po2", name: "Empty" },
            ],
          }),
      }),
    );
    expect(await rbac.listPolicies(projectScope("pr 1"))).toEqual([
      { id: "po1", name: "Readers", description: "d", permissionIds: ["p1", "p2"] },
      { id: "po2", name: "Empty", description: null, permissionIds: [] },
    ]);
  });

  it("marks system roles by their null owner id, in both scopes", async () => {
    server.handle(
      routes({
        "GET /v1/organization/roles": () =>
          ok({
            roles: [
              { id: "r0", name: "Owner", organizationId: null, policies: [] },
              { id: "r1", name: "Auditors", organizationId: "org", description: null, policies: [{ id: "po1", name: "Readers" }] },
              { id: "r2", name: "Admin" }, // no owner field at all: judged by name
            ],
          }),
        "GET /v1/projects/pr1/roles": () =>
          ok({ roles: [{ id: "q0", name: "Manager", projectId: null }, { id: "q1", name: "Admin", projectId: "pr1" }] }),
      }),
    );
    const org = await rbac.listRoles(ORGANIZATION);
    expect(org.map((r) => [r.id, r.system])).toEqual([
      ["r0", true],
      ["r1", false],
      ["r2", true],
    ]);
    expect(org[1]).toEqual({ id: "r1", name: "Auditors", description: null, system: false, policyIds: ["po1"] });
    const project = await rbac.listRoles(projectScope("pr1"));
    expect(project.map((r) => [r.id, r.system])).toEqual([
      ["q0", true],
      ["q1", false],
    ]);
  });

  it("creates, updates and deletes with the documented bodies, description always sent", async () => {
    const seen: FakeRequest[] = [];
    const policy = { id: "po9", name: "New", description: null, permissions: [{ id: "p1", name: "a:read" }] };
    const role = { id: "r9", name: "Role", description: "x", projectId: "pr1", policies: [{ id: "po9", name: "New" }] };
    server.handle((req) => {
      seen.push(req);
      if (req.method === "DELETE") return ok({ id: "x", deleted: true });
      return req.path.includes("/roles") ? ok({ role }) : ok({ policy });
    });
    expect(await rbac.createPolicy(ORGANIZATION, { name: "New", permissionIds: ["p1"], description: null })).toEqual({
      id: "po9",
      name: "New",
      description: null,
      permissionIds: ["p1"],
    });
    await rbac.updatePolicy(ORGANIZATION, "po9", { name: "New", permissionIds: [], description: "d" });
    await rbac.deletePolicy(ORGANIZATION, "po9");
    expect((await rbac.createRole(projectScope("pr1"), { name: "Role", policyIds: ["po9"], description: "x" })).system).toBe(false);
    await rbac.updateRole(projectScope("pr1"), "r9", { name: "Role", policyIds: [], description: null });
    await rbac.deleteRole(projectScope("pr1"), "r9");
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/organization/policies",
      "PUT /v1/organization/policies/po9",
      "DELETE /v1/organization/policies/po9",
      "POST /v1/projects/pr1/roles",
      "PUT /v1/projects/pr1/roles/r9",
      "DELETE /v1/projects/pr1/roles/r9",
    ]);
    expect(seen[0]?.body).toEqual({ name: "New", permissionIds: ["p1"], description: null });
    expect(seen[4]?.body).toEqual({ name: "Role", policyIds: [], description: null });
  });

  it("lists projects", async () => {
    server.handle(
      routes({
        "GET /v1/projects": () =>
          ok({ projects: [{ id: "pr1", name: "Search", description: null, organizationId: "o", created_at: "2025-01-01" }] }),
      }),
    );
    expect(await rbac.listProjects()).toEqual([{ id: "pr1", name: "Search" }]);
  });

  it("reads an RBAC error body: `{error}` becomes the server message", async () => {
    server.handle(() => ({ status: 403, json: { success: false, error: "System roles cannot be edited" } }));
    const error = await rbac.updateRole(ORGANIZATION, "r0", { name: "Owner", policyIds: [], description: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toBe("[PUT] /v1/organization/roles/r0: 403 Forbidden — System roles cannot be edited");
    expect((error as HttpError).outcome).toBe("not-applied");
  });

  it("reads a malformed answer as a protocol error naming the field", async () => {
    server.handle(() => ok({ roles: [{ id: 7, name: "x" }] }));
    await expect(rbac.listRoles(ORGANIZATION)).rejects.toThrow(
      "[GET] /v1/organization/roles: unexpected response to 200 OK — data.roles[0].id is not a string",
    );
  });
});

describe("members pagination", () => {
  function members(total: number, cap = 100, roleKey = "organizationRole") {
    const all = Array.from({ length: total }, (_, i) => ({
      id: `u${i}`,
      email: `u${i}@example.com`,
      name: `U ${i}`,
      [roleKey]: i % 10 === 0 ? null : { id: `r${i % 3}`, name: "Role" },
      lastSeen: "yesterday",
    }));
    return (req: FakeRequest) => {
      const page = Number(req.query.get("page"));
      const size = Math.min(cap, Number(req.query.get("pageSize")));
      return ok({ members: all.slice((page - 1) * size, page * size), total });
    };
  }

  it("follows page/pageSize to the total, leaving out members without a role", async () => {
    server.handle(routes({ "GET /v1/organization/members": members(250) }));
    const list = await rbac.listMembers(ORGANIZATION);
    expect(list).toHaveLength(225);
    expect(list[0]).toEqual({ id: "u1", email: "u1@example.com", roleId: "r1" });
    expect(server.requests.map((r) => r.query.get("page"))).toEqual(["1", "2", "3"]);
    expect(server.requests.every((r) => r.query.get("pageSize") === "100")).toBe(true);
  });

  it("copes with a server that serves smaller pages than asked", async () => {
    server.handle(routes({ "GET /v1/projects/pr1/members": members(120, 25, "projectRole") }));
    const list = await rbac.listMembers(projectScope("pr1"));
    expect(new Set(list.map((m) => m.id)).size).toBe(108);
    expect(server.requests).toHaveLength(5);
  });

  it("reads one page when everything fits", async () => {
    server.handle(routes({ "GET /v1/organization/members": members(3) }));
    expect(await rbac.listMembers(ORGANIZATION)).toHaveLength(2);
    expect(server.requests).toHaveLength(1);
  });

  it("refuses a list that ends before its stated total", async () => {
    server.handle(() => ok({ members: [], total: 5 }));
    await expect(rbac.listMembers(ORGANIZATION)).rejects.toThrow("the member list ended after 0 of 5 members");
  });
});
