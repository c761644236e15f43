/**
 * The plan for reviewers, end to end (docs/plan-and-apply.md, "Guards" and "Drift split"; issue 6, acceptance 3
 * and 4): the built CLI against an emulator started here on port 0, reached over HTTP through the URL variables
 * (CI=true, as the suite runs).
 *
 * - Preflight guard: members hold a role the files delete → `plan` shows the guard with the member count (text:
 *   up to five emails; Markdown: never an email), `plan --json` carries it in `guards`, `apply --yes` exits 4
 *   and writes nothing.
 * - Drift split: a base state applied, then one role changed out of band (PUT over HTTP) and another in the head
 *   files → `plan --base` marks the first "drift" and the second "files".
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatAddress } from "../../src/address/address.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import type { Plan } from "../../src/plan/model.js";
import { escapeMarkdown } from "../../src/render/plan-markdown.js";
import { emulatorTargets, runCli, tempDir, type CliResult } from "../helpers/cli.js";

const RBAC_KEY = "rbac-SECRET-guards-91ac";
const CEDAR_KEY = "cedar-SECRET-guards-5d2e";
const SCHEMA = "# yaml-language-server: $schema=../schemas/accessctl.schema.json\n";

function targetEnv(em: EmulatorHandle): Record<string, string | undefined> {
  return emulatorTargets(em.url, { rbac: RBAC_KEY, cedar: CEDAR_KEY });
}

async function cli(em: EmulatorHandle, cwd: string, args: string[]): Promise<CliResult> {
  const r = await runCli(args, { cwd, env: targetEnv(em), timeoutMs: 110_000 });
  for (const t of [r.stdout, r.stderr]) {
    expect(t).not.toContain(RBAC_KEY);
    expect(t).not.toContain(CEDAR_KEY);
  }
  return r;
}

async function planJson(em: EmulatorHandle, cwd: string, args: string[] = []): Promise<Plan> {
  const r = await cli(em, cwd, ["plan", ".", "--json", ...args]);
  if (r.code !== 0) throw new Error(`plan --json exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as Plan;
}

async function rbac(em: EmulatorHandle, method: string, path: string, body?: unknown): Promise<any> {
  const headers: Record<string, string> = { CONFIDENT_API_KEY: RBAC_KEY };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${em.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text === "" ? undefined : JSON.parse(text).data;
}

const orgRoles = async (em: EmulatorHandle): Promise<{ id: string; name: string; description: string | null; policies?: { id: string }[] }[]> =>
  (await rbac(em, "GET", "/v1/organization/roles")).roles;
const projectId = async (em: EmulatorHandle, name: string): Promise<string> =>
  (await rbac(em, "GET", "/v1/projects")).projects.find((p: { name: string }) => p.name === name).id;

function orgYaml(roles: { name: string; description: string; policies: string[] }[]): string {
  return (
    SCHEMA +
    [
      "organization:",
      "  policies:",
      "    - name: Read users",
      "      permissions: [user:read]",
      "    - name: Read billing",
      "      permissions: [billing:read]",
      roles.length ? "  roles:" : "  roles: []",
      ...roles.flatMap((r) => [`    - name: ${r.name}`, `      description: ${r.description}`, `      policies: [${r.policies.join(", ")}]`]),
      "",
    ].join("\n")
  );
}

function projectYaml(roles: string[]): string {
  return (
    "# yaml-language-server: $schema=../../schemas/accessctl.schema.json\n" +
    [
      "projects:",
      "  - name: Support Bot",
      "    policies:",
      "      - name: View traces",
      "        permissions: [trace:read]",
      roles.length ? "    roles:" : "    roles: []",
      ...roles.flatMap((r) => [`      - name: ${r}`, "        policies: [View traces]"]),
      "",
    ].join("\n")
  );
}

describe("assigned-role guard: plan shows it, apply refuses (exit 4)", () => {
  let em: EmulatorHandle;
  let dir: string;
  const EXTRA = ["zz-a@example.com", "zz-b@example.com", "zz-c@example.com", "zz-d@example.com", "zz-e@example.com"];
  // Seeded members dev@ and ops@ plus five more hold "Doomed Role": seven members, five emails shown.
  const HOLDERS = ["dev@example.com", "ops@example.com", ...EXTRA].sort();

  beforeAll(async () => {
    em = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
    dir = tempDir(undefined, {
      "organization.yaml": orgYaml([
        { name: "Doomed Role", description: "goes away", policies: ["Read users", "Read billing"] },
        { name: "Keeper", description: "stays", policies: ["Read users"] },
      ]),
      "projects/support-bot.yaml": projectYaml(["Doomed Analyst", "Analyst"]),
    });
    const applied = await cli(em, dir, ["apply", ".", "--yes"]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    const doomed = (await orgRoles(em)).find((r) => r.name === "Doomed Role")!;
    await em.state.assignOrganizationRole("dev@example.com", doomed.id);
    await em.state.assignOrganizationRole("ops@example.com", doomed.id);
    for (const email of EXTRA) await em.state.addMember({ email, organizationRoleId: doomed.id });
    const sb = await projectId(em, "Support Bot");
    const analyst = (await rbac(em, "GET", `/v1/projects/${sb}/roles`)).roles.find((r: { name: string }) => r.name === "Doomed Analyst");
    await em.state.assignProjectRole("admin@example.com", sb, analyst.id);

    // The files now delete both roles.
    writeFileSync(join(dir, "organization.yaml"), orgYaml([{ name: "Keeper", description: "stays", policies: ["Read users"] }]));
    writeFileSync(join(dir, "projects/support-bot.yaml"), projectYaml(["Analyst"]));
  });
  afterAll(() => em?.close());

  it("plan (text): the guard with the member count and up to five emails; exit 0 as usual", async () => {
    const r = await cli(em, dir, ["plan", "."]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("- organization/roles/Doomed Role");
    expect(r.stdout).toContain("organization/roles/Doomed Role is still assigned to 7 member(s)");
    expect(r.stdout).toContain(`members: ${HOLDERS.slice(0, 5).join(", ")}, and 2 more`);
    for (const e of HOLDERS.slice(5)) expect(r.stdout).not.toContain(e);
    expect(r.stdout).toContain("projects/Support Bot/roles/Doomed Analyst is still assigned to 1 member(s)");
    expect(r.stdout).toContain("members: admin@example.com");
    expect(r.stdout).toMatch(/apply would refuse this plan \(2 guards\)/);
    // Access impact: the role loses everything, with its member count.
    expect(r.stdout).toContain("organization/roles/Doomed Role (7 members): -billing:read -user:read");
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("Plan: 0 to create, 0 to update, 2 to delete.");
  });

  it("plan --json carries the guards (kind, address, members) so that apply can refuse", async () => {
    const p = await planJson(em, dir);
    const guards = p.guards.filter((g) => g.kind === "assigned-role");
    expect(guards.map((g) => g.address).sort()).toEqual(["organization/roles/Doomed Role", "projects/Support Bot/roles/Doomed Analyst"]);
    const org = guards.find((g) => g.address === "organization/roles/Doomed Role")!;
    expect(org.forceable).toBe(false);
    expect(org.members).toEqual({ count: 7, emails: HOLDERS.slice(0, 5) });
    expect(guards.find((g) => g.address.startsWith("projects/"))!.members).toEqual({ count: 1, emails: ["admin@example.com"] });
    expect(p.impact.roles).toContainEqual({ address: "organization/roles/Doomed Role", gained: [], lost: ["billing:read", "user:read"], members: 7 });
  });

  it("plan --markdown: the count, never an email", async () => {
    const r = await cli(em, dir, ["plan", ".", "--markdown"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("(7 members)");
    expect(r.stdout).toContain("(1 member)");
    expect(r.stdout).toContain(escapeMarkdown("organization/roles/Doomed Role is still assigned to 7 member(s)"));
    expect(r.stdout).not.toMatch(/example(&#46;|\.)com/);
    for (const e of [...HOLDERS, "admin@example.com"]) expect(r.stdout).not.toContain(escapeMarkdown(e.split("@")[0]!));
  });

  it("apply --yes exits 4, says why, and writes nothing", async () => {
    const before = em.requestLog.length;
    const r = await cli(em, dir, ["apply", ".", "--yes"]);
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout + r.stderr).toContain("organization/roles/Doomed Role is still assigned to 7 member(s)");
    expect(r.stdout + r.stderr).toMatch(/nothing was written/);
    const writes = em.requestLog.slice(before).filter((e) => e.method !== "GET");
    expect(writes).toEqual([]);
    expect((await orgRoles(em)).map((r) => r.name)).toContain("Doomed Role");
  });
});

describe("drift split with --base", () => {
  let em: EmulatorHandle;
  let baseDir: string;
  let headDir: string;
  const roles = (beta: string) => [
    { name: "Alpha", description: "alpha as in git", policies: ["Read users"] },
    { name: "Beta", description: beta, policies: ["Read users"] },
    { name: "Gamma", description: "untouched", policies: ["Read billing"] },
  ];

  beforeAll(async () => {
    em = await startEmulator({ port: 0, pageSize: 1, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
    baseDir = tempDir(undefined, { "organization.yaml": orgYaml(roles("beta as in git")) });
    const applied = await cli(em, baseDir, ["apply", ".", "--yes"]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    // Out of band: Alpha edited in the console (a full PUT over HTTP, as the console would send).
    const alpha = (await orgRoles(em)).find((r) => r.name === "Alpha")!;
    await rbac(em, "PUT", `/v1/organization/roles/${alpha.id}`, {
      name: "Alpha",
      description: "edited in the console",
      policyIds: (alpha.policies ?? []).map((p) => p.id),
    });
    // In the files: Beta changed by this branch.
    headDir = tempDir(undefined, { "organization.yaml": orgYaml(roles("beta changed in this PR")) });
  });
  afterAll(() => em?.close());

  it("plan --base --json: Alpha is drift, Beta comes from the files; the checksum is the same as without --base", async () => {
    const p = await planJson(em, headDir, ["--base", baseDir]);
    expect(p.changes.map((c) => `${c.kind} ${formatAddress(c.address)}`)).toEqual(["update organization/roles/Alpha", "update organization/roles/Beta"]);
    expect(p.drift).toEqual({ "update:organization/roles/Alpha": "drift", "update:organization/roles/Beta": "files" });
    const alpha = p.changes.find((c) => formatAddress(c.address) === "organization/roles/Alpha")!;
    expect(alpha.fields).toEqual([{ field: "description", before: "edited in the console", after: "alpha as in git" }]);
    const plain = await planJson(em, headDir);
    expect(plain.drift).toBeUndefined();
    expect(plain.checksum).toBe(p.checksum);
  });

  it("plan --base --markdown: a Drift section naming Alpha (and not Beta)", async () => {
    const r = await cli(em, headDir, ["plan", ".", "--markdown", "--base", baseDir]);
    expect(r.code, r.stderr).toBe(0);
    const at = r.stdout.indexOf("#### Drift");
    expect(at).toBeGreaterThan(0);
    const section = r.stdout.slice(at).split(/\n#### |<sub>/)[0]!;
    expect(section).toContain(escapeMarkdown("organization/roles/Alpha"));
    expect(section).not.toContain("Beta");
  });

  it("plan --base (text): Alpha tagged as drift, Beta not", async () => {
    const r = await cli(em, headDir, ["plan", ".", "--base", baseDir]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.find((l) => l.includes("organization/roles/Alpha"))).toMatch(/\[drift: changed outside Git/);
    expect(lines.find((l) => l.includes("organization/roles/Beta"))).not.toMatch(/drift/);
  });

  it("the base files planned against live show only the drift", async () => {
    const p = await planJson(em, baseDir);
    expect(p.changes.map((c) => `${c.kind} ${formatAddress(c.address)}`)).toEqual(["update organization/roles/Alpha"]);
  });
});
