/**
 * Guard inputs that cannot mislead (issue 15): `--only` never hides — a pattern naming nothing or naming rules is
 * a usage error, and what the selection leaves out is always said; saved plans are bound to their directory and
 * their targets, and refused elsewhere (exit 4, nothing written).
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/emulator/index.js";
import type { Plan } from "../../src/plan/model.js";
import { ROOT, tempDir } from "../helpers/cli.js";
import { emulatorsForFile } from "../helpers/emulators.js";
import { cli, show, targetEnv, writesSince } from "../helpers/apply-fixtures.js";

const emulator = emulatorsForFile();

describe("--only never hides", () => {
  let em: EmulatorHandle;
  let dir: string;
  beforeAll(async () => {
    em = await emulator();
    dir = tempDir("examples/quickstart");
  });

  it("a pattern that matches nothing is a usage error, for plan and apply, and nothing is written", async () => {
    for (const pattern of ["organization/roles/Nobody", "cedar/policies/Break-glass"]) {
      const from = em.requestLog.length;
      const plan = await cli(dir, ["plan", ".", "--only", pattern], targetEnv(em.url));
      expect(plan.code, show(plan)).toBe(1);
      expect(plan.stderr).toContain(`--only "${pattern}" matches no declared object and no live object of the managed collections`);
      expect(plan.stdout).not.toContain("No changes");
      const apply = await cli(dir, ["apply", ".", "--yes", "--only", pattern], targetEnv(em.url));
      expect(apply.code, show(apply)).toBe(1);
      expect(writesSince(em, from)).toEqual([]);
    }
  });

  it("a rule address is a usage error: a reorder carries every rule of its policy", async () => {
    const r = await cli(dir, ["plan", ".", "--only", "cedar/policies/break-glass/rules/1"], targetEnv(em.url));
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain("names Cedar rules: --only selects policies and roles");
  });

  it("says how many changes it leaves out, in text and JSON; --detailed-exitcode follows the selection", async () => {
    const text = await cli(dir, ["plan", ".", "--only", "cedar/**", "--detailed-exitcode"], targetEnv(em.url));
    expect(text.code, show(text)).toBe(2);
    expect(text.stdout).toMatch(/Plan: 6 to create, 0 to update, 0 to delete \(inside --only\)\. 8 more changes outside --only\.$/m);
    expect(text.stdout).not.toContain("organization/");
    const json = JSON.parse((await cli(dir, ["plan", ".", "--only", "cedar/**", "--json"], targetEnv(em.url))).stdout) as Plan;
    expect(json.outsideOnly).toBe(8);
    expect(json.only).toEqual(["cedar/**"]);
    expect(json.impact.roles).toEqual([]); // the RBAC roles are outside the selection
  });

  it("after apply --only, the convergence check covers the selection and says what is left outside", async () => {
    const applied = await cli(dir, ["apply", ".", "--yes", "--only", "cedar/**"], targetEnv(em.url));
    expect(applied.code, show(applied)).toBe(0);
    expect(applied.stdout.trimEnd().split("\n").at(-1)).toBe("No changes inside --only. 8 more changes outside --only.");
    const again = await cli(dir, ["plan", ".", "--only", "cedar/**", "--detailed-exitcode"], targetEnv(em.url));
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout).toContain("No changes inside --only. 8 more changes outside --only.");
    expect(again.stdout).not.toContain("Live state matches");
  });
});

describe("a protection that protects nothing never passes in silence", () => {
  it("a protect pattern naming nothing is a warning on plan and apply, an error (exit 3) with --deny-warnings", async () => {
    const em = await emulator();
    const dir = tempDir("examples/quickstart");
    const org = join(dir, "organization.yaml");
    writeFileSync(org, readFileSync(org, "utf8").replace('protect: ["organization/roles/Billing Manager"]', 'protect: ["organization/roles/billing manager"]'));
    const plan = await cli(dir, ["plan", "."], targetEnv(em.url));
    expect(plan.code, show(plan)).toBe(0);
    expect(plan.stderr).toMatch(/organization\.yaml:\d+:\d+ {2}warning: `protect` pattern "organization\/roles\/billing manager" matches no declared object and no live object: it protects nothing/);
    const strict = await cli(dir, ["plan", ".", "--deny-warnings"], targetEnv(em.url));
    expect(strict.code, show(strict)).toBe(3);
    const from = em.requestLog.length;
    const apply = await cli(dir, ["apply", ".", "--yes", "--deny-warnings"], targetEnv(em.url));
    expect(apply.code, show(apply)).toBe(3);
    expect(writesSince(em, from)).toEqual([]);
    const applied = await cli(dir, ["apply", ".", "--yes"], targetEnv(em.url));
    expect(applied.code, show(applied)).toBe(0);
    expect(applied.stderr).toContain("it protects nothing");
  });
});

describe("saved plans are bound to where they were made", () => {
  it("another directory is refused, naming both; no directory uses the plan's", async () => {
    const em = await emulator();
    const dir = tempDir("examples/quickstart");
    const other = tempDir("examples/quickstart");
    expect((await cli(dir, ["plan", ".", "--out", "p.json"], targetEnv(em.url))).code).toBe(0);
    const from = em.requestLog.length;
    const elsewhere = await cli(dir, ["apply", other, "--plan", "p.json"], targetEnv(em.url));
    expect(elsewhere.code, show(elsewhere)).toBe(4);
    expect(elsewhere.stderr).toMatch(/the plan was made for .+, not .+; nothing was written/);
    expect(writesSince(em, from)).toEqual([]);
    const same = await cli(dir, ["apply", ".", "--plan", "p.json"], targetEnv(em.url));
    expect(same.code, show(same)).toBe(0);
  });

  it("a directory inside a Git work tree is recorded relative to its top, so a clone elsewhere applies it", async () => {
    const em = await emulator();
    const repo = tempDir();
    mkdirSync(join(repo, ".git"));
    cpSync(join(ROOT, "examples/quickstart"), join(repo, "infra/access"), { recursive: true });
    expect((await cli(repo, ["plan", "infra/access", "--out", "p.json"], targetEnv(em.url))).code).toBe(0);
    const plan = JSON.parse(readFileSync(join(repo, "p.json"), "utf8")) as Plan;
    expect(plan.desired.location).toEqual({ kind: "git", path: "infra/access" });
    const clone = tempDir();
    mkdirSync(join(clone, ".git"));
    cpSync(join(repo, "infra"), join(clone, "infra"), { recursive: true });
    writeFileSync(join(clone, "p.json"), JSON.stringify(plan));
    const r = await cli(join(clone, "infra"), ["apply", "access", "--plan", "../p.json"], targetEnv(em.url));
    expect(r.code, show(r)).toBe(0);
  });

  it("a plan made against the embedded emulator is refused against a remote service, and one service for another", async () => {
    const em = await emulator();
    const dir = tempDir("examples/quickstart");
    const local = await cli(dir, ["plan", ".", "--target", "local", "--out", "local.json"], {});
    expect(local.code, show(local)).toBe(0);
    const toRemote = await cli(dir, ["apply", "--plan", "local.json"], targetEnv(em.url));
    expect(toRemote.code, show(toRemote)).toBe(4);
    expect(toRemote.stderr).toContain("the plan was made against the embedded emulator (local), but this run targets the RBAC API at");

    const other = await emulator();
    expect((await cli(dir, ["plan", ".", "--out", "remote.json"], targetEnv(em.url))).code).toBe(0);
    const from = other.requestLog.length;
    const toOther = await cli(dir, ["apply", "--plan", "remote.json"], targetEnv(other.url));
    expect(toOther.code, show(toOther)).toBe(4);
    expect(toOther.stderr).toContain(`the plan was made against the RBAC API at ${em.url}`);
    expect(toOther.stderr).toContain(`this run targets the RBAC API at ${other.url}`);
    expect(writesSince(other, from)).toEqual([]);
    const tenant = await cli(dir, ["apply", "--plan", "remote.json"], targetEnv(em.url, { ACCESSCTL_CEDAR_TENANT_ID: "00000000-0000-4000-8000-0000000000aa" }));
    expect(tenant.code, show(tenant)).not.toBe(0);
  });
});
