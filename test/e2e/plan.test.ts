/**
 * `accessctl plan` end to end: the built CLI (dist/) as a child process, against an emulator started here on
 * port 0 and reached over HTTP through the URL variables (issue 5, acceptance 2 and 3). The tests run under
 * CI=true (baseEnv), as the suite does.
 *
 * `apply` is written elsewhere; to bring the live state to the desired state these tests apply a saved plan's
 * changes over plain HTTP themselves (`applyOverHttp`), in the plan's order.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatAddress } from "../../src/address/address.js";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../src/emulator/index.js";
import { policyWire, ruleWire } from "../../src/live/cedar-client.js";
import { planChecksum } from "../../src/plan/checksum.js";
import type { Change, Plan } from "../../src/plan/model.js";
import { sortChanges } from "../../src/plan/order.js";
import { EMULATOR_TENANT, emulatorTargets, runCli, tempDir, type CliResult } from "../helpers/cli.js";

const TENANT = EMULATOR_TENANT;
/** Distinctive keys: any appearance in an output is a leak. */
const RBAC_KEY = "rbac-SECRET-k3y-7f1e9a";
const CEDAR_KEY = "cedar-SECRET-k3y-2b8c4d";
const QUICKSTART_CREATES = 14; // 2 + 2 org, 2 + 2 project, 2 Cedar policies + 4 rules

function targetEnv(em: EmulatorHandle, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return emulatorTargets(em.url, { rbac: RBAC_KEY, cedar: CEDAR_KEY }, extra);
}

function expectNoKeys(...texts: string[]): void {
  for (const t of texts) {
    expect(t).not.toContain(RBAC_KEY);
    expect(t).not.toContain(CEDAR_KEY);
    expect(t).not.toContain(encodeURIComponent(RBAC_KEY));
  }
}

/** Runs the CLI in `cwd` and checks that no key leaked into its output. */
async function plan(cwd: string, args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const r = await runCli(["plan", ".", ...args], { cwd, env, timeoutMs: 110_000 });
  expectNoKeys(r.stdout, r.stderr);
  return r;
}

async function planJson(cwd: string, env: Record<string, string | undefined>, args: string[] = []): Promise<{ r: CliResult; plan: Plan }> {
  const r = await plan(cwd, ["--json", ...args], env);
  if (r.code !== 0) throw new Error(`plan --json exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return { r, plan: JSON.parse(r.stdout) as Plan };
}

const lines = (p: Plan): string[] => p.changes.map((c) => `${c.kind} ${formatAddress(c.address)}`);
const at = (address: string) => (c: Change): boolean => formatAddress(c.address) === address;

// ---- HTTP helpers (the emulator's APIs, as any client would call them) -----------------------------------------

async function call(em: EmulatorHandle, api: "rbac" | "cedar", method: string, path: string, body?: unknown): Promise<any> {
  const headers: Record<string, string> = api === "rbac" ? { CONFIDENT_API_KEY: RBAC_KEY } : { "X-API-Key": CEDAR_KEY, "X-Tenant-ID": TENANT };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${em.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text === "" ? undefined : JSON.parse(text);
}

const rbac = (em: EmulatorHandle, method: string, path: string, body?: unknown) => call(em, "rbac", method, path, body).then((b) => b?.data);
const cedar = (em: EmulatorHandle, method: string, path: string, body?: unknown) => call(em, "cedar", method, path, body);

/**
 * Applies a plan's changes over HTTP, in plan order (which is dependency order: policies → roles and rules →
 * deletes). Refs without an id are filled from the objects created earlier in the same run.
 */
async function applyOverHttp(em: EmulatorHandle, p: Plan): Promise<void> {
  const created = new Map<string, string>();
  const key = (scope: string, name: string) => `${scope}|${name}`;
  for (const c of p.changes as Change[]) {
    const base = c.projectId ? `/v1/projects/${c.projectId}` : "/v1/organization";
    switch (c.type) {
      case "rbac-policy": {
        if (c.kind === "delete") {
          await rbac(em, "DELETE", `${base}/policies/${c.liveId}`);
          break;
        }
        const body = { name: c.body.name, description: c.body.description, permissionIds: c.body.permissions.map((r) => r.id!) };
        if (c.kind === "create") created.set(key(c.scope, c.body.name), (await rbac(em, "POST", `${base}/policies`, body)).policy.id);
        else await rbac(em, "PUT", `${base}/policies/${c.liveId}`, body);
        break;
      }
      case "role": {
        if (c.kind === "delete") {
          await rbac(em, "DELETE", `${base}/roles/${c.liveId}`);
          break;
        }
        const policyIds = c.body.policies.map((r) => r.id ?? created.get(key(c.scope, r.name))!);
        const body = { name: c.body.name, description: c.body.description, policyIds };
        if (c.kind === "create") await rbac(em, "POST", `${base}/roles`, body);
        else await rbac(em, "PUT", `${base}/roles/${c.liveId}`, body);
        break;
      }
      case "cedar-policy": {
        if (c.kind === "create") created.set(key("cedar", c.body.name), (await cedar(em, "POST", "/v1/policies", policyWire(c.body))).id);
        else if (c.kind === "delete") await cedar(em, "DELETE", `/v1/policies/${c.liveId}`);
        else if (c.kind === "reorder") {
          const ids = c.order.map((slot) => ("liveId" in slot ? slot.liveId : created.get(key("rule", slot.create))!));
          await cedar(em, "PATCH", `/v1/policies/${c.liveId}/rules/reorder`, { ids });
        } else await cedar(em, "PATCH", `/v1/policies/${c.liveId}`, policyWire(c.body));
        break;
      }
      case "cedar-rule": {
        const policyId = c.policy.id ?? created.get(key("cedar", c.policy.name))!;
        if (c.kind === "create") created.set(key("rule", c.id), (await cedar(em, "POST", `/v1/policies/${policyId}/rules`, ruleWire(c.body))).id);
        else if (c.kind === "delete") await cedar(em, "DELETE", `/v1/policies/${policyId}/rules/${c.liveId}`);
        else await cedar(em, "PATCH", `/v1/policies/${policyId}/rules/${c.liveId}`, ruleWire(c.body));
        break;
      }
    }
  }
}

async function orgPolicies(em: EmulatorHandle): Promise<{ id: string; name: string; description: string | null; permissions: { id: string }[] }[]> {
  return (await rbac(em, "GET", "/v1/organization/policies")).policies;
}

async function projectId(em: EmulatorHandle, name: string): Promise<string> {
  return (await rbac(em, "GET", "/v1/projects")).projects.find((p: { name: string }) => p.name === name).id;
}

async function cedarPolicyId(em: EmulatorHandle, name: string): Promise<string> {
  let cursor: string | null = null;
  for (;;) {
    const page: { data: { id: string; name: string }[]; next_cursor: string | null } = await cedar(em, "GET", `/v1/policies?limit=250${cursor ? `&cursor=${cursor}` : ""}`);
    const hit = page.data.find((p) => p.name === name);
    if (hit) return hit.id;
    if (!page.next_cursor) throw new Error(`no Cedar policy ${name}`);
    cursor = page.next_cursor;
  }
}

// ---- the suite -------------------------------------------------------------------------------------------------

describe("plan against the emulator over HTTP (pageSize 1)", () => {
  let em: EmulatorHandle;
  let dir: string;

  beforeAll(async () => {
    em = await startEmulator({ port: 0, pageSize: 1, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
    dir = tempDir("examples/quickstart");
  });
  afterAll(() => em?.close());

  it("the quickstart on an empty service: plan --json shows all creates", async () => {
    const { r, plan: p } = await planJson(dir, targetEnv(em));
    expect(r.stderr).not.toMatch(/embedded emulator/i);
    expect(p.formatVersion).toBe(5);
    expect(p.changes.every((c) => c.kind === "create")).toBe(true);
    expect(lines(p)).toEqual([
      "create cedar/policies/break-glass",
      "create cedar/policies/production-access",
      "create organization/policies/Audit access",
      "create organization/policies/Manage billing",
      "create projects/Support Bot/policies/Curate datasets",
      "create projects/Support Bot/policies/View traces",
      "create cedar/policies/break-glass/rules/1",
      "create cedar/policies/break-glass/rules/2",
      "create cedar/policies/production-access/rules/1",
      "create cedar/policies/production-access/rules/2",
      "create organization/roles/Auditor",
      "create organization/roles/Billing Manager",
      "create projects/Support Bot/roles/Analyst",
      "create projects/Support Bot/roles/Data Curator",
    ]);
    expect(p.summary).toEqual({ create: QUICKSTART_CREATES, update: 0, rename: 0, delete: 0, move: 0 });
    expect(p.targets).toEqual({ local: false, rbac: { url: em.url }, cedar: { url: em.url, tenant: TENANT } });
    // Names and resolved ids side by side; roles wait for the policies they use.
    const billing = p.changes.find(at("organization/policies/Manage billing"))!;
    expect(billing).toMatchObject({ body: { permissions: [{ name: "billing:read", id: expect.any(String) }, { name: "billing:manage", id: expect.any(String) }] } });
    const curator = p.changes.find(at("projects/Support Bot/roles/Data Curator"))!;
    expect([...curator.dependsOn].sort()).toEqual(["create:projects/Support Bot/policies/Curate datasets", "create:projects/Support Bot/policies/View traces"]);
    expect(curator.projectId).toBe(await projectId(em, "Support Bot"));
    expect(p.checksum).toBe(planChecksum(p.changes));
  });

  it("--detailed-exitcode exits 2 with changes; the text ends with the summary line", async () => {
    const r = await plan(dir, ["--detailed-exitcode"], targetEnv(em));
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe(`Plan: ${QUICKSTART_CREATES} to create, 0 to update, 0 to delete.`);
    expect(r.stdout).toContain("+ organization/roles/Billing Manager");
  });

  it("--out plan.json: formatVersion 5, checksum, sorted changes, the files as written (${env:X} unreplaced)", async () => {
    const d = tempDir("examples/quickstart");
    const orgFile = join(d, "organization.yaml");
    writeFileSync(orgFile, readFileSync(orgFile, "utf8").replace("Grants access to billing settings", "Grants ${env:BILLING_TEAM} access to billing"));
    const out = join(d, "plan.json");
    const r = await plan(d, ["--out", out], targetEnv(em, { BILLING_TEAM: "Finance-Team-Zeta" }));
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, "utf8");
    expectNoKeys(text);
    const p = JSON.parse(text) as Plan;
    expect(p.formatVersion).toBe(5);
    expect(p.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(p.checksum).toBe(planChecksum(p.changes));
    expect(p.changes.map((c) => c.id)).toEqual(sortChanges(p.changes).map((c) => c.id));
    expect(p.changes).toHaveLength(QUICKSTART_CREATES);
    expect(p.sourceDigest).toMatch(/\S/);
    const stored = p.desired.files.find((f) => f.path === "organization.yaml");
    expect(stored?.text).toContain("Grants ${env:BILLING_TEAM} access to billing");
    expect(stored?.text).not.toContain("Finance-Team-Zeta");
    expect(p.desired.files.map((f) => f.path)).toEqual(expect.arrayContaining(["organization.yaml", "projects/support-bot.yaml", "cedar/access.yaml", "cedar/break-glass.cedar"]));
    // The replaced value is what would be sent.
    expect(p.changes.find(at("organization/policies/Manage billing"))).toMatchObject({ body: { description: "Grants Finance-Team-Zeta access to billing" } });
  });

  it("once the live state matches (applied over HTTP), plan --detailed-exitcode exits 0 with 'No changes'", async () => {
    const { plan: p } = await planJson(dir, targetEnv(em));
    await applyOverHttp(em, p);
    const r = await plan(dir, ["--detailed-exitcode"], targetEnv(em));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("No changes. Live state matches the desired state.");
    const again = await planJson(dir, targetEnv(em));
    expect(again.plan.changes).toEqual([]);
    expect(again.plan.summary).toEqual({ create: 0, update: 0, rename: 0, delete: 0, move: 0 });
  });

  it("objects created or changed out-of-band show up as deletes and updates; applying them converges", async () => {
    // Out of band: a stray org role, a changed policy description, a stray project policy, a rule added to a
    // Cedar policy, a stray Cedar policy, and a changed Cedar policy priority.
    await rbac(em, "POST", "/v1/organization/roles", { name: "Intruder", policyIds: [], description: null });
    const billing = (await orgPolicies(em)).find((p) => p.name === "Manage billing")!;
    await rbac(em, "PUT", `/v1/organization/policies/${billing.id}`, {
      name: billing.name,
      description: "edited in the console",
      permissionIds: billing.permissions.map((x) => x.id),
    });
    const sb = await projectId(em, "Support Bot");
    await rbac(em, "POST", `/v1/projects/${sb}/policies`, { name: "Rogue", permissionIds: [], description: null });
    const prod = await cedarPolicyId(em, "production-access");
    await cedar(em, "POST", `/v1/policies/${prod}/rules`, { policy_text: "permit(principal, action, resource);" });
    await cedar(em, "PATCH", `/v1/policies/${prod}`, { priority: 99 });
    await cedar(em, "POST", "/v1/policies", { name: "shadow", max_duration_seconds: 60 });

    const { plan: p } = await planJson(dir, targetEnv(em));
    expect(lines(p)).toEqual([
      "update cedar/policies/production-access",
      "update organization/policies/Manage billing",
      "delete cedar/policies/production-access/rules/3",
      "delete organization/roles/Intruder",
      "delete cedar/policies/shadow",
      "delete projects/Support Bot/policies/Rogue",
    ]);
    expect(p.changes[0]).toMatchObject({ fields: [{ field: "priority", before: 99, after: 10 }], body: { priority: 10 } });
    expect(p.changes[1]).toMatchObject({ fields: [{ field: "description", before: "edited in the console", after: "Grants access to billing settings" }], liveId: billing.id });
    expect(p.changes[2]).toMatchObject({ ordinal: 3, policy: { name: "production-access", id: prod } });

    const r = await plan(dir, ["--detailed-exitcode"], targetEnv(em));
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("- organization/roles/Intruder");
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("Plan: 0 to create, 2 to update, 4 to delete.");

    await applyOverHttp(em, p);
    const after = await plan(dir, ["--detailed-exitcode"], targetEnv(em));
    expect(after.code, after.stdout + after.stderr).toBe(0);
  });

  it("Cedar lists longer than one page (> 250 policies) are followed to the end", async () => {
    const names = Array.from({ length: 260 }, (_, i) => `bulk-${String(i).padStart(3, "0")}`);
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(names.slice(i, i + 20).map((name) => cedar(em, "POST", "/v1/policies", { name, max_duration_seconds: 60 })));
    }
    const before = em.requestLog.length;
    const { plan: p } = await planJson(dir, targetEnv(em));
    expect(lines(p)).toEqual(names.map((n) => `delete cedar/policies/${n}`));
    // The 257th+ policies are only reachable through next_cursor.
    const gets = em.requestLog.slice(before).filter((e) => e.method === "GET" && e.path.startsWith("/v1/policies?"));
    expect(gets.some((e) => e.path.includes("cursor="))).toBe(true);
    await applyOverHttp(em, p);
    expect((await plan(dir, ["--detailed-exitcode"], targetEnv(em))).code).toBe(0);
  });

  it("a URL without its key → exit 1, naming the missing variable", async () => {
    const r = await plan(dir, [], targetEnv(em, { CONFIDENT_API_KEY: undefined }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("CONFIDENT_API_KEY");
    const c = await plan(dir, [], targetEnv(em, { ACCESSCTL_CEDAR_TENANT_ID: undefined }));
    expect(c.code).toBe(1);
    expect(c.stderr).toContain("ACCESSCTL_CEDAR_TENANT_ID");
  });

  it("a wrong key → exit 1, and the key is not echoed", async () => {
    const wrong = "wrong-SECRET-k3y-55aa";
    const r = await runCli(["plan", "."], { cwd: dir, env: targetEnv(em, { CONFIDENT_API_KEY: wrong }), timeoutMs: 110_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/401/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it("an unknown permission → exit 3 with file:line:col", async () => {
    const d = tempDir("examples/quickstart");
    const orgFile = join(d, "organization.yaml");
    const text = readFileSync(orgFile, "utf8").replace("[billing:read, billing:manage]", "[billing:read, billing:fly]");
    writeFileSync(orgFile, text);
    const lineNo = text.split("\n").findIndex((l) => l.includes("billing:fly")) + 1;
    const col = text.split("\n")[lineNo - 1]!.indexOf("billing:fly") + 1;
    const r = await plan(d, [], targetEnv(em));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`organization.yaml:${lineNo}:${col}`);
    expect(r.stderr).toContain("billing:fly");
    expect(r.stderr).toContain("organization/policies/Manage billing");
  });
});

describe("targets under CI", () => {
  it("CI=true with no URL → exit 1, with a message naming the variables", async () => {
    const dir = tempDir("examples/quickstart");
    const r = await runCli(["plan", "."], { cwd: dir });
    expect(r.code).toBe(1);
    for (const v of ["ACCESSCTL_RBAC_URL", "CONFIDENT_API_KEY", "ACCESSCTL_CEDAR_URL", "ACCESSCTL_CEDAR_API_KEY", "ACCESSCTL_CEDAR_TENANT_ID"]) expect(r.stderr).toContain(v);
    expect(r.stderr).toContain("--target local");
  });

  it("--target local works under CI and says 'embedded emulator' on stderr", async () => {
    const dir = tempDir("examples/quickstart");
    const r = await runCli(["plan", ".", "--target", "local", "--detailed-exitcode"], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/embedded emulator/);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe(`Plan: ${QUICKSTART_CREATES} to create, 0 to update, 0 to delete.`);
    // The stderr announcement comes before anything else.
    expect(r.stderr.trimStart()).toMatch(/^Using the embedded emulator/);
  });
});

describe("plan under faults and a rate limit equals the fault-free plan", () => {
  it("faultRate 0.3, seed 7, rateLimit 20: same changes and checksum; keys never in stdout, stderr or the plan file", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "accessctl-plan-faults-"));
    const statePath = join(stateDir, "state.json");
    const dir = tempDir("examples/quickstart");
    const base: EmulatorOptions = { port: 0, pageSize: 1, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY, statePath };

    // A live state that makes an interesting plan: the quickstart applied, then drifted.
    const clean = await startEmulator(base);
    let cleanPlan: Plan;
    let cleanOut: string;
    try {
      await applyOverHttp(clean, (await planJson(dir, targetEnv(clean))).plan);
      await rbac(clean, "POST", "/v1/organization/roles", { name: "Intruder", policyIds: [], description: "x" });
      const prod = await cedarPolicyId(clean, "production-access");
      const rules: { data: { id: string; ordinal: number }[] } = await cedar(clean, "GET", `/v1/policies/${prod}/rules?limit=250`);
      await cedar(clean, "PATCH", `/v1/policies/${prod}/rules/${rules.data[0]!.id}`, { ordinal: 5 }); // moved last
      await cedar(clean, "PATCH", `/v1/policies/${prod}`, { description: "drifted" });
      cleanOut = join(stateDir, "clean-plan.json");
      const r = await plan(dir, ["--json", "--out", cleanOut], targetEnv(clean));
      expect(r.code, r.stderr).toBe(0);
      cleanPlan = JSON.parse(r.stdout) as Plan;
      expectNoKeys(readFileSync(cleanOut, "utf8"));
    } finally {
      await clean.close();
    }
    expect(lines(cleanPlan)).toEqual([
      "update cedar/policies/production-access",
      "reorder cedar/policies/production-access",
      "delete organization/roles/Intruder",
    ]);

    // The same state, served with faults and a rate limit.
    const faulty = await startEmulator({ ...base, faultRate: 0.3, seed: 7, rateLimit: 20 });
    try {
      const out = join(stateDir, "faulty-plan.json");
      const r = await plan(dir, ["--json", "--out", out], targetEnv(faulty));
      expect(r.code, r.stderr).toBe(0);
      const p = JSON.parse(r.stdout) as Plan;
      expect(p.changes).toEqual(cleanPlan.changes);
      expect(p.checksum).toBe(cleanPlan.checksum);
      expect(p.guards).toEqual(cleanPlan.guards);
      const fileText = readFileSync(out, "utf8");
      expectNoKeys(fileText, r.stdout, r.stderr);
      expect((JSON.parse(fileText) as Plan).checksum).toBe(cleanPlan.checksum);
      // The run really went through faults (the test proves nothing otherwise).
      expect(faulty.requestLog.filter((e) => e.fault !== undefined || e.status === 429 || e.status >= 500).length).toBeGreaterThan(0);
    } finally {
      await faulty.close();
    }
  });
});

describe("plan of ~2,000 declared objects", () => {
  let em: EmulatorHandle;
  beforeAll(async () => {
    em = await startEmulator({ port: 0, pageSize: 1, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
  });
  afterAll(() => em?.close());

  it("plans every object as a create, roles depending on their policies", async () => {
    const N = 800; // 800 policies + 800 roles + 200 Cedar policies + 200 rules = 2,000 creates
    const M = 200;
    const perms = ["billing:read", "user:read", "iam:read", "organization:read"];
    const org = [
      "organization:",
      "  policies:",
      ...Array.from({ length: N }, (_, i) => [`    - name: Policy ${i}`, `      permissions: [${perms[i % perms.length]}]`]).flat(),
      "  roles:",
      ...Array.from({ length: N }, (_, i) => [`    - name: Role ${i}`, `      policies: [Policy ${i}]`]).flat(),
      "",
    ].join("\n");
    const cedarFile = [
      "cedar:",
      "  policies:",
      ...Array.from({ length: M }, (_, i) => [
        `    - name: bulk-${i}`,
        "      maxDurationSeconds: 3600",
        "      rules:",
        `        - cedar: 'permit(principal == User::"u${i}", action, resource);'`,
      ]).flat(),
      "",
    ].join("\n");
    const dir = tempDir(undefined, { "organization.yaml": org, "cedar/bulk.yaml": cedarFile });
    const started = performance.now();
    const { plan: p } = await planJson(dir, targetEnv(em));
    const wall = performance.now() - started;
    console.log(`plan of ${p.changes.length} declared objects against the emulator: ${wall.toFixed(0)} ms wall (CLI process included)`);
    expect(p.changes).toHaveLength(2 * N + 2 * M);
    expect(p.changes.every((c) => c.kind === "create")).toBe(true);
    expect(p.summary.create).toBe(2 * N + 2 * M);
    const role7 = p.changes.find(at("organization/roles/Role 7"))!;
    expect(role7.dependsOn).toEqual(["create:organization/policies/Policy 7"]);
    const rule = p.changes.find(at("cedar/policies/bulk-42/rules/1"))!;
    expect(rule.dependsOn).toEqual(["create:cedar/policies/bulk-42"]);
    expect(new Set(p.changes.map((c) => c.id)).size).toBe(p.changes.length);
  });
});
