import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { CEDAR_RULE_WRITES, createCedarClient, type CedarClient } from "../../src/live/cedar-client.js";
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
    await cedar.updateRule("pol-1", "r1", { ordinal: 3 });
    await cedar.deleteRule("pol-1", "r1");
    await cedar.deletePolicy("pol-1");
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
      ["PATCH /v1/policies/pol-1/rules/r1", { ordinal: 3 }],
      ["DELETE /v1/policies/pol-1/rules/r1", undefined],
      ["DELETE /v1/policies/pol-1", undefined],
    ]);
    expect(CEDAR_RULE_WRITES).toEqual({ patch: true, delete: true });
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

  it("names a tenant mismatch and keeps the key out of it", async () => {
    server.handle(() => ({ status: 403, json: { code: "tenant_mismatch", message: `key ${KEY} belongs to another tenant` } }));
    const error = (await cedar.listPolicies().catch((e: unknown) => e)) as HttpError;
    expect(error.message).toBe("[GET] /v1/policies?limit=250: 403 Forbidden — key *** belongs to another tenant");
    expect(error.serverCode).toBe("tenant_mismatch");
  });
});
