/**
 * `accessctl apply` end to end (issue 7, acceptance 1, 2 and 5): the built CLI (dist/) as a child process, against
 * emulators started here on port 0 and reached over HTTP through the URL variables, under CI=true (non-interactive).
 * What was written is read from the emulator's request log (method, path, status) and, where the bodies matter,
 * from a recording proxy between the CLI and the emulator. Out-of-band changes go through the emulator's state
 * accessor, which writes no request-log entry.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ruleText } from "../../src/emulator/cedar-rules.js";
import type { EmulatorHandle } from "../../src/emulator/index.js";
import { tempDir } from "../helpers/cli.js";
import { emulatorsForFile } from "../helpers/emulators.js";
import {
  CEDAR_KEY,
  TENANT,
  cli,
  expectTranscriptClean,
  recordFile,
  show,
  startProxy,
  targetEnv,
  transcriptForFile,
  writesSince,
  type Proxy,
} from "../helpers/apply-fixtures.js";

const QUICKSTART_CREATES = 14;
const NO_CHANGES = "No changes. Live state matches the desired state.";

function editYaml(path: string, change: (doc: any) => void): void {
  const doc = parse(readFileSync(path, "utf8"));
  change(doc);
  writeFileSync(path, stringify(doc));
}

const emulator = emulatorsForFile();
transcriptForFile();

/** A quickstart copy applied to a fresh emulator; returns both. */
async function appliedQuickstart(): Promise<{ em: EmulatorHandle; dir: string }> {
  const em = await emulator();
  const dir = tempDir("examples/quickstart");
  const r = await cli(dir, ["apply", ".", "--yes"], targetEnv(em.url));
  expect(r.code, show(r)).toBe(0);
  return { em, dir };
}

const orgRole = (em: EmulatorHandle, name: string) => em.state.list("roles").find((r) => r.scope === "org" && r.name === name);

// ---- acceptance 1 ------------------------------------------------------------------------------------------------

describe("apply the quickstart, then rename, move rules, and manage absent vs empty collections", () => {
  let em: EmulatorHandle;
  let proxy: Proxy;
  let dir: string;
  const env = () => targetEnv(proxy.url);

  beforeAll(async () => {
    em = await emulator();
    proxy = await startProxy(em.url);
    dir = tempDir("examples/quickstart");
  });
  afterAll(() => proxy?.close());

  it("apply --yes creates the quickstart (14 objects), then plan --detailed-exitcode exits 0", async () => {
    const from = em.requestLog.length;
    const r = await cli(dir, ["apply", ".", "--yes"], env());
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain(`Plan: ${QUICKSTART_CREATES} to create, 0 to update, 0 to delete.`);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe(NO_CHANGES);
    const writes = writesSince(em, from);
    // 6 RBAC/Cedar policies + 4 roles + 4 rules; a Cedar policy is created without its rules, then one POST per rule.
    expect(writes.filter((w) => w.startsWith("POST ")), writes.join("\n")).toHaveLength(QUICKSTART_CREATES);
    expect(writes.every((w) => w.startsWith("POST ") && /→ 20[01]$/.test(w)), writes.join("\n")).toBe(true);
    const policyCreates = proxy.requests.filter((q) => q.method === "POST" && q.path === "/v1/policies");
    expect(policyCreates).toHaveLength(2);
    for (const q of policyCreates) expect(JSON.parse(q.body)).not.toHaveProperty("cedar_policy_set");
    expect(proxy.requests.filter((q) => q.method === "POST" && /^\/v1\/policies\/[^/]+\/rules$/.test(q.path))).toHaveLength(4);

    const plan = await cli(dir, ["plan", ".", "--detailed-exitcode"], env());
    expect(plan.code, show(plan)).toBe(0);
    expect(plan.stdout.trim()).toBe(NO_CHANGES);
  });

  it("the annotated break-glass rule comes back without its @id (the service stores fields), and still plans no change", async () => {
    const policy = em.state.list("cedarPolicies").find((p) => p.name === "break-glass")!;
    const bodies = proxy.requests.filter((q) => q.method === "POST" && q.path === `/v1/policies/${policy.id}/rules`).map((q) => JSON.parse(q.body).policy_text as string);
    expect(bodies.some((t) => t.includes('@id("oncall-short-sessions")'))).toBe(true);
    const answered = (await (await fetch(`${em.url}/v1/policies/${policy.id}`, { headers: { "x-api-key": CEDAR_KEY, "x-tenant-id": TENANT } })).json()) as { rules: { policy_text: string }[] };
    expect(answered.rules.map((r) => r.policy_text)).toEqual([
      'permit(principal in Group::"oncall", action == Action::"request_access", resource is AwsAccount) when { context.duration_seconds <= 3600 };',
      'forbid(principal, action == Action::"request_access", resource) when { context.duration_seconds > 3600 };',
    ]);
    const plan = await cli(dir, ["plan", ".", "--detailed-exitcode"], env());
    expect(plan.code, show(plan)).toBe(0);
    expect(plan.stdout.trim()).toBe(NO_CHANGES);
  });

  it("a rename via previousNames is one PUT on the same id: no POST, no DELETE", async () => {
    const before = orgRole(em, "Auditor")!;
    expect(before).toBeDefined();
    editYaml(join(dir, "organization.yaml"), (doc) => {
      const role = doc.organization.roles.find((r: any) => r.name === "Auditor");
      role.name = "Compliance Auditor";
      role.previousNames = ["Auditor"];
    });
    const from = em.requestLog.length;
    const sent = proxy.requests.length;
    const r = await cli(dir, ["apply", ".", "--yes"], env());
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain("1 rename");
    expect(writesSince(em, from)).toEqual([`PUT /v1/organization/roles/${before.id} → 200`]);
    const put = proxy.requests.slice(sent).filter((q) => q.method === "PUT");
    expect(put).toHaveLength(1);
    expect(JSON.parse(put[0]!.body)).toMatchObject({ name: "Compliance Auditor", policyIds: before.policyIds });
    const after = em.state.get("roles", before.id)!;
    expect(after.name).toBe("Compliance Auditor");
    expect(orgRole(em, "Auditor")).toBeUndefined();
    expect((await cli(dir, ["plan", ".", "--detailed-exitcode"], env())).code).toBe(0);
  });

  it("swapped Cedar rules are exactly one reorder call with every rule id, in the new order, on the same rule ids", async () => {
    const policy = em.state.list("cedarPolicies").find((p) => p.name === "production-access")!;
    const rulesBefore = em.state
      .list("cedarRules")
      .filter((r) => r.policy_id === policy.id)
      .sort((a, b) => a.ordinal - b.ordinal);
    expect(rulesBefore).toHaveLength(2);
    editYaml(join(dir, "cedar/access.yaml"), (doc) => {
      const p = doc.cedar.policies.find((x: any) => x.name === "production-access");
      p.rules.reverse();
    });
    const plan = await cli(dir, ["plan", ".", "--detailed-exitcode"], env());
    expect(plan.code, show(plan)).toBe(2);
    expect(plan.stdout).toContain("→ cedar/policies/production-access (1 reorder call for 2 rule moves)");
    expect(plan.stdout).toContain("→ cedar/policies/production-access/rules/1 (moved from 2)");
    expect(plan.stdout).toContain("Plan: 0 to create, 0 to update, 0 to delete, 2 rule moves.");

    const from = em.requestLog.length;
    const sent = proxy.requests.length;
    const r = await cli(dir, ["apply", ".", "--yes"], env());
    expect(r.code, show(r)).toBe(0);
    expect(writesSince(em, from)).toEqual([`PATCH /v1/policies/${policy.id}/rules/reorder → 200`]);
    const patches = proxy.requests.slice(sent).filter((q) => q.method !== "GET");
    expect(patches.map((q) => [q.path, JSON.parse(q.body)])).toEqual([
      [`/v1/policies/${policy.id}/rules/reorder`, { ids: [rulesBefore[1]!.id, rulesBefore[0]!.id] }],
    ]);
    expect(r.stderr).toContain("1 reorder call for 2 rule moves");

    const rulesAfter = em.state.list("cedarRules").filter((x) => x.policy_id === policy.id);
    for (const old of rulesBefore) {
      const now = rulesAfter.find((x) => x.id === old.id)!;
      expect(now, `rule ${old.id} kept its id`).toBeDefined();
      expect({ text: ruleText(now), created_at: now.created_at, notice: now.notice }).toEqual({ text: ruleText(old), created_at: old.created_at, notice: old.notice });
      expect(now.ordinal).toBe(3 - old.ordinal);
    }
    expect(rulesAfter).toHaveLength(2);
    expect((await cli(dir, ["plan", ".", "--detailed-exitcode"], env())).code).toBe(0);
  });

  it("a removed `roles:` key deletes nothing", async () => {
    const customBefore = em.state.list("roles").filter((r) => !r.system);
    editYaml(join(dir, "organization.yaml"), (doc) => {
      delete doc.organization.roles;
    });
    const plan = await cli(dir, ["plan", ".", "--detailed-exitcode"], env());
    expect(plan.code, show(plan)).toBe(0);
    const from = em.requestLog.length;
    const r = await cli(dir, ["apply", ".", "--yes"], env());
    expect(r.code, show(r)).toBe(0);
    expect(writesSince(em, from)).toEqual([]);
    expect(em.state.list("roles").filter((x) => !x.system).map((x) => x.id).sort()).toEqual(customBefore.map((x) => x.id).sort());
    expect(orgRole(em, "Compliance Auditor")).toBeDefined();
  });

  it("`roles: []` deletes the scope's custom roles (never the system roles)", async () => {
    const project = em.state.list("projects").find((p) => p.name === "Support Bot")!;
    const inProject = () => em.state.list("roles").filter((r) => r.scope === project.id);
    const custom = inProject().filter((r) => !r.system);
    expect(custom.map((r) => r.name).sort()).toEqual(["Analyst", "Data Curator"]);
    const system = inProject().filter((r) => r.system);
    editYaml(join(dir, "projects/support-bot.yaml"), (doc) => {
      doc.projects[0].roles = [];
    });
    const from = em.requestLog.length;
    const r = await cli(dir, ["apply", ".", "--yes"], env());
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain("Plan: 0 to create, 0 to update, 2 to delete.");
    expect(writesSince(em, from).sort()).toEqual(custom.map((x) => `DELETE /v1/projects/${project.id}/roles/${x.id} → 200`).sort());
    expect(inProject().map((x) => x.id).sort()).toEqual(system.map((x) => x.id).sort());
    // The organization's custom roles, unmanaged since their key went away, are still there.
    expect(orgRole(em, "Billing Manager")).toBeDefined();
    expect((await cli(dir, ["plan", ".", "--detailed-exitcode"], env())).code).toBe(0);
  });
});

// ---- acceptance 2 ------------------------------------------------------------------------------------------------

describe("guards: exit 4 and nothing written", () => {
  it("threshold: deleting 5 of 12 policies (> 30%) is refused; --force then applies", async () => {
    const em = await emulator();
    const policies = Array.from({ length: 12 }, (_, i) => ({ name: `Bulk ${i}`, permissions: ["billing:read"] }));
    const dir = tempDir(undefined, { "org.yaml": stringify({ organization: { policies } }) });
    const first = await cli(dir, ["apply", ".", "--yes"], targetEnv(em.url));
    expect(first.code, show(first)).toBe(0);

    writeFileSync(join(dir, "org.yaml"), stringify({ organization: { policies: policies.slice(0, 7) } }));
    const plan = await cli(dir, ["plan", "."], targetEnv(em.url));
    expect(plan.stdout).toContain("5 of 12 objects would be deleted");

    const from = em.requestLog.length;
    const r = await cli(dir, ["apply", ".", "--yes"], targetEnv(em.url));
    expect(r.code, show(r)).toBe(4);
    expect(writesSince(em, from)).toEqual([]);
    expect(r.stderr).toContain("organization: 5 of 12 objects would be deleted");
    expect(r.stderr).toContain("--force");
    expect(r.stderr).toMatch(/nothing was written/);

    const forced = await cli(dir, ["apply", ".", "--yes", "--force"], targetEnv(em.url));
    expect(forced.code, show(forced)).toBe(0);
    const deletes = writesSince(em, from);
    expect(deletes).toHaveLength(5);
    expect(deletes.every((w) => w.startsWith("DELETE /v1/organization/policies/"))).toBe(true);
    expect(em.state.list("policies").map((p) => p.name).sort()).toEqual(policies.slice(0, 7).map((p) => p.name).sort());
  });

  it("protected object: deleting it is refused, and --force does not override", async () => {
    const { em, dir } = await appliedQuickstart();
    editYaml(join(dir, "organization.yaml"), (doc) => {
      doc.organization.roles = doc.organization.roles.filter((r: any) => r.name !== "Billing Manager");
    });
    const plan = await cli(dir, ["plan", "."], targetEnv(em.url));
    expect(plan.code, show(plan)).toBe(0);
    expect(plan.stdout).toContain("organization/roles/Billing Manager is protected");

    const from = em.requestLog.length;
    for (const args of [["--yes"], ["--yes", "--force"]]) {
      const r = await cli(dir, ["apply", ".", ...args], targetEnv(em.url));
      expect(r.code, `${args.join(" ")}\n${show(r)}`).toBe(4);
      expect(r.stderr).toContain("organization/roles/Billing Manager is protected");
      expect(r.stderr).toContain("accessctl.protect");
    }
    expect(writesSince(em, from)).toEqual([]);
    expect(orgRole(em, "Billing Manager")).toBeDefined();
  });

  it("role assigned to a member: plan shows the member count; apply is refused, even with --force", async () => {
    const { em, dir } = await appliedQuickstart();
    const auditor = orgRole(em, "Auditor")!;
    await em.state.assignOrganizationRole("dev@example.com", auditor.id);
    editYaml(join(dir, "organization.yaml"), (doc) => {
      doc.organization.roles = doc.organization.roles.filter((r: any) => r.name !== "Auditor");
    });
    const plan = await cli(dir, ["plan", "."], targetEnv(em.url));
    expect(plan.code, show(plan)).toBe(0);
    expect(plan.stdout).toContain("organization/roles/Auditor is still assigned to 1 member(s)");
    expect(plan.stdout).toContain("dev@example.com");

    const from = em.requestLog.length;
    for (const args of [["--yes"], ["--yes", "--force"]]) {
      const r = await cli(dir, ["apply", ".", ...args], targetEnv(em.url));
      expect(r.code, `${args.join(" ")}\n${show(r)}`).toBe(4);
      expect(r.stderr).toContain("organization/roles/Auditor is still assigned to 1 member(s)");
      expect(r.stderr).toMatch(/move those members/);
    }
    expect(writesSince(em, from)).toEqual([]);
    expect(em.state.get("roles", auditor.id)).toBeDefined();
  });

  it("non-interactive without --yes: refused, saying how to proceed", async () => {
    const { em, dir } = await appliedQuickstart();
    editYaml(join(dir, "organization.yaml"), (doc) => {
      doc.organization.policies[0].description = "changed in the files";
    });
    const from = em.requestLog.length;
    const r = await cli(dir, ["apply", "."], targetEnv(em.url));
    expect(r.code, show(r)).toBe(4);
    expect(r.stderr).toMatch(/non-interactive/);
    expect(r.stderr).toContain("--yes");
    expect(writesSince(em, from)).toEqual([]);
    // The plan it refused to apply was shown.
    expect(r.stdout).toContain("~ organization/policies/Manage billing");
  });

  it("stale saved plan: refused, naming what changed; a fresh saved plan applies without a prompt", async () => {
    const { em, dir } = await appliedQuickstart();
    editYaml(join(dir, "organization.yaml"), (doc) => {
      doc.organization.policies[0].description = "reviewed description";
    });
    const saved = join(dir, "p.json");
    const planned = await cli(dir, ["plan", ".", "--out", saved], targetEnv(em.url));
    expect(planned.code, show(planned)).toBe(0);
    recordFile(saved);

    // Out of band (no request-log entry): the Auditor role's description changes in the service.
    const auditor = orgRole(em, "Auditor")!;
    await em.state.put("roles", { ...auditor, description: "edited in the console" });

    const from = em.requestLog.length;
    const stale = await cli(dir, ["apply", ".", "--plan", saved], targetEnv(em.url));
    expect(stale.code, show(stale)).toBe(4);
    expect(stale.stderr).toMatch(/stale/);
    expect(stale.stderr).toContain("organization/roles/Auditor");
    expect(stale.stderr).not.toContain("organization/policies/Manage billing");
    expect(writesSince(em, from)).toEqual([]);

    const fresh = join(dir, "p2.json");
    const again = await cli(dir, ["plan", ".", "--out", fresh], targetEnv(em.url));
    expect(again.code, show(again)).toBe(0);
    recordFile(fresh);
    const applied = await cli(dir, ["apply", ".", "--plan", fresh], targetEnv(em.url));
    expect(applied.code, show(applied)).toBe(0);
    expect(applied.stderr).not.toMatch(/non-interactive/);
    const billing = em.state.list("policies").find((p) => p.scope === "org" && p.name === "Manage billing")!;
    expect(writesSince(em, from).sort()).toEqual([`PUT /v1/organization/policies/${billing.id} → 200`, `PUT /v1/organization/roles/${auditor.id} → 200`].sort());
    expect(billing.description).toBe("reviewed description");
    expect(em.state.get("roles", auditor.id)!.description).toBe("Reviews access across the organization");
    const after = await cli(dir, ["plan", ".", "--detailed-exitcode"], targetEnv(em.url));
    expect(after.code, show(after)).toBe(0);
  });
});

// ---- acceptance 5 ------------------------------------------------------------------------------------------------

describe("keys", () => {
  it("no output of these runs, and no plan file, holds a key", () => {
    expectTranscriptClean(30);
  });
});
