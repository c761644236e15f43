import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { cedarCaller, CEDAR_KEY, TENANT, type Caller } from "../helpers/emulator-client.js";

let em: EmulatorHandle;
let api: Caller;
let counter = 0;

beforeAll(async () => {
  em = await startEmulator({ port: 0 });
  api = cedarCaller(em.url);
});
afterAll(() => em.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function newPolicy(extra: Record<string, unknown> = {}): Promise<any> {
  const res = await api("POST", "/v1/policies", { name: `policy-${++counter}`, max_duration_seconds: 3600, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe("Cedar auth and routing", () => {
  it("401 unauthenticated, 403 tenant_mismatch, error body {code, message}", async () => {
    const none = await fetch(`${em.url}/v1/policies`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ code: "unauthenticated", message: expect.any(String) });
    expect((await cedarCaller(em.url, "wrong")("GET", "/v1/policies")).body.code).toBe("unauthenticated");
    const mismatch = await cedarCaller(em.url, CEDAR_KEY, "00000000-0000-4000-8000-000000000002")("GET", "/v1/policies");
    expect(mismatch).toMatchObject({ status: 403, body: { code: "tenant_mismatch" } });
    const noTenant = await fetch(`${em.url}/v1/policies`, { headers: { "x-api-key": CEDAR_KEY } });
    expect(noTenant.status).toBe(403);
    // The RBAC key does not open the Cedar API.
    expect((await cedarCaller(em.url, "local-rbac-key", TENANT)("GET", "/v1/policies")).status).toBe(401);
  });

  it("404 not_found for unknown routes and ids", async () => {
    expect(await api("GET", "/v1/policies/x/y/z")).toMatchObject({ status: 404, body: { code: "not_found" } });
    expect(await api("PUT", "/v1/policies/abc")).toMatchObject({ status: 404, body: { code: "not_found" } });
    expect(await api("GET", "/v1/policies/00000000-0000-4000-8000-00000000dead")).toMatchObject({ status: 404, body: { code: "not_found" } });
  });
});

describe("Cedar policies", () => {
  it("create answers 201 PolicyFull with API defaults; 400 and 409 otherwise", async () => {
    const res = await api("POST", "/v1/policies", { name: "defaults", max_duration_seconds: 600 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      name: "defaults",
      description: null,
      enabled: true,
      priority: 0,
      max_duration_seconds: 600,
      default_duration_seconds: null,
      notification_channel: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      rules: [],
    });
    expect(await api("POST", "/v1/policies", { name: "defaults", max_duration_seconds: 600 })).toMatchObject({ status: 409, body: { code: "conflict" } });
    for (const body of [
      { name: "x" },
      { max_duration_seconds: 5 },
      { name: "x", max_duration_seconds: 0 },
      { name: "x", max_duration_seconds: 60, default_duration_seconds: 61 },
      { name: "x", max_duration_seconds: 60, enabled: "yes" },
      { name: "x", max_duration_seconds: 60, priority: 1.5 },
      "{broken",
    ]) {
      const bad = await api("POST", "/v1/policies", body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body).toEqual({ code: "invalid_request", message: expect.any(String) });
    }
    const got = await api("GET", `/v1/policies/${res.body.id}`);
    expect(got.body).toEqual(res.body);
  });

  it("PATCH is partial; renames keep the id; cedar_policy_set is create-only", async () => {
    const p = await newPolicy({ description: "d", priority: 3, notification_channel: "#a", default_duration_seconds: 60 });
    const patched = await api("PATCH", `/v1/policies/${p.id}`, { priority: 7 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: p.id, name: p.name, description: "d", priority: 7, notification_channel: "#a", default_duration_seconds: 60, enabled: true });
    const renamed = await api("PATCH", `/v1/policies/${p.id}`, { name: "renamed-policy", description: null, enabled: false });
    expect(renamed.body).toMatchObject({ id: p.id, name: "renamed-policy", description: null, enabled: false, priority: 7 });
    expect((await api("PATCH", `/v1/policies/${p.id}`, { name: "defaults" })).status).toBe(409);
    expect((await api("PATCH", `/v1/policies/${p.id}`, { max_duration_seconds: 30 })).status).toBe(400); // below the default
    expect((await api("PATCH", `/v1/policies/${p.id}`, { cedar_policy_set: "permit(principal, action, resource);" })).status).toBe(400);
    expect((await api("PATCH", `/v1/policies/nope`, { priority: 1 })).status).toBe(404);
  });

  it("lists page with limit/cursor (walked with limit=1) in creation order", async () => {
    const own = await startEmulator({ port: 0, pageSize: 2 });
    try {
      const c = cedarCaller(own.url);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await c("POST", "/v1/policies", { name: `p${i}`, max_duration_seconds: 60 })).body.id);
      await c("POST", `/v1/policies/${ids[1]}/rules`, { policy_text: "permit(principal, action, resource);" });

      const seen: any[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: any = await c("GET", `/v1/policies?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        expect(res.status).toBe(200);
        expect(res.body.data).toHaveLength(1);
        seen.push(...res.body.data);
        expect(res.body.has_more).toBe(res.body.next_cursor !== null);
        cursor = res.body.next_cursor;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(5);
      expect(seen.map((p) => p.id)).toEqual(ids);
      expect(seen[1]).toEqual({
        id: ids[1], name: "p1", description: null, enabled: true, priority: 0, max_duration_seconds: 60,
        default_duration_seconds: null, notification_channel: null, rule_count: 1, created_at: expect.any(String), updated_at: expect.any(String),
      });
      // --page-size is the default limit.
      const first = await c("GET", "/v1/policies");
      expect(first.body).toMatchObject({ has_more: true, next_cursor: expect.any(String) });
      expect(first.body.data).toHaveLength(2);
      // A deleted item does not derail a cursor.
      await c("DELETE", `/v1/policies/${ids[2]}`);
      const next = await c("GET", `/v1/policies?cursor=${encodeURIComponent(first.body.next_cursor)}`);
      expect(next.body.data.map((p: any) => p.id)).toEqual([ids[3], ids[4]]);
      expect(next.body).toMatchObject({ has_more: false, next_cursor: null });
      expect((await c("GET", "/v1/policies?limit=1000")).status).toBe(200);
      expect((await c("GET", "/v1/policies?limit=0")).body.code).toBe("invalid_request");
      expect((await c("GET", "/v1/policies?cursor=garbage")).body.code).toBe("invalid_request");
    } finally {
      await own.close();
    }
  });

  it("DELETE answers 204 and deletes the policy's rules", async () => {
    const p = await newPolicy({ cedar_policy_set: "permit(principal, action, resource);" });
    const rule = p.rules[0];
    const del = await fetch(`${em.url}/v1/policies/${p.id}`, { method: "DELETE", headers: { "x-api-key": CEDAR_KEY, "x-tenant-id": TENANT } });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");
    expect(em.state.get("cedarRules", rule.id)).toBeUndefined();
    expect((await api("GET", `/v1/policies/${p.id}/rules/${rule.id}`)).status).toBe(404);
    expect((await api("DELETE", `/v1/policies/${p.id}`)).status).toBe(404);
  });
});

/** Every scope form, assembled exactly as docs/services.md#how-structured-rules-become-cedar-text says. */
const FORMS: { fields: Record<string, unknown>; text: string }[] = [
  { fields: { effect: "permit" }, text: "permit(principal, action, resource);" },
  {
    fields: { effect: "permit", principal_scope_type: "eq", principal_entity_type: "User", principal_entity_id: "alice", action_scope_type: "eq", action_ids: ["read"], resource_scope_type: "eq", resource_entity_type: "Doc", resource_entity_id: "d1" },
    text: 'permit(principal == User::"alice", action == Action::"read", resource == Doc::"d1");',
  },
  {
    fields: { effect: "forbid", principal_scope_type: "in", principal_entity_type: "Group", principal_entity_id: "eng", action_scope_type: "in", action_ids: ["read", 'Ops::Action::"write"'], resource_scope_type: "in", resource_entity_type: "Folder", resource_entity_id: "f" },
    text: 'forbid(principal in Group::"eng", action in [Action::"read", Ops::Action::"write"], resource in Folder::"f");',
  },
  {
    fields: { effect: "permit", principal_scope_type: "is", principal_entity_type: "User", resource_scope_type: "is", resource_entity_type: "AwsAccount", conditions: "when { context.duration_seconds <= 14400 }" },
    text: "permit(principal is User, action, resource is AwsAccount) when { context.duration_seconds <= 14400 };",
  },
  {
    fields: { effect: "permit", principal_scope_type: "is_in", principal_entity_type: "User", principal_entity_id: 'Group::"sre"', action_scope_type: "in", action_ids: ["request_access"], resource_scope_type: "is_in", resource_entity_type: "Doc", resource_entity_id: 'Folder::"x"', conditions: 'when { context has ticket } unless { principal.name == "mallory" }' },
    text: 'permit(principal is User in Group::"sre", action in [Action::"request_access"], resource is Doc in Folder::"x") when { context has ticket } unless { principal.name == "mallory" };',
  },
  {
    fields: { effect: "forbid", principal_scope_type: "eq", principal_entity_type: "User", principal_entity_id: 'quo"te\\back', conditions: "unless { context has ticket }" },
    text: 'forbid(principal == User::"quo\\"te\\\\back", action, resource) unless { context has ticket };',
  },
];

const FIELD_DEFAULTS = {
  principal_scope_type: "any", principal_entity_type: null, principal_entity_id: null,
  action_scope_type: "any", action_ids: [],
  resource_scope_type: "any", resource_entity_type: null, resource_entity_id: null,
  conditions: null,
};

describe("Cedar rules: assembly and decomposition", () => {
  it.each(FORMS)("structured → text and text → structured: $text", async ({ fields, text }) => {
    const p = await newPolicy();
    const structured = await api("POST", `/v1/policies/${p.id}/rules`, { ...fields, notice: "n", audit_session: false });
    expect(structured.status, JSON.stringify(structured.body)).toBe(201);
    const expectedFields = { ...FIELD_DEFAULTS, ...fields };
    expect(structured.body).toEqual({
      id: expect.stringMatching(UUID), policy_id: p.id, policy_text: text, ...expectedFields,
      ordinal: 1, notice: "n", audit_session: false, created_at: expect.any(String), updated_at: expect.any(String),
    });
    const fromText = await api("POST", `/v1/policies/${p.id}/rules`, { policy_text: text });
    expect(fromText.status, JSON.stringify(fromText.body)).toBe(201);
    const { id: _a, created_at: _b, updated_at: _c, ordinal, notice, audit_session, ...rest } = fromText.body;
    expect(rest).toEqual({ policy_id: p.id, policy_text: text, ...expectedFields });
    expect({ ordinal, notice, audit_session }).toEqual({ ordinal: 2, notice: null, audit_session: true });
  });

  it("stores a text rule as its fields and answers the text assembled from them: annotations, comments and layout dropped", async () => {
    const p = await newPolicy();
    const text =
      '@id("prod-sre")\n@advice("ask in #access")\npermit (\n  principal in Group::"sre", // the on-call team\n  action == Action::"request_access",\n  resource\n) when {\n  // an hour at most\n  context.duration_seconds <= 3600\n};';
    const assembled = 'permit(principal in Group::"sre", action == Action::"request_access", resource) when { context.duration_seconds <= 3600 };';
    const res = await api("POST", `/v1/policies/${p.id}/rules`, { policy_text: text, effect: "forbid" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      policy_text: assembled, effect: "permit", principal_scope_type: "in", principal_entity_type: "Group", principal_entity_id: "sre",
      action_scope_type: "eq", action_ids: ["request_access"], resource_scope_type: "any", conditions: "when { context.duration_seconds <= 3600 }",
    });
    expect((await api("GET", `/v1/policies/${p.id}/rules/${res.body.id}`)).body.policy_text).toBe(assembled);
    expect((await api("GET", `/v1/policies/${p.id}`)).body.rules[0].policy_text).toBe(assembled);
    expect(JSON.stringify(em.state.get("cedarRules", res.body.id))).not.toContain("prod-sre");
  });

  it("conditions are re-printed (the engine's printer), and `action in A` comes back as `action in [A]`", async () => {
    const p = await newPolicy();
    const res = await api("POST", `/v1/policies/${p.id}/rules`, {
      policy_text: 'forbid(principal, action in Action::"admin", resource) unless { context has ticket && context["ticket"] != "" };',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      policy_text: 'forbid(principal, action in [Action::"admin"], resource) unless { (context has ticket) && (context.ticket != "") };',
      action_scope_type: "in",
      action_ids: ["admin"],
    });
  });

  it("cedar_policy_set is split into rules 1..n, each stored as its fields", async () => {
    const set = '// header comment\n@id("a")\npermit(principal, action == Action::"read", resource);\n\nforbid(principal, action, resource) unless { context has ticket }; // trailing\n';
    const p = await newPolicy({ cedar_policy_set: set });
    expect(p.rules.map((r: any) => [r.ordinal, r.effect, r.policy_text])).toEqual([
      [1, "permit", 'permit(principal, action == Action::"read", resource);'],
      [2, "forbid", "forbid(principal, action, resource) unless { context has ticket };"],
    ]);
    expect(p.rules[1].conditions).toBe("unless { context has ticket }");
  });

  it("400 invalid_cedar with the parser's message and location; nothing is created", async () => {
    const before = em.state.list("cedarPolicies").length;
    const bad = await api("POST", "/v1/policies", { name: "bad-set", max_duration_seconds: 60, cedar_policy_set: "permit(principal, action, resource);\npermit(principal, action resource);" });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: "invalid_cedar", message: expect.stringContaining("Invalid Cedar policy"), details: expect.objectContaining({ line: 2, column: expect.any(Number), start: expect.any(Number), statement: 2 }) });
    expect(em.state.list("cedarPolicies").length).toBe(before);

    const p = await newPolicy();
    for (const text of ["permit(principal, action, resource); forbid(principal, action, resource);", "permit(principal, action, resource", "", "not cedar at all"]) {
      const res = await api("POST", `/v1/policies/${p.id}/rules`, { policy_text: text });
      expect(res.status, text).toBe(400);
      expect(res.body.code).toBe("invalid_cedar");
      expect(res.body.details.parser_message).toEqual(expect.any(String));
    }
    const two = await api("POST", `/v1/policies/${p.id}/rules`, { policy_text: "permit(principal, action, resource); forbid(principal, action, resource);" });
    expect(two.body.details).toMatchObject({ start: expect.any(Number), line: 1 });
    // Structured fields whose conditions do not parse (or smuggle a second statement) are invalid Cedar too.
    for (const conditions of ["when { ( }", "when { true }; permit(principal, action, resource)", "where { true }"]) {
      expect((await api("POST", `/v1/policies/${p.id}/rules`, { effect: "permit", conditions })).body.code, conditions).toBe("invalid_cedar");
    }
    // Incomplete or inconsistent structured fields are a plain invalid_request.
    for (const body of [
      {},
      { effect: "allow" },
      { effect: "permit", principal_scope_type: "eq", principal_entity_type: "User" },
      { effect: "permit", action_scope_type: "eq", action_ids: [] },
      { effect: "permit", principal_scope_type: "is_in", principal_entity_type: "User", principal_entity_id: "not-a-literal" },
      { effect: "permit", principal_entity_type: "User" },
      { effect: "permit", action_ids: ["read"] },
      { effect: "permit", ordinal: "1" },
    ]) {
      expect((await api("POST", `/v1/policies/${p.id}/rules`, body)).body.code, JSON.stringify(body)).toBe("invalid_request");
    }
    expect(em.state.list("cedarRules").filter((r) => r.policy_id === p.id)).toHaveLength(0);
  });

  it("rules list by (ordinal, created_at); PATCH {ordinal} moves a rule and touches nothing else", async () => {
    const p = await newPolicy();
    const post = async (body: Record<string, unknown>) => (await api("POST", `/v1/policies/${p.id}/rules`, body)).body;
    const a = await post({ effect: "permit", ordinal: 5 });
    const b = await post({ effect: "forbid", ordinal: 1 });
    const c = await post({ effect: "permit", conditions: "when { context.a == 1 }", ordinal: 5 });
    const d = await post({ effect: "permit", conditions: "when { context.b == 2 }" }); // appended: 6
    expect(d.ordinal).toBe(6);
    const list = async () => (await api("GET", `/v1/policies/${p.id}/rules?limit=250`)).body.data.map((r: any) => r.id);
    expect(await list()).toEqual([b.id, a.id, c.id, d.id]);

    const moved = await api("PATCH", `/v1/policies/${p.id}/rules/${d.id}`, { ordinal: 0 });
    expect(moved.status).toBe(200);
    const { updated_at: _u1, ordinal: o1, ...restBefore } = d;
    const { updated_at: _u2, ordinal: o2, ...restAfter } = moved.body;
    expect(restAfter).toEqual(restBefore);
    expect([o1, o2]).toEqual([6, 0]);
    expect(await list()).toEqual([d.id, b.id, a.id, c.id]);

    // Walk the rules with limit=1.
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api("GET", `/v1/policies/${p.id}/rules?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      walked.push(...res.body.data.map((r: any) => r.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(walked).toEqual([d.id, b.id, a.id, c.id]);
  });

  it("PATCH of fields re-assembles; PATCH of policy_text re-decomposes; GET/DELETE a rule", async () => {
    const p = await newPolicy();
    const other = await newPolicy();
    const r = (await api("POST", `/v1/policies/${p.id}/rules`, { effect: "permit", principal_scope_type: "eq", principal_entity_type: "User", principal_entity_id: "a", notice: "keep" })).body;
    const toAny = await api("PATCH", `/v1/policies/${p.id}/rules/${r.id}`, { principal_scope_type: "any", conditions: "unless { context.locked }" });
    expect(toAny.body).toMatchObject({
      policy_text: "permit(principal, action, resource) unless { context.locked };", principal_scope_type: "any",
      principal_entity_type: null, principal_entity_id: null, notice: "keep", created_at: r.created_at,
    });
    const asText = await api("PATCH", `/v1/policies/${p.id}/rules/${r.id}`, { policy_text: '@id("x") forbid(principal is User, action, resource);' });
    expect(asText.body).toMatchObject({ policy_text: "forbid(principal is User, action, resource);", effect: "forbid", principal_scope_type: "is", principal_entity_type: "User", conditions: null });
    expect((await api("PATCH", `/v1/policies/${p.id}/rules/${r.id}`, { policy_text: "nope" })).body.code).toBe("invalid_cedar");
    expect((await api("GET", `/v1/policies/${p.id}/rules/${r.id}`)).body).toEqual(asText.body);
    expect((await api("GET", `/v1/policies/${other.id}/rules/${r.id}`)).status).toBe(404);
    expect((await api("PATCH", `/v1/policies/${p.id}/rules/nope`, { ordinal: 1 })).status).toBe(404);
    expect((await api("GET", `/v1/policies/${p.id}`)).body.rules).toHaveLength(1);
    expect((await api("DELETE", `/v1/policies/${p.id}/rules/${r.id}`)).status).toBe(204);
    expect((await api("DELETE", `/v1/policies/${p.id}/rules/${r.id}`)).status).toBe(404);
    expect((await api("GET", `/v1/policies/${p.id}`)).body.rules).toEqual([]);
  });
});

describe("Cedar evaluate", () => {
  it("priority groups, forbid wins in a group, disabled skipped, default deny, errors reported", async () => {
    const own = await startEmulator({ port: 0 });
    try {
      const c = cedarCaller(own.url);
      const mk = async (name: string, priority: number, set: string, enabled = true) =>
        (await c("POST", "/v1/policies", { name, priority, enabled, max_duration_seconds: 60, cedar_policy_set: set })).body;
      const low = await mk("low", 0, 'permit(principal, action == Action::"read", resource);');
      const high = await mk(
        "high",
        10,
        'permit(principal == User::"alice", action, resource);\nforbid(principal == User::"alice", action == Action::"delete", resource);\npermit(principal, action, resource) when { context.level > 3 };',
      );
      await mk("off", 100, "forbid(principal, action, resource);", false);
      const ev = (body: Record<string, unknown>) => c("POST", "/v1/policies/evaluate", body);

      const alice = await ev({ principal: 'User::"alice"', action: "read", resource: 'Doc::"d"', context: { level: 1 } });
      expect(alice.body).toMatchObject({ permitted: true, matching_policy_ids: [high.id] });
      const del = await ev({ principal: { type: "User", id: "alice" }, action: 'Action::"delete"', resource: 'Doc::"d"', context: { level: 1 } });
      expect(del.body).toMatchObject({ permitted: false, matching_policy_ids: [high.id], reason: expect.stringContaining("forbidden") });
      // bob: the high group errors on context.level (missing) → no match there; the low group decides.
      const bob = await ev({ principal: 'User::"bob"', action: "read", resource: 'Doc::"d"' });
      expect(bob.body).toMatchObject({ permitted: true, matching_policy_ids: [low.id] });
      expect(bob.body.errors).toEqual([expect.objectContaining({ policy_id: high.id, message: expect.any(String) })]);
      const none = await ev({ principal: 'User::"bob"', action: "write", resource: 'Doc::"d"', context: { level: 0 } });
      expect(none.body).toMatchObject({ permitted: false, matching_policy_ids: [], reason: expect.stringContaining("no rule matched") });
      expect((await ev({ principal: 'User::"alice"', action: "read", resource: "no-colon" })).status).toBe(400);
      expect((await ev({ principal: "alice", action: "read", resource: 'Doc::"d"', groups: "eng" })).status).toBe(400);
      expect((await ev({ action: "read", resource: 'Doc::"d"' })).body.code).toBe("invalid_request");
    } finally {
      await own.close();
    }
  });
});

describe("Cedar evaluate: the documented request form", () => {
  it("principal an email or id, groups, resource \"Type:id\", action an id: User::\"…\" with parents Group::\"…\", context {}", async () => {
    const own = await startEmulator({ port: 0 });
    try {
      const c = cedarCaller(own.url);
      const p = (
        await c("POST", "/v1/policies", {
          name: "prod",
          max_duration_seconds: 60,
          cedar_policy_set:
            'permit(principal in Group::"sre", action == Action::"request_access", resource is AwsAccount);\npermit(principal == User::"ops@example.com", action, resource == Database::"orders:eu");',
        })
      ).body;
      const ev = (body: Record<string, unknown>) => c("POST", "/v1/policies/evaluate", body);
      const sre = await ev({ principal: "alice@example.com", groups: ["sre", "oncall"], action: "request_access", resource: "AwsAccount:prod" });
      expect(sre.status, JSON.stringify(sre.body)).toBe(200);
      expect(sre.body).toMatchObject({ permitted: true, matching_policy_ids: [p.id], reason: expect.any(String) });
      expect((await ev({ principal: "alice@example.com", action: "request_access", resource: "AwsAccount:prod" })).body.permitted).toBe(false);
      expect((await ev({ principal: "alice@example.com", groups: ["dba"], action: "request_access", resource: "AwsAccount:prod" })).body.permitted).toBe(false);
      // The resource splits at its FIRST colon: the id keeps the rest.
      expect((await ev({ principal: "ops@example.com", action: "approve", resource: "Database:orders:eu" })).body.permitted).toBe(true);
      // An id (a UUID) works as a principal just as an email does.
      const uuid = "9b2f4c1e-0000-4000-8000-000000000001";
      expect((await ev({ principal: uuid, groups: ["sre"], action: "request_access", resource: "AwsAccount:prod" })).body.permitted).toBe(true);
      // The current (entity literal) form still works beside it.
      expect((await ev({ principal: 'User::"bob"', action: 'Action::"request_access"', resource: 'AwsAccount::"prod"', entities: [{ uid: { type: "User", id: "bob" }, attrs: {}, parents: [{ type: "Group", id: "sre" }] }] })).body.permitted).toBe(true);
    } finally {
      await own.close();
    }
  });
});

describe("Cedar rules: the documented reorder endpoint", () => {
  const ruleIds = async (policyId: string): Promise<string[]> => (await api("GET", `/v1/policies/${policyId}/rules`)).body.data.map((r: any) => r.id);

  it("PATCH …/rules/reorder {ids} numbers the rules 1..n in that order and answers \"Reordered\"", async () => {
    const p = await newPolicy({ cedar_policy_set: 'permit(principal == User::"a", action, resource);\npermit(principal == User::"b", action, resource);\npermit(principal == User::"c", action, resource);' });
    const [a, b, c] = p.rules.map((r: any) => r.id);
    const res = await api("PATCH", `/v1/policies/${p.id}/rules/reorder`, { ids: [c, a, b] });
    expect(res).toMatchObject({ status: 200, body: { message: "Reordered" } });
    expect(await ruleIds(p.id)).toEqual([c, a, b]);
    expect((await api("GET", `/v1/policies/${p.id}`)).body.rules.map((r: any) => [r.id, r.ordinal])).toEqual([[c, 1], [a, 2], [b, 3]]);
    // The texts did not change.
    expect((await api("GET", `/v1/policies/${p.id}/rules/${a}`)).body.policy_text).toBe('permit(principal == User::"a", action, resource);');
  });

  it("refuses (400) a list that is not exactly the policy's rule ids, each once; nothing moves", async () => {
    const p = await newPolicy({ cedar_policy_set: 'permit(principal == User::"a", action, resource);\npermit(principal == User::"b", action, resource);' });
    const other = await newPolicy({ cedar_policy_set: 'permit(principal == User::"x", action, resource);' });
    const [a, b] = p.rules.map((r: any) => r.id);
    for (const body of [{ ids: [b] }, { ids: [b, a, a] }, { ids: [b, other.rules[0].id] }, { ids: [b, a, "nope"] }, { ids: [] }, { ids: "b,a" }, {}]) {
      const res = await api("PATCH", `/v1/policies/${p.id}/rules/reorder`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe("invalid_request");
    }
    expect(await ruleIds(p.id)).toEqual([a, b]);
    expect((await api("PATCH", "/v1/policies/00000000-0000-4000-8000-00000000dead/rules/reorder", { ids: [] })).status).toBe(404);
  });
});

describe("Cedar transport", () => {
  it("a body without Content-Type: application/json is a 400 (a charset parameter is fine)", async () => {
    const send = (contentType: string | undefined) =>
      fetch(`${em.url}/v1/policies`, {
        method: "POST",
        headers: { "x-api-key": CEDAR_KEY, "x-tenant-id": TENANT, ...(contentType === undefined ? {} : { "content-type": contentType }) },
        body: JSON.stringify({ name: `ct-${++counter}`, max_duration_seconds: 60 }),
      });
    const before = em.state.list("cedarPolicies").length;
    for (const ct of [undefined, "text/plain", "application/x-www-form-urlencoded"]) {
      const res = await send(ct);
      expect(res.status, String(ct)).toBe(400);
      expect(await res.json()).toEqual({ code: "invalid_request", message: expect.stringContaining("Content-Type: application/json") });
    }
    expect(em.state.list("cedarPolicies").length).toBe(before);
    expect((await send("application/json; charset=utf-8")).status).toBe(201);
    expect((await send("Application/JSON")).status).toBe(201);
  });
});
