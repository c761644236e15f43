import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { fetchLive } from "../../src/live/fetch-live.js";
import { createLiveClients } from "../../src/live/clients.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { startFakeHttp, type FakeRequest, type FakeResponse, type FakeServer } from "../helpers/fake-http.js";

/** Answer time; long enough in the parallel test that overlap does not depend on the machine's load. */
let delayMs = 15;
const ok = (data: unknown): FakeResponse => ({ delayMs, json: { success: true, data } });
const projects = [
  { id: "pr1", name: "Search" },
  { id: "pr2", name: "Analytics" },
  { id: "pr3", name: "Support Bot" },
];
const rule = (id: string, ordinal: number) => ({ id, ordinal, policy_text: `permit (principal == User::"${id}", action, resource);`, created_at: id });
const cedarPolicies = [
  { id: "c1", rules: [rule("a", 0), rule("b", 1)], nestedComplete: true },
  { id: "c2", rules: [], nestedComplete: true },
  { id: "c3", rules: [rule("x", 0), rule("y", 1), rule("z", 2)], nestedComplete: false },
];
const cedarSummary = (p: (typeof cedarPolicies)[number]) => ({
  id: p.id,
  name: `Policy ${p.id}`,
  description: null,
  enabled: true,
  priority: 0,
  max_duration_seconds: 60,
  default_duration_seconds: null,
  notification_channel: null,
  rule_count: p.rules.length,
});

function handler(req: FakeRequest): FakeResponse {
  const p = req.path;
  if (p === "/v1/projects") return ok({ projects: projects.map((x) => ({ ...x, description: null, organizationId: "o" })) });
  let m = /^\/v1\/(organization|projects\/(\w+))\/(permissions|policies|roles|members)$/.exec(p);
  if (m) {
    const owner = m[2] ?? "org";
    switch (m[3]) {
      case "permissions":
        return ok({ permissions: [{ id: `${owner}-perm`, name: "a:read", description: null }] });
      case "policies":
        return ok({ policies: [{ id: `${owner}-pol`, name: "P", permissions: [{ id: `${owner}-perm`, name: "a:read" }] }] });
      case "roles":
        return ok({ roles: [{ id: `${owner}-role`, name: "R", organizationId: "o", projectId: "x", policies: [] }] });
      default:
        return ok({ members: [{ id: "u1", email: "u1@example.com", organizationRole: { id: `${owner}-role` }, projectRole: { id: `${owner}-role` } }], total: 1 });
    }
  }
  if (p === "/v1/policies") return { delayMs: 15, json: { data: cedarPolicies.map(cedarSummary), has_more: false, next_cursor: null } };
  m = /^\/v1\/policies\/(\w+)(\/rules)?$/.exec(p);
  const policy = cedarPolicies.find((x) => x.id === m?.[1]);
  if (m && policy) {
    if (m[2]) return { delayMs: 15, json: { data: policy.rules, has_more: false, next_cursor: null } };
    const nested = policy.nestedComplete ? policy.rules : policy.rules.slice(0, 1);
    return { delayMs: 15, json: { ...cedarSummary(policy), rule_count: undefined, rules: nested } };
  }
  return { status: 404, json: { success: false, error: "no route" } };
}

let server: FakeServer;
let dispatcher: Dispatcher;

beforeAll(async () => {
  server = await startFakeHttp(handler);
  dispatcher = createDispatcher({ env: {} });
});
afterAll(async () => {
  await dispatcher.close();
  await server.close();
});
afterEach(() => {
  delayMs = 15;
  server.requests.length = 0;
  server.maxInFlight = 0;
});

function clients() {
  return createLiveClients(
    {
      rbac: { url: server.url, apiKey: "rbac-key" },
      cedar: { url: server.url, apiKey: "cedar-key", tenantId: "t" },
    },
    { dispatcher },
  );
}

const seen = () => server.requests.map((r) => `${r.method} ${r.path}`).sort();

describe("fetchLive", () => {
  it("reads only the managed scopes: the organization and the named projects", async () => {
    const live = await fetchLive(clients(), { organization: true, projects: ["Analytics", "Nowhere"] });
    expect(live.organization?.policies).toEqual([{ id: "org-pol", name: "P", description: null, permissionIds: ["org-perm"] }]);
    expect(live.organization?.members).toBeUndefined();
    expect(live.projects?.map((p) => [p.name, p.scope?.roles[0]?.id])).toEqual([
      ["Search", undefined],
      ["Analytics", "pr2-role"],
      ["Support Bot", undefined],
    ]);
    expect(live.cedar).toBeUndefined();
    expect(seen()).toEqual([
      "GET /v1/organization/permissions",
      "GET /v1/organization/policies",
      "GET /v1/organization/roles",
      "GET /v1/projects",
      "GET /v1/projects/pr2/permissions",
      "GET /v1/projects/pr2/policies",
      "GET /v1/projects/pr2/roles",
    ]);
  });

  it("lists in parallel", async () => {
    delayMs = 200;
    await fetchLive(clients(), { organization: true, projects: ["Search", "Analytics", "Support Bot"], cedar: true });
    // 4 org/project-list calls at once, then 9 project-scope calls; the Cedar API has its own 8.
    expect(server.maxInFlight).toBeGreaterThanOrEqual(8);
  });

  it("reads members only when asked", async () => {
    const live = await fetchLive(clients(), { organization: true, projects: ["Search"], members: true });
    expect(live.organization?.members).toEqual([{ id: "u1", email: "u1@example.com", roleId: "org-role" }]);
    expect(live.projects?.[0]?.scope?.members).toEqual([{ id: "u1", email: "u1@example.com", roleId: "pr1-role" }]);
  });

  it("reads Cedar rules nested when complete, from the rules list when not, and not at all when there are none", async () => {
    const live = await fetchLive(clients(), { cedar: true });
    expect(live.cedar?.policies.map((p) => [p.id, p.rules.map((r) => r.id)])).toEqual([
      ["c1", ["a", "b"]],
      ["c2", []],
      ["c3", ["x", "y", "z"]],
    ]);
    expect(seen()).toEqual(["GET /v1/policies", "GET /v1/policies/c1", "GET /v1/policies/c3", "GET /v1/policies/c3/rules"]);
    expect(live.organization).toBeUndefined();
  });

  it("says it is a bug to ask for an API without its client", async () => {
    await expect(fetchLive({}, { cedar: true })).rejects.toThrow(/^bug: /);
  });
});
