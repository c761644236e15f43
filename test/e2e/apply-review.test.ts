/**
 * Reviewed plans and redaction at the edges (issue 13): a saved plan whose fresh twin has the same number of
 * changes but other content is refused; a key that reaches accessctl from live data (a name, a description) is
 * redacted from `plan --out` and from apply's progress lines and report.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import type { Plan } from "../../src/plan/model.js";
import { tempDir } from "../helpers/cli.js";
import { CEDAR_KEY, RBAC_KEY, cli, recordFile, show, targetEnv, writesSince } from "../helpers/apply-fixtures.js";

const emulators: EmulatorHandle[] = [];
async function appliedQuickstart(): Promise<{ em: EmulatorHandle; dir: string }> {
  const em = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
  emulators.push(em);
  const dir = tempDir("examples/quickstart");
  const r = await cli(dir, ["apply", ".", "--yes"], targetEnv(em.url));
  expect(r.code, show(r)).toBe(0);
  return { em, dir };
}
afterAll(async () => {
  await Promise.all(emulators.map((em) => em.close()));
});

function editYaml(path: string, change: (doc: any) => void): void {
  const doc = parse(readFileSync(path, "utf8"));
  change(doc);
  writeFileSync(path, stringify(doc));
}

const orgPolicy = (em: EmulatorHandle, name: string) => em.state.list("policies").find((p) => p.scope === "org" && p.name === name)!;

describe("a reviewed plan", () => {
  it("is refused when the fresh plan has the same changes by count and id, but other content", async () => {
    const { em, dir } = await appliedQuickstart();
    editYaml(join(dir, "organization.yaml"), (doc) => {
      doc.organization.policies[0].description = "reviewed description";
    });
    const saved = join(dir, "p.json");
    expect((await cli(dir, ["plan", ".", "--out", saved], targetEnv(em.url))).code).toBe(0);
    const reviewed = JSON.parse(recordFile(saved)) as Plan;
    expect(reviewed.changes).toHaveLength(1);

    // Out of band, the same policy's description changes: the fresh plan is still one update of that policy.
    const billing = orgPolicy(em, "Manage billing");
    await em.state.put("policies", { ...billing, description: "edited in the console" });
    const fresh = await cli(dir, ["plan", ".", "--json"], targetEnv(em.url));
    const freshPlan = JSON.parse(fresh.stdout) as Plan;
    expect(freshPlan.changes.map((c) => c.id)).toEqual(reviewed.changes.map((c) => c.id));
    expect(freshPlan.checksum).not.toBe(reviewed.checksum);

    const from = em.requestLog.length;
    const r = await cli(dir, ["apply", "--plan", "p.json"], targetEnv(em.url));
    expect(r.code, show(r)).toBe(4);
    expect(r.stderr).toContain("The reviewed plan is stale");
    expect(r.stderr).toContain("~ changed since the review: ~ organization/policies/Manage billing");
    expect(writesSince(em, from)).toEqual([]);
  });

  it("of another format version is refused with 'plan again', nothing written", async () => {
    const { em, dir } = await appliedQuickstart();
    const saved = join(dir, "old.json");
    expect((await cli(dir, ["plan", ".", "--out", saved], targetEnv(em.url))).code).toBe(0);
    const plan = JSON.parse(readFileSync(saved, "utf8")) as { formatVersion: number };
    writeFileSync(saved, JSON.stringify({ ...plan, formatVersion: plan.formatVersion - 1 }));
    const r = await cli(dir, ["apply", "--plan", saved], targetEnv(em.url));
    expect(r.code, show(r)).toBe(4);
    expect(r.stderr).toMatch(/made by another version of accessctl/);
    expect(r.stderr).toContain("plan again");
  });

  it("with a different --only beside --plan is a usage error", async () => {
    const { em, dir } = await appliedQuickstart();
    const saved = join(dir, "p.json");
    expect((await cli(dir, ["plan", ".", "--out", saved], targetEnv(em.url))).code).toBe(0);
    const r = await cli(dir, ["apply", "--plan", saved, "--only", "cedar/**"], targetEnv(em.url));
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain("--only cannot be given with --plan");
  });
});

describe("a key that arrives in live data", () => {
  it("is redacted from plan --out, plan --json, and apply's progress and report", async () => {
    const { em, dir } = await appliedQuickstart();
    // Someone pasted the key into the console: a policy description and a role name now hold it.
    const billing = orgPolicy(em, "Manage billing");
    await em.state.put("policies", { ...billing, description: `key ${RBAC_KEY} here` });
    const role = em.state.list("roles").find((r) => r.scope === "org" && r.name === "Auditor")!;
    await em.state.put("roles", { ...role, id: em.state.newId("role"), name: `Leaky ${CEDAR_KEY}`, policyIds: [] });

    const saved = join(dir, "leak.json");
    const planned = await cli(dir, ["plan", ".", "--out", saved, "--json"], targetEnv(em.url)); // cli() fails on any key in the output
    expect(planned.code, show(planned)).toBe(0);
    const file = recordFile(saved);
    expect(file).not.toContain(RBAC_KEY);
    expect(file).not.toContain(CEDAR_KEY);
    expect(file).toContain("key *** here");
    expect(file).toContain("organization/roles/Leaky ***");

    const applied = await cli(dir, ["apply", ".", "--yes"], targetEnv(em.url));
    expect(applied.code, show(applied)).toBe(0);
    expect(applied.stderr).toMatch(/applied - organization\/roles\/Leaky \*\*\*/);
  });
});
