/**
 * The calls no vendor page documents, and the documented reorder, end to end (docs/services.md#assumptions): the CLI
 * against the emulator, through a scriptable proxy that plays a service lacking a call (405, or 404 while the
 * target is still there), a target that really went away (404, gone), a refused reorder (400, never retried) and
 * an RBAC endpoint marked `"deprecated": true`. Also saved plans carrying a reorder.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { tempDir } from "../helpers/cli.js";
import { startEmulatorProxy, type ProxyScript } from "../helpers/emulator-proxy.js";
import { CEDAR_KEY, RBAC_KEY, cli, show, targetEnv } from "../helpers/apply-fixtures.js";
import type { FakeRequest } from "../helpers/fake-http.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function appliedQuickstart(): Promise<{ em: EmulatorHandle; dir: string }> {
  const em = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
  cleanups.push(() => em.close());
  const dir = tempDir("examples/quickstart");
  const r = await cli(dir, ["apply", ".", "--yes"], targetEnv(em.url));
  expect(r.code, show(r)).toBe(0);
  return { em, dir };
}

async function proxy(em: EmulatorHandle, script: ProxyScript): Promise<{ url: string; seen: FakeRequest[] }> {
  const p = await startEmulatorProxy(em.url, script);
  cleanups.push(() => p.close());
  return { url: p.url, seen: p.requests };
}

function editCedar(dir: string, change: (doc: any) => void): void {
  const path = join(dir, "cedar/access.yaml");
  const doc = parse(readFileSync(path, "utf8"));
  change(doc);
  writeFileSync(path, stringify(doc));
}

const production = (doc: any) => doc.cedar.policies.find((p: any) => p.name === "production-access");
/** break-glass keeps only its first rule. */
const dropBreakGlassForbid = (dir: string) => writeFileSync(join(dir, "cedar/break-glass.cedar"), readFileSync(join(dir, "cedar/break-glass.cedar"), "utf8").split("// Never")[0]!);

const isRule = (r: FakeRequest) => /^\/v1\/policies\/[^/]+\/rules\/[^/]+$/.test(r.path) && !r.path.endsWith("/reorder");
const writes = (seen: FakeRequest[]) => seen.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
const ASSUMED = "is not in the Cedar policy API's published reference: accessctl assumed the service offers it";

describe("a service that lacks an undocumented call", () => {
  it("405 to a rule DELETE: the run stops, naming the assumption; nothing more is sent", async () => {
    const { em, dir } = await appliedQuickstart();
    // A third production rule, applied, then removed again with break-glass's forbid: two independent rule deletes.
    editCedar(dir, (doc) => production(doc).rules.push({ cedar: "forbid(principal, action, resource) when { context.duration_seconds > 99999 };" }));
    expect((await cli(dir, ["apply", ".", "--yes"], targetEnv(em.url))).code).toBe(0);
    editCedar(dir, (doc) => production(doc).rules.pop());
    dropBreakGlassForbid(dir);
    const p = await proxy(em, (req, forward) => (req.method === "DELETE" && isRule(req) ? { status: 405, json: { code: "method_not_allowed", message: "Method Not Allowed" } } : forward(req)));
    const before = em.state.list("cedarRules").length;
    const r = await cli(dir, ["apply", ".", "--yes", "--concurrency", "1"], targetEnv(p.url));
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain(`DELETE /v1/policies/{policyId}/rules/{ruleId} ${ASSUMED}`);
    expect(r.stderr).toContain("not started: the run stopped");
    // One DELETE reached the service; the other was never sent.
    expect(writes(p.seen)).toHaveLength(1);
    expect(writes(p.seen)[0]).toMatch(/^DELETE \/v1\/policies\/[^/]+\/rules\/[^/]+$/);
    expect(em.state.list("cedarRules")).toHaveLength(before);
  });

  it("404 to a rule DELETE while a documented read still finds the rule: the call is missing, the run stops", async () => {
    const { em, dir } = await appliedQuickstart();
    dropBreakGlassForbid(dir);
    const p = await proxy(em, (req, forward) => (req.method === "DELETE" && isRule(req) ? { status: 404, json: { code: "not_found", message: "Not Found" } } : forward(req)));
    const r = await cli(dir, ["apply", ".", "--yes"], targetEnv(p.url));
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain("yet GET /v1/policies/{policyId}/rules/{ruleId} still finds it");
    expect(r.stderr).toContain(ASSUMED);
    const deleted = p.seen.find((q) => q.method === "DELETE")!;
    // The check was the documented read of that very rule, once: no retry loop.
    expect(p.seen.filter((q) => q.path === deleted.path).map((q) => q.method)).toEqual(["DELETE", "GET"]);
  });

  it("404 to a rule DELETE whose rule is really gone: done, and the run converges", async () => {
    const { em, dir } = await appliedQuickstart();
    dropBreakGlassForbid(dir);
    const p = await proxy(em, async (req, forward) => {
      if (req.method === "DELETE" && isRule(req)) {
        await forward(req); // someone else deleted it a moment before
        return { status: 404, json: { code: "not_found", message: "Not Found" } };
      }
      return forward(req);
    });
    const r = await cli(dir, ["apply", ".", "--yes"], targetEnv(p.url));
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("No changes. Live state matches the desired state.");
  });

  it("404 to a rule PATCH: gone → changed meanwhile, plan again; still there → the assumption", async () => {
    const { em, dir } = await appliedQuickstart();
    editCedar(dir, (doc) => (production(doc).rules[1].notice = "A ticket, always"));
    const gone = await proxy(em, async (req, forward) => {
      if (req.method === "PATCH" && isRule(req)) {
        await forward({ ...req, method: "DELETE", body: undefined }); // deleted outside accessctl meanwhile
        return { status: 404, json: { code: "not_found", message: "Not Found" } };
      }
      return forward(req);
    });
    const r = await cli(dir, ["apply", ".", "--yes"], targetEnv(gone.url));
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain("it changed outside accessctl meanwhile; plan again");
    expect(r.stderr).not.toContain(ASSUMED);

    const { em: em2, dir: dir2 } = await appliedQuickstart();
    editCedar(dir2, (doc) => (production(doc).rules[1].notice = "A ticket, always"));
    const there = await proxy(em2, (req, forward) => (req.method === "PATCH" && isRule(req) ? { status: 404, json: { code: "not_found", message: "Not Found" } } : forward(req)));
    const r2 = await cli(dir2, ["apply", ".", "--yes"], targetEnv(there.url));
    expect(r2.code, show(r2)).toBe(1);
    expect(r2.stderr).toContain(`PATCH /v1/policies/{policyId}/rules/{ruleId} ${ASSUMED}`);
  });
});

describe("the reorder call", () => {
  it("a 400 to the reorder is not retried: that policy's moves fail, exit 1", async () => {
    const { em, dir } = await appliedQuickstart();
    editCedar(dir, (doc) => production(doc).rules.reverse());
    const p = await proxy(em, (req, forward) =>
      req.path.endsWith("/rules/reorder") ? { status: 400, json: { code: "invalid_request", message: "ids must list every rule" } } : forward(req),
    );
    const r = await cli(dir, ["apply", ".", "--yes"], targetEnv(p.url));
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain("400 Bad Request — ids must list every rule");
    expect(p.seen.filter((q) => q.path.endsWith("/rules/reorder"))).toHaveLength(1);
  });

  it("a saved plan with a reorder applies when nothing changed; a rule moved meanwhile makes another stale", async () => {
    const { em, dir } = await appliedQuickstart();
    editCedar(dir, (doc) => production(doc).rules.reverse());
    const saved = join(dir, "swap.json");
    expect((await cli(dir, ["plan", ".", "--out", saved], targetEnv(em.url))).code).toBe(0);
    const plan = JSON.parse(readFileSync(saved, "utf8"));
    expect(plan.formatVersion).toBe(5);
    expect(plan.summary.move).toBe(2);
    expect(plan.changes.map((c: any) => c.id)).toEqual(["reorder:cedar/policies/production-access"]);

    const stale = join(dir, "stale.json");
    expect((await cli(dir, ["plan", ".", "--out", stale], targetEnv(em.url))).code).toBe(0);
    const applied = await cli(dir, ["apply", ".", "--plan", saved], targetEnv(em.url));
    expect(applied.code, show(applied)).toBe(0);

    // The second saved plan is stale now: a rule was moved outside accessctl, so a fresh plan moves other rules.
    const policy = em.state.list("cedarPolicies").find((p) => p.name === "production-access")!;
    const [first] = em.state.list("cedarRules").filter((r) => r.policy_id === policy.id).sort((a, b) => a.ordinal - b.ordinal);
    await em.state.put("cedarRules", { ...first!, ordinal: 9 });
    const refused = await cli(dir, ["apply", ".", "--plan", stale], targetEnv(em.url));
    expect(refused.code, show(refused)).toBe(4);
    expect(refused.stderr).toContain("cedar/policies/production-access");
  });
});

describe('an RBAC endpoint marked "deprecated": true', () => {
  it("is said once on stderr, naming the endpoint", async () => {
    const { em, dir } = await appliedQuickstart();
    const p = await proxy(em, async (req, forward) => {
      const answer = await forward(req);
      if (req.method === "GET" && req.path.endsWith("/roles") && typeof answer.json === "object") return { ...answer, json: { ...(answer.json as object), deprecated: true } };
      return answer;
    });
    const r = await cli(dir, ["plan", "."], targetEnv(p.url));
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout.trim()).toBe("No changes. Live state matches the desired state.");
    const said = r.stderr.split("\n").filter((l) => l.includes("deprecated"));
    expect(said).toHaveLength(2);
    expect(said[0]).toContain('the RBAC API marks GET /v1/organization/roles as deprecated ("deprecated": true)');
    expect(said[1]).toContain("GET /v1/projects/{projectId}/roles");
  });
});
