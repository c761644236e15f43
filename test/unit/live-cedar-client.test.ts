import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { CEDAR_CALLS, ChangedMeanwhileError, UndocumentedCallError, createCedarClient, type CedarClient } from "../../src/live/cedar-client.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { HttpError } from "../../src/live/http-error.js";
import { startFakeHttp, type FakeRequest, type FakeServer } from "../helpers/fake-http.js";

const KEY = "cedar-key-5e6f7a8b";
const TENANT = "00000000-0000-4000-8000-000000000001";

let server: FakeServer;
let dispatcher: Dispatcher;
let cedar: CedarClient;

beforeAll(async () => {
  server = await startFakeHttp();
  dispatcher = createDispatcher({ env: {} });
  cedar = createCedarClient({ baseUrl: server.url, apiKey: KEY, tenantId: TENANT, dispatcher, sleep: async () => {}, random: () => 0 });
});
afterAll(async () => {
  await dispatcher.close();
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
});

const summary = (i: number) => ({
  id: `pol-${i}`,
  name: `Policy ${i}`,
  description: null,
  enabled: true,
  priority: i,
  max_duration_seconds: 3600,
  default_duration_seconds: null,
  notification_channel: "#ops",
  rule_count: 0,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  owner_team: "new field",
});

const wireRule = (id: string, ordinal: number, createdAt: string) => ({
  id,
  ordinal,
  policy_text: `permit (principal == User::"${id}", action, resource);`,
  effect: "permit",
  principal_scope_type: "eq",
  principal_entity_type: "User",
  principal_entity_id: id,
  action_scope_type: "any",
  action_ids: [],
  resource_scope_type: "any",
  resource_entity_type: null,
  resource_entity_id: null,
  conditions: null,
  notice: null,
  audit_session: false,
  created_at: createdAt,
  matches_last_week: 12,
});

/** Pages of `items` by an opaque cursor (the index, base64). */
function paged(items: unknown[], cap = 250) {
  return (req: FakeRequest) => {
    const limit = Math.min(cap, Number(req.query.get("limit") ?? 50));
    const cursor = req.query.get("cursor");
    const start = cursor === null ? 0 : Number(Buffer.from(cursor, "base64").toString());
    const data = items.slice(start, start + limit);
    const more = start + limit < items.length;
    return { json: { data, has_more: more, next_cursor: more ? Buffer.from(String(start + limit)).toString("base64") : null } };
  };
}

describe("Cedar adapter", () => {
  it("sends X-API-Key and X-Tenant-ID, and follows next_cursor to the end", async () => {
    const items = Array.from({ length: 7 }, (_, i) => summary(i));
    server.handle(paged(items, 3));
    const list = await cedar.listPolicies();
    expect(list).toHaveLength(7);
    expect(list[6]).toEqual({
      id: "pol-6",
      name: "Policy 6",
      description: null,
      enabled: true,
      priority: 6,
      maxDurationSeconds: 3600,
      defaultDurationSeconds: null,
      notificationChannel: "#ops",
      ruleCount: 0,
    });
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]?.query.get("limit")).toBe("250");
    expect(server.requests[0]?.query.has("cursor")).toBe(false);
    expect(server.requests[0]?.headers["x-api-key"]).toBe(KEY);
    expect(server.requests[0]?.headers["x-tenant-id"]).toBe(TENANT);
  });

  it("lists rules to the end, sorted by (ordinal, created_at), with their structured fields", async () => {
    const rules = [wireRule("b", 2, "2025-01-02"), wireRule("a", 2, "2025-01-01"), wireRule("c", 1, "2025-01-03")];
    server.handle(paged(rules, 2));
    const list = await cedar.listRules("pol-1");
    expect(list.map((r) => r.id)).toEqual(["c", "a", "b"]);
    expect(list[0]).toMatchObject({ ordinal: 1, text: 'permit (principal == User::"c", action, resource);', notice: null, auditSession: false });
    expect(list[0]?.fields).toMatchObject({ effect: "permit", principal_scope_type: "eq", principal_entity_id: "c", action_ids: [] });
    expect(server.requests[0]?.path).toBe("/v1/policies/pol-1/rules");
  });

  it("leaves out structured fields the service did not give in full", async () => {
    server.handle(() => ({ json: { ...summary(1), rules: [{ id: "r", ordinal: 0, policy_text: "forbid (principal, action, resource);" }] } }));
    const policy = await cedar.getPolicy("pol-1");
    expect(policy.rules[0]).toEqual({
      id: "r",
      ordinal: 0,
      text: "forbid (principal, action, resource);",
      notice: null,
      auditSession: true,
      createdAt: "",
    });
  });

  it("refuses pagination that would never end", async () => {
    server.handle(() => ({ json: { data: [], has_more: true, next_cursor: "same" } }));
    await expect(cedar.listPolicies()).rejects.toThrow("next_cursor same repeats");
  });

  it("writes snake_case bodies with only the fields given", async () => {
    const seen: FakeRequest[] = [];
    server.handle((req) => {
      seen.push(req);
      if (req.method === "DELETE") return { status: 204 };
      if (req.path.includes("/rules")) return { status: req.method === "POST" ? 201 : 200, json: wireRule("r1", 0, "t") };
      return { status: req.method === "POST" ? 201 : 200, json: { ...summary(1), rule_count: undefined, rules: [] } };
    });
    const created = await cedar.createPolicy({
      name: "Policy 1",
      description: null,
      enabled: true,
      priority: 1,
      maxDurationSeconds: 3600,
      defaultDurationSeconds: null,
      notificationChannel: "#ops",
    });
    expect(created.rules).toEqual([]);
    await cedar.updatePolicy("pol-1", { name: "Renamed" });
    await cedar.createRule("pol-1", { text: "permit (principal, action, resource);", notice: "hi", auditSession: true });
    await cedar.updateRule("pol-1", "r1", { notice: null });
    await cedar.reorderRules("pol-1", ["r2", "r1"]);
    expect(await cedar.deleteRule("pol-1", "r1")).toBe("deleted");
    expect(await cedar.deletePolicy("pol-1")).toBe("deleted");
    expect(seen.map((r) => [`${r.method} ${r.path}`, r.body])).toEqual([
      [
        "POST /v1/policies",
        {
          name: "Policy 1",
          description: null,
          enabled: true,
          priority: 1,
          max_duration_seconds: 3600,
          default_duration_seconds: null,
          notification_channel: "#ops",
        },
      ],
      ["PATCH /v1/policies/pol-1", { name: "Renamed" }],
      ["POST /v1/policies/pol-1/rules", { policy_text: "permit (principal, action, resource);", notice: "hi", audit_session: true }],
      ["PATCH /v1/policies/pol-1/rules/r1", { notice: null }],
      ["PATCH /v1/policies/pol-1/rules/reorder", { ids: ["r2", "r1"] }],
      ["DELETE /v1/policies/pol-1/rules/r1", undefined],
      ["DELETE /v1/policies/pol-1", undefined],
    ]);
  });

  it("reads a rule list that answers only {data} (no next_cursor, no has_more) as complete", async () => {
    server.handle(() => ({ json: { data: [wireRule("b", 2, "t2"), wireRule("a", 1, "t1")] } }));
    expect((await cedar.listRules("pol-1")).map((r) => r.id)).toEqual(["a", "b"]);
    expect(server.requests).toHaveLength(1);
  });

  it("the reorder answer's body is not needed: an empty 200 or a bare \"Reordered\" will do", async () => {
    server.handle(() => ({ text: "" }));
    await cedar.reorderRules("pol-1", ["a"]);
    server.handle(() => ({ json: "Reordered" }));
    await cedar.reorderRules("pol-1", ["a"]);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(2).fill("PATCH /v1/policies/pol-1/rules/reorder"));
  });

  it("a 400 to the reorder is not retried", async () => {
    server.handle(() => ({ status: 400, json: { code: "invalid_request", message: "ids must list every rule" } }));
    const error = await cedar.reorderRules("pol-1", ["a"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toBe("[PATCH] /v1/policies/pol-1/rules/reorder: 400 Bad Request — ids must list every rule");
    expect(server.requests).toHaveLength(1);
  });

  it("reads a Cedar error body: `{message}` (and the parser's details) become the server message", async () => {
    server.handle(() => ({
      status: 400,
      json: { code: "invalid_cedar", message: "Invalid Cedar policy", details: { message: "unexpected token `permitt`", offset: 0 } },
    }));
    const error = (await cedar.createRule("p1", { text: "permitt" }).catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.message).toBe("[POST] /v1/policies/p1/rules: 400 Bad Request — Invalid Cedar policy: unexpected token `permitt`");
    expect(error.serverCode).toBe("invalid_cedar");
    expect(error.outcome).toBe("not-applied");
  });

  it("shows the service's `notices` with the error message", async () => {
    server.handle(() => ({ status: 409, json: { code: "conflict", message: "a policy named \"p\" already exists", notices: ["Policy names are unique per tenant", "See the audit log"] } }));
    const error = (await cedar.createPolicy({ name: "p", maxDurationSeconds: 60 }).catch((e: unknown) => e)) as HttpError;
    expect(error.message).toBe(
      '[POST] /v1/policies: 409 Conflict — a policy named "p" already exists (notices from the service: Policy names are unique per tenant; See the audit log)',
    );
  });

  it("names a tenant mismatch and keeps the key out of it", async () => {
    server.handle(() => ({ status: 403, json: { code: "tenant_mismatch", message: `key ${KEY} belongs to another tenant` } }));
    const error = (await cedar.listPolicies().catch((e: unknown) => e)) as HttpError;
    expect(error.message).toBe("[GET] /v1/policies?limit=250: 403 Forbidden — key *** belongs to another tenant");
    expect(error.serverCode).toBe("tenant_mismatch");
  });
});

describe("the undocumented calls (CEDAR_CALLS): rule PATCH, rule DELETE, policy DELETE", () => {
  const notFound = { status: 404, json: { code: "not_found", message: "not found" } };
  const notAllowed = { status: 405, json: { code: "method_not_allowed", message: "Method Not Allowed" } };
  const calls = () => server.requests.map((r) => `${r.method} ${r.path}`);

  it("the table names exactly the three undocumented calls, each with the documented read that checks a 404", () => {
    const undocumented = Object.entries(CEDAR_CALLS).filter(([, c]) => !c.documented);
    expect(undocumented.map(([name, c]) => [name, `${c.method} ${c.path}`, "check" in c ? c.check : undefined])).toEqual([
      ["deletePolicy", "DELETE /v1/policies/{policyId}", "GET /v1/policies/{policyId}"],
      ["updateRule", "PATCH /v1/policies/{policyId}/rules/{ruleId}", "GET /v1/policies/{policyId}/rules/{ruleId}"],
      ["deleteRule", "DELETE /v1/policies/{policyId}/rules/{ruleId}", "GET /v1/policies/{policyId}/rules/{ruleId}"],
    ]);
    expect(CEDAR_CALLS.reorderRules).toMatchObject({ method: "PATCH", path: "/v1/policies/{policyId}/rules/reorder", documented: true });
  });

  it.each([
    ["rule PATCH", "updateRule", (c: CedarClient) => c.updateRule("p1", "r1", { notice: "x" }), "PATCH /v1/policies/p1/rules/r1"],
    ["rule DELETE", "deleteRule", (c: CedarClient) => c.deleteRule("p1", "r1"), "DELETE /v1/policies/p1/rules/r1"],
    ["policy DELETE", "deletePolicy", (c: CedarClient) => c.deletePolicy("p1"), "DELETE /v1/policies/p1"],
  ] as const)("a 405 to the %s stops with the assumption named, at once (no read, no retry)", async (_n, name, call, sent) => {
    server.handle(() => notAllowed);
    const error = (await call(cedar).catch((e: unknown) => e)) as UndocumentedCallError;
    expect(error).toBeInstanceOf(UndocumentedCallError);
    expect(error.call).toBe(name);
    expect(error.message).toContain("405 Method Not Allowed");
    expect(error.message).toContain(`${CEDAR_CALLS[name].method} ${CEDAR_CALLS[name].path} is not in the Cedar policy API's published reference: accessctl assumed`);
    expect(calls()).toEqual([sent]);
  });

  it("a 404 to a DELETE whose target a documented read no longer finds: done (already gone)", async () => {
    server.handle(() => notFound);
    expect(await cedar.deleteRule("p1", "r1")).toBe("already-gone");
    expect(calls()).toEqual(["DELETE /v1/policies/p1/rules/r1", "GET /v1/policies/p1/rules/r1"]);
    server.requests.length = 0;
    expect(await cedar.deletePolicy("p1")).toBe("already-gone");
    expect(calls()).toEqual(["DELETE /v1/policies/p1", "GET /v1/policies/p1"]);
  });

  it("a 404 to a DELETE whose target the read still finds: the call is missing, and the run stops naming the assumption", async () => {
    server.handle((req) => (req.method === "GET" ? { json: wireRule("r1", 1, "t") } : notFound));
    const error = (await cedar.deleteRule("p1", "r1").catch((e: unknown) => e)) as UndocumentedCallError;
    expect(error).toBeInstanceOf(UndocumentedCallError);
    expect(error.message).toContain("[DELETE] /v1/policies/p1/rules/r1: 404 Not Found — not found, yet GET /v1/policies/{policyId}/rules/{ruleId} still finds it");
    expect(error.message).toContain("accessctl assumed the service offers it");
    expect(calls()).toEqual(["DELETE /v1/policies/p1/rules/r1", "GET /v1/policies/p1/rules/r1"]);

    server.requests.length = 0;
    server.handle((req) => (req.method === "GET" ? { json: { ...summary(1), rules: [] } } : notFound));
    const policyError = (await cedar.deletePolicy("p1").catch((e: unknown) => e)) as UndocumentedCallError;
    expect(policyError).toBeInstanceOf(UndocumentedCallError);
    expect(policyError.call).toBe("deletePolicy");
    expect(calls()).toEqual(["DELETE /v1/policies/p1", "GET /v1/policies/p1"]);
  });

  it("a 404 to a rule PATCH: gone → changed meanwhile, plan again; still there → the assumption", async () => {
    server.handle(() => notFound);
    const gone = (await cedar.updateRule("p1", "r1", { notice: "x" }).catch((e: unknown) => e)) as ChangedMeanwhileError;
    expect(gone).toBeInstanceOf(ChangedMeanwhileError);
    expect(gone.message).toBe("[PATCH] /v1/policies/p1/rules/r1: 404 Not Found — not found: rule r1 is gone: it changed outside accessctl meanwhile; plan again");
    expect(calls()).toEqual(["PATCH /v1/policies/p1/rules/r1", "GET /v1/policies/p1/rules/r1"]);

    server.requests.length = 0;
    server.handle((req) => (req.method === "GET" ? { json: wireRule("r1", 1, "t") } : notFound));
    const missing = (await cedar.updateRule("p1", "r1", { notice: "x" }).catch((e: unknown) => e)) as UndocumentedCallError;
    expect(missing).toBeInstanceOf(UndocumentedCallError);
    expect(missing.call).toBe("updateRule");
    expect(calls()).toEqual(["PATCH /v1/policies/p1/rules/r1", "GET /v1/policies/p1/rules/r1"]);
  });

  it("other refusals of an undocumented call are the service's own, as for any call", async () => {
    server.handle(() => ({ status: 409, json: { code: "conflict", message: "locked" } }));
    const error = (await cedar.deleteRule("p1", "r1").catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(409);
    expect(calls()).toEqual(["DELETE /v1/policies/p1/rules/r1"]);
  });
});
