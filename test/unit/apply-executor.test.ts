/**
 * The executor against the real emulator over HTTP: dependency order and ids flowing into later bodies, failures
 * skipping only their dependents, 404 on delete counted as done, and adoption after a lost answer.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { executePlan, type ApplyClients, type ProgressEvent } from "../../src/apply/execute.js";
import { summarizeApply } from "../../src/apply/report.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { createCedarClient, type CedarClient } from "../../src/live/cedar-client.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { fetchLive } from "../../src/live/fetch-live.js";
import { HttpError } from "../../src/live/http-error.js";
import { ORGANIZATION, createRbacClient, type RbacClient } from "../../src/live/rbac-client.js";
import { DEFAULT_THRESHOLDS, type DesiredCedarPolicy, type DesiredRbacPolicy, type DesiredRole, type DesiredRule, type DesiredState } from "../../src/desired/types.js";
import { diff } from "../../src/plan/diff.js";
import type { Change } from "../../src/plan/model.js";
import { sortChanges } from "../../src/plan/order.js";

const TENANT = "00000000-0000-4000-8000-000000000001";
const loc = { file: "test.yaml", line: 1, col: 1 };
const ref = (name: string) => ({ name, loc });
const FAST = { baseDelayMs: 5, maxDelayMs: 50 };

const policy = (name: string, permissions: string[], description?: string): DesiredRbacPolicy => ({
  name, address: `organization/policies/${name}`, loc, permissions: permissions.map(ref), previousNames: [],
  ...(description !== undefined ? { description } : {}),
});
const role = (name: string, policies: string[]): DesiredRole => ({
  name, address: `organization/roles/${name}`, loc, policies: policies.map(ref), previousNames: [],
});
const rule = (policyName: string, ordinal: number, text: string): DesiredRule => ({
  address: `cedar/policies/${policyName}/rules/${ordinal}`, ordinal, form: "cedar", text, loc, locate: () => loc,
});
const cedarPolicy = (name: string, texts: string[]): DesiredCedarPolicy => ({
  name, address: `cedar/policies/${name}`, loc, maxDurationSeconds: 3600, previousNames: [],
  rules: texts.map((t, i) => rule(name, i + 1, t)),
});
function desiredState(parts: { policies?: DesiredRbacPolicy[]; roles?: DesiredRole[]; cedar?: DesiredCedarPolicy[] }): DesiredState {
  const state: DesiredState = {
    dir: ".", projects: [], sources: [], digest: "",
    settings: { owns: [], ignore: [], protect: [], thresholds: DEFAULT_THRESHOLDS },
  };
  if (parts.policies || parts.roles) {
    state.organization = { loc, ...(parts.policies ? { policies: parts.policies } : {}), ...(parts.roles ? { roles: parts.roles } : {}) };
  }
  if (parts.cedar) state.cedar = { loc, policies: parts.cedar };
  return state;
}

let dispatcher: Dispatcher;
let em: EmulatorHandle;
let rbac: RbacClient;
let cedar: CedarClient;
let clients: ApplyClients;

beforeAll(() => {
  dispatcher = createDispatcher({ env: {} });
});
afterAll(() => dispatcher.close());
beforeEach(async () => {
  em = await startEmulator({ port: 0 });
  rbac = createRbacClient({ baseUrl: em.url, apiKey: "local-rbac-key", dispatcher, retry: FAST });
  cedar = createCedarClient({ baseUrl: em.url, apiKey: "local-cedar-key", tenantId: TENANT, dispatcher, retry: FAST });
  clients = { rbac, cedar };
});
afterEach(() => em.close());

async function plan(desired: DesiredState): Promise<Change[]> {
  const live = await fetchLive(clients, { organization: desired.organization !== undefined, cedar: desired.cedar?.policies !== undefined });
  const result = diff(desired, live);
  expect(result.diagnostics).toEqual([]);
  expect(result.liveErrors).toEqual([]);
  return sortChanges(result.changes);
}

const writes = () => em.requestLog.filter((e) => e.method !== "GET");

describe("executePlan: order and ids", () => {
  it("creates a policy, then the role referencing it with the new id; a Cedar policy, then its rules", async () => {
    const desired = desiredState({
      policies: [policy("Billing", ["billing:read", "billing:manage"])],
      roles: [role("Billing Manager", ["Billing"])],
      cedar: [cedarPolicy("prod", ['permit (principal == User::"a", action, resource);', 'forbid (principal, action, resource) unless { context has ticket };'])],
    });
    const changes = await plan(desired);
    expect(changes.map((c) => c.id)).toEqual([
      "create:cedar/policies/prod",
      "create:organization/policies/Billing",
      "create:cedar/policies/prod/rules/1",
      "create:cedar/policies/prod/rules/2",
      "create:organization/roles/Billing Manager",
    ]);
    const events: ProgressEvent[] = [];
    em.requestLog.length = 0;
    const report = await executePlan(changes, clients, { onProgress: (e) => events.push(e), retry: FAST });

    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.applied).toHaveLength(5);
    expect(events.map((e) => e.done)).toEqual([1, 2, 3, 4, 5]);
    expect(events.every((e) => e.status === "applied" && e.total === 5)).toBe(true);

    // Dependents are sent only after their dependency answered: in completion order, the policy POST comes first.
    const paths = writes().map((e) => `${e.method} ${e.path}`);
    const policyPost = paths.indexOf("POST /v1/organization/policies");
    expect(policyPost).toBeLessThan(paths.indexOf("POST /v1/organization/roles"));
    const cedarPost = paths.indexOf("POST /v1/policies");
    const rulePosts = paths.flatMap((p, i) => (/^POST \/v1\/policies\/[^/]+\/rules$/.test(p) ? [i] : []));
    expect(rulePosts).toHaveLength(2);
    expect(rulePosts.every((i) => i > cedarPost)).toBe(true);
    expect(paths).toHaveLength(5);

    const [livePolicy] = await rbac.listPolicies(ORGANIZATION);
    const liveRole = (await rbac.listRoles(ORGANIZATION)).find((r) => r.name === "Billing Manager");
    expect(liveRole?.policyIds).toEqual([livePolicy!.id]);
    const created = report.applied.find((a) => a.change.id === "create:organization/policies/Billing");
    expect(created?.liveId).toBe(livePolicy!.id);
    const [liveCedar] = await cedar.listPolicies();
    expect(liveCedar?.ruleCount).toBe(2);
    expect(await plan(desired)).toEqual([]);
  });

  it("runs a dependent as soon as its own dependencies succeed, not after the whole layer", async () => {
    // One slow chain (policy → role) must not hold back the Cedar work, and vice versa.
    const desired = desiredState({
      policies: [policy("P", ["billing:read"])],
      roles: [role("R", ["P"])],
      cedar: [cedarPolicy("c", ['permit (principal, action, resource);'])],
    });
    const changes = await plan(desired);
    const order: string[] = [];
    const slowRbac: RbacClient = {
      ...rbac,
      createPolicy: async (scope, body) => {
        await new Promise((r) => setTimeout(r, 150));
        return rbac.createPolicy(scope, body);
      },
    };
    const report = await executePlan(changes, { rbac: slowRbac, cedar }, { onProgress: (e) => order.push(e.change.id) });
    expect(report.failed).toEqual([]);
    expect(order.indexOf("create:cedar/policies/c/rules/1")).toBeLessThan(order.indexOf("create:organization/policies/P"));
  });
});

describe("executePlan: call shapes (docs/services.md#how-apply-writes)", () => {
  it("renames are one PUT (RBAC, full body) or PATCH (Cedar) on the same id; swapped rules are one reorder call", async () => {
    const a = 'permit (principal == User::"a", action, resource);';
    const b = 'permit (principal == User::"b", action, resource);';
    await executePlan(await plan(desiredState({ policies: [policy("Old", ["billing:read"], "d")], cedar: [cedarPolicy("old", [a, b])] })), clients);
    const [before] = await rbac.listPolicies(ORGANIZATION);
    const [cedarBefore] = await cedar.listPolicies();
    const renamed = desiredState({
      policies: [{ ...policy("New", ["billing:read"]), previousNames: [ref("Old")] }],
      cedar: [{ ...cedarPolicy("new", [b, a]), previousNames: [ref("old")] }],
    });
    const changes = await plan(renamed);
    expect(changes.map((c) => c.kind).sort()).toEqual(["rename", "rename", "reorder"]);
    const rulesBefore = await cedar.listRules(cedarBefore!.id);
    const puts: unknown[] = [];
    const patches: unknown[] = [];
    const recording: ApplyClients = {
      rbac: { ...rbac, updatePolicy: (s, id, body) => (puts.push({ id, body }), rbac.updatePolicy(s, id, body)) },
      cedar: {
        ...cedar,
        updatePolicy: (id, patch) => (patches.push({ id, patch }), cedar.updatePolicy(id, patch)),
        updateRule: (pid, id, patch) => (patches.push({ pid, patch }), cedar.updateRule(pid, id, patch)),
        reorderRules: (pid, ids) => (patches.push({ pid, ids }), cedar.reorderRules(pid, ids)),
      },
    };
    em.requestLog.length = 0;
    const report = await executePlan(changes, recording);
    expect(report.failed).toEqual([]);
    expect(puts).toEqual([{ id: before!.id, body: { name: "New", description: "d", permissionIds: before!.permissionIds } }]);
    expect(patches).toEqual(
      expect.arrayContaining([
        { id: cedarBefore!.id, patch: { name: "new" } },
        { pid: cedarBefore!.id, ids: [rulesBefore[1]!.id, rulesBefore[0]!.id] },
      ]),
    );
    expect(patches).toHaveLength(2);
    expect(writes().map((e) => e.method).sort()).toEqual(["PATCH", "PATCH", "PUT"]);
    expect(await plan(renamed)).toEqual([]);
  });
});

describe("executePlan: failures", () => {
  it("a failed change skips only its dependents (transitively), with the API's message; the rest goes on", async () => {
    const desired = desiredState({
      policies: [policy("Good", ["billing:read"]), policy("Bad", ["billing:read"])],
      roles: [role("Uses bad", ["Bad"]), role("Uses good", ["Good"])],
      cedar: [cedarPolicy("c", ['permit (principal, action, resource);'])],
    });
    const changes = await plan(desired);
    const bad = changes.find((c) => c.id === "create:organization/policies/Bad")!;
    if (bad.type !== "rbac-policy" || bad.kind !== "create") throw new Error("unexpected plan");
    bad.body.permissions = [{ name: "billing:read", id: "no-such-permission" }];
    // A change further down the chain: skipped too, naming the root failure.
    const usesBad = changes.find((c) => c.id === "create:organization/roles/Uses bad")!;
    const downstream: Change = { ...usesBad, id: "update:organization/roles/Downstream", kind: "update", liveId: "x", dependsOn: [usesBad.id] } as Change;
    const report = await executePlan([...changes, downstream], clients, { retry: FAST });

    expect(report.failed.map((f) => f.change.id)).toEqual(["create:organization/policies/Bad"]);
    expect(report.failed[0]!.error).toMatch(/^\[POST\] \/v1\/organization\/policies: 422 Unprocessable Entity — /);
    expect(report.skipped.map((s) => s.change.id).sort()).toEqual(["create:organization/roles/Uses bad", "update:organization/roles/Downstream"]);
    for (const s of report.skipped) {
      expect(s.reason).toBe("upstream-failed");
      expect(s.failedDependencies).toEqual(["create:organization/policies/Bad"]);
      expect(s.message).toContain("organization/policies/Bad");
    }
    expect(report.applied.map((a) => a.change.id).sort()).toEqual([
      "create:cedar/policies/c",
      "create:cedar/policies/c/rules/1",
      "create:organization/policies/Good",
      "create:organization/roles/Uses good",
    ]);
    const summary = summarizeApply(report);
    expect(summary.counts).toEqual({ total: 7, applied: 4, adopted: 0, failed: 1, unknown: 0, skipped: 2, notStarted: 0 });
    expect(summary.ok).toBe(false);
    expect(summary.failed[0]!.address).toEqual({ kind: "org-policy", name: "Bad" });
  });

  it("a DELETE answering 404 counts as done (RBAC role and policy, Cedar rule and policy)", async () => {
    await executePlan(
      await plan(desiredState({ policies: [policy("P", ["billing:read"])], roles: [role("R", ["P"])], cedar: [cedarPolicy("c", ['permit (principal, action, resource);']), cedarPolicy("d", [])] })),
      clients,
    );
    // Plan the deletes, then delete everything behind the plan's back.
    const changes = await plan(desiredState({ policies: [], roles: [], cedar: [cedarPolicy("c", [])] }));
    expect(changes.map((c) => `${c.kind} ${c.type}`).sort()).toEqual(["delete cedar-policy", "delete cedar-rule", "delete rbac-policy", "delete role"]);
    const [p] = await rbac.listPolicies(ORGANIZATION);
    const r = (await rbac.listRoles(ORGANIZATION)).find((x) => !x.system)!;
    await rbac.deleteRole(ORGANIZATION, r.id);
    await rbac.deletePolicy(ORGANIZATION, p!.id);
    for (const cp of await cedar.listPolicies()) {
      if (cp.name === "d") await cedar.deletePolicy(cp.id);
      else for (const lr of await cedar.listRules(cp.id)) await cedar.deleteRule(cp.id, lr.id);
    }
    const report = await executePlan(changes, clients, { retry: FAST });
    expect(report.failed).toEqual([]);
    expect(report.applied).toHaveLength(4);
    expect(report.applied.every((a) => a.note === "already gone (404)")).toBe(true);
  });

  it("an interrupted run starts nothing new and reports the rest as not started", async () => {
    const changes = await plan(desiredState({ policies: [policy("A", ["billing:read"]), policy("B", ["billing:read"])] }));
    const controller = new AbortController();
    controller.abort();
    const report = await executePlan(changes, clients);
    expect(report.applied).toHaveLength(2);
    const none = await executePlan(await plan(desiredState({ policies: [policy("C", ["billing:read"])] })), clients, { signal: controller.signal });
    expect(none.aborted).toBe(true);
    expect(none.skipped).toEqual([]);
    expect(none.notStarted.map((s) => [s.reason, s.message])).toEqual(Array(3).fill(["interrupted", "not started: the apply was interrupted"]));
  });
});

/** A lost answer after the write committed: what the emulator's after-commit faults do, made deterministic. */
function lostAnswer(method: string, path: string): HttpError {
  return new HttpError({ kind: "network", method, path, status: null, serverMessage: "socket hang up", code: "ECONNRESET", outcome: "unknown" });
}

describe("executePlan: unknown outcomes are settled, never repeated blindly", () => {
  it("RBAC create: lists again, adopts the object of that name and PUTs what differs", async () => {
    const changes = await plan(desiredState({ policies: [policy("P", ["billing:read"], "wanted")], roles: [role("R", ["P"])] }));
    let posts = 0;
    const lossy: RbacClient = {
      ...rbac,
      createPolicy: async (scope, body) => {
        posts++;
        // The server committed an older body (as a stale earlier attempt would), and the answer was lost.
        await rbac.createPolicy(scope, { ...body, description: "stale" });
        throw lostAnswer("POST", "/v1/organization/policies");
      },
    };
    const statuses: string[] = [];
    const report = await executePlan(changes, { rbac: lossy, cedar }, { retry: FAST, onProgress: (e) => statuses.push(`${e.status} ${e.change.id}`) });
    expect(report.failed).toEqual([]);
    expect(posts).toBe(1);
    expect(statuses).toContain("adopted create:organization/policies/P");
    const live = await rbac.listPolicies(ORGANIZATION);
    expect(live.map((p) => [p.name, p.description])).toEqual([["P", "wanted"]]);
    const r = (await rbac.listRoles(ORGANIZATION)).find((x) => x.name === "R");
    expect(r?.policyIds).toEqual([live[0]!.id]);
    expect(report.applied.find((a) => a.change.type === "rbac-policy")?.adopted).toBe(true);
  });

  it("RBAC create: nothing to adopt → created again; never settled → outcome unknown, said clearly", async () => {
    const changes = await plan(desiredState({ policies: [policy("P", ["billing:read"])] }));
    let posts = 0;
    const flaky: RbacClient = {
      ...rbac,
      createPolicy: async (scope, body) => {
        if (++posts < 3) throw lostAnswer("POST", "/v1/organization/policies");
        return rbac.createPolicy(scope, body);
      },
    };
    const ok = await executePlan(changes, { rbac: flaky }, { retry: FAST });
    expect(ok.applied.map((a) => a.adopted)).toEqual([false]);
    expect(posts).toBe(3);
    expect(await rbac.listPolicies(ORGANIZATION)).toHaveLength(1);

    const never: RbacClient = { ...rbac, createPolicy: async () => Promise.reject(lostAnswer("POST", "/v1/organization/policies")) };
    const changes2 = await plan(desiredState({ policies: [policy("P", ["billing:read"]), policy("Q", ["billing:read"])] }));
    const failed = await executePlan(changes2, { rbac: never }, { retry: { ...FAST, maxAttempts: 3 } });
    expect(failed.failed).toEqual([]);
    expect(failed.unknown).toHaveLength(1);
    expect(failed.unknown[0]!.error).toMatch(/^\[POST\] \/v1\/organization\/policies: no response \(ECONNRESET\).*outcome stayed unknown after 3 attempts/);
  });

  it("Cedar rule create: adopts a rule of the same meaning, but never one another desired rule has claimed", async () => {
    const text = 'permit (principal == User::"a", action, resource);';
    await executePlan(await plan(desiredState({ cedar: [cedarPolicy("c", [text])] })), clients);
    // Hand-made plan: the live rule moves to 2 (claimed by the reorder), and a rule of the same meaning is created at 1.
    const [cp] = await cedar.listPolicies();
    const [lr] = await cedar.listRules(cp!.id);
    const base = { type: "cedar-rule" as const, scope: "cedar", policy: { name: "c", id: cp!.id }, dependsOn: [], fields: [] };
    const create = "create:cedar/policies/c/rules/1";
    const changes: Change[] = [
      { ...base, id: create, kind: "create", address: { kind: "cedar-rule", policy: "c", ordinal: 1 }, body: { text: `// same meaning\n${text}`, ordinal: 1 } },
      {
        id: "reorder:cedar/policies/c", kind: "reorder", type: "cedar-policy", scope: "cedar", address: { kind: "cedar-policy", name: "c" }, liveId: cp!.id, dependsOn: [create], fields: [],
        moves: [{ address: { kind: "cedar-rule", policy: "c", ordinal: 2 }, liveId: lr!.id, from: 1, to: 2, text }],
        order: [{ create }, { liveId: lr!.id }],
      },
    ];
    let posts = 0;
    const lossy: CedarClient = {
      ...cedar,
      createRule: async (policyId, input) => {
        // First attempt: lost before the commit (nothing created); the second goes through.
        if (++posts === 1) throw lostAnswer("POST", `/v1/policies/${policyId}/rules`);
        return cedar.createRule(policyId, input);
      },
    };
    const report = await executePlan(changes, { cedar: lossy }, { retry: FAST });
    expect(report.failed).toEqual([]);
    expect(report.applied.map((a) => a.adopted)).toEqual([false, false]);
    expect(posts).toBe(2);
    expect((await cedar.listRules(cp!.id)).map((r) => r.ordinal)).toEqual([1, 2]);
  });

  it("Cedar policy and rule creates whose answers are lost are adopted, then patched to the wanted fields", async () => {
    const desired = desiredState({ cedar: [{ ...cedarPolicy("c", ['permit (principal, action, resource);']), priority: 5 }] });
    const changes = await plan(desired);
    const lossy: CedarClient = {
      ...cedar,
      createPolicy: async (input) => {
        await cedar.createPolicy({ ...input, priority: 1 });
        throw lostAnswer("POST", "/v1/policies");
      },
      createRule: async (policyId, input) => {
        await cedar.createRule(policyId, { ...input, auditSession: false });
        throw lostAnswer("POST", `/v1/policies/${policyId}/rules`);
      },
    };
    const rule1 = changes.find((c) => c.type === "cedar-rule")!;
    if (rule1.kind === "create") rule1.body.auditSession = true;
    const report = await executePlan(changes, { cedar: lossy }, { retry: FAST });
    expect(report.failed).toEqual([]);
    expect(report.applied.map((a) => a.adopted)).toEqual([true, true]);
    const [cp] = await cedar.listPolicies();
    expect(cp?.priority).toBe(5);
    const rules = await cedar.listRules(cp!.id);
    expect(rules.map((r) => [r.ordinal, r.auditSession])).toEqual([[1, true]]);
    expect(await plan(desired)).toEqual([]);
  });
});
