/**
 * `accessctl export` end to end (docs/plan-and-apply.md#export; issue 8): a live state holding every object kind
 * and every rule form is built over HTTP in an emulator started here (rules posted both as `policy_text` and as
 * structured fields), then the built CLI exports it, and:
 * - `plan <dir> --detailed-exitcode` exits 0 ("No changes");
 * - a second export (into another dir, and with `--force` into the same one) gives byte-identical files;
 * - the files pass `validate` and start with the `$schema` modeline;
 * - a non-empty dir without `--force` → exit 1, nothing written;
 * - `--only 'cedar/policies/*'` writes only the Cedar files (+ `accessctl.yaml` with `owns`), still "No changes".
 * Issue 15 ("Export always round-trips", SPEC section 3):
 * - every file carries export's header mark on its second line;
 * - `--force` removes and lists the marked files it no longer writes (and the files they reference), refuses when
 *   other YAML files are present, leaves non-YAML files alone;
 * - a literal `${` in live text is written `$${`; live text holding a configured key is refused, naming the object;
 * - `--only` matching nothing is a usage error;
 * - export → plan is "No changes" for every flag combination (a walk over them, with deletions in between).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatAddress } from "../../src/address/address.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import type { Plan } from "../../src/plan/model.js";
import { EMULATOR_TENANT, emulatorTargets, runCli, tempDir, type CliResult } from "../helpers/cli.js";

const TENANT = EMULATOR_TENANT;
const RBAC_KEY = "rbac-SECRET-export-31f0";
const CEDAR_KEY = "cedar-SECRET-export-8e77";

function targetEnv(em: EmulatorHandle): Record<string, string | undefined> {
  return emulatorTargets(em.url, { rbac: RBAC_KEY, cedar: CEDAR_KEY });
}

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

/** Every file under `dir`, relative path → bytes (as text). */
function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split("\\").join("/"), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

// ---- the live state ---------------------------------------------------------------------------------------------

const ANY = "permit(principal, action, resource);";
const ANNOTATED = '@id("x")\n@reason("tickets are required")\nforbid(principal, action, resource) unless { context has ticket };';
const MULTI_LINE = [
  "// on-call only, short sessions",
  "permit(",
  '  principal in Group::"oncall",',
  '  action == Action::"request_access",',
  "  resource is AwsAccount",
  ") when { context.duration_seconds <= 1800 };",
].join("\n");
const UNLESS_THEN_WHEN = "forbid(principal, action, resource) unless { context has ticket } when { context.duration_seconds > 60 };";
const ACTION_LIST_TEXT = 'permit(principal is User, action in [Action::"request_access", Action::"extend"], resource in AwsAccount::"prod");';

interface Structured {
  effect: "permit" | "forbid";
  principal_scope_type?: string;
  principal_entity_type?: string | null;
  principal_entity_id?: string | null;
  action_scope_type?: string;
  action_ids?: string[];
  resource_scope_type?: string;
  resource_entity_type?: string | null;
  resource_entity_id?: string | null;
  conditions?: string | null;
  notice?: string | null;
  audit_session?: boolean;
}

async function buildLiveState(em: EmulatorHandle): Promise<void> {
  // RBAC: organization policies and roles, names and descriptions that need quoting.
  const perms: { id: string; name: string }[] = (await rbac(em, "GET", "/v1/organization/permissions")).permissions;
  const perm = (n: string): string => perms.find((p) => p.name === n)!.id;
  const orgPolicy = async (name: string, permissions: string[], description?: string | null): Promise<string> =>
    (await rbac(em, "POST", "/v1/organization/policies", { name, permissionIds: permissions.map(perm), ...(description === undefined ? {} : { description }) })).policy.id;
  const billing = await orgPolicy("Manage billing", ["billing:read", "billing:manage"], "Grants access to billing settings");
  const colon = await orgPolicy("Team: A # ops", ["user:read"], `He said "hi" & it's: fine # not a comment`);
  const unicode = await orgPolicy("Équipe ✓ données", ["iam:read", "iam:manage"], null);
  const multi = await orgPolicy("'Quoted' policy", ["organization:read"], "line one\nline two\n");
  const empty = await orgPolicy("No permissions", [], " leading space and trailing ");
  const orgRole = (name: string, policyIds: string[], description?: string | null) =>
    rbac(em, "POST", "/v1/organization/roles", { name, policyIds, ...(description === undefined ? {} : { description }) });
  await orgRole("Billing Manager", [billing], "Can manage billing only");
  await orgRole("Team A", [colon, unicode], "true");
  await orgRole("team-a", [], "- looks like a list item");
  await orgRole("\"Double\" 'single' \\ back", [multi, empty, billing], "multi\nline\n\ndescription");
  await orgRole("yes", [billing], "null");

  // Projects: two with custom objects (Analytics stays empty and gets no file).
  const projects: { id: string; name: string }[] = (await rbac(em, "GET", "/v1/projects")).projects;
  for (const [pname, polName, permNames, roleName] of [
    ["Support Bot", "View traces", ["trace:read", "span:read"], "Analyst"],
    ["Search", "Search: datasets #1", ["dataset:read", "dataset:update"], "Searcher"],
  ] as const) {
    const pid = projects.find((p) => p.name === pname)!.id;
    const pperms: { id: string; name: string }[] = (await rbac(em, "GET", `/v1/projects/${pid}/permissions`)).permissions;
    const pol = (await rbac(em, "POST", `/v1/projects/${pid}/policies`, { name: polName, permissionIds: permNames.map((n) => pperms.find((p) => p.name === n)!.id), description: `Project policy of ${pname}` })).policy.id;
    await rbac(em, "POST", `/v1/projects/${pid}/roles`, { name: roleName, policyIds: [pol] });
    await rbac(em, "POST", `/v1/projects/${pid}/roles`, { name: `${roleName} (empty)`, policyIds: [] });
  }

  // Cedar: policies with every option, rules in every form.
  const policy = async (body: Record<string, unknown>): Promise<string> => (await cedar(em, "POST", "/v1/policies", body)).id;
  const text = (id: string, policy_text: string, extra: Record<string, unknown> = {}) => cedar(em, "POST", `/v1/policies/${id}/rules`, { policy_text, ...extra });
  const fields = (id: string, f: Structured) => cedar(em, "POST", `/v1/policies/${id}/rules`, f);

  const teamA = await policy({
    name: "Team A",
    description: "Who may request production access",
    priority: 10,
    max_duration_seconds: 14400,
    default_duration_seconds: 3600,
    notification_channel: "#access",
  });
  await text(teamA, ANY); // principal/action/resource: any
  await fields(teamA, {
    effect: "permit",
    principal_scope_type: "eq",
    principal_entity_type: "User",
    principal_entity_id: "alice",
    action_scope_type: "eq",
    action_ids: ["request_access"],
    resource_scope_type: "is",
    resource_entity_type: "AwsAccount",
    notice: "Production access is recorded",
    audit_session: false,
  });
  await fields(teamA, {
    effect: "permit",
    principal_scope_type: "in",
    principal_entity_type: "Group",
    principal_entity_id: "sre",
    action_scope_type: "in",
    action_ids: ["request_access", "extend"],
    resource_scope_type: "eq",
    resource_entity_type: "AwsAccount",
    resource_entity_id: "prod",
    conditions: 'when { context.duration_seconds <= 14400 } when { context has ticket } unless { context.ticket == "none" } unless { context.ticket == "n/a" }',
  });
  await fields(teamA, {
    effect: "forbid",
    principal_scope_type: "is_in",
    principal_entity_type: "User",
    principal_entity_id: 'Group::"eng"',
    action_scope_type: "any",
    resource_scope_type: "is_in",
    resource_entity_type: "AwsAccount",
    resource_entity_id: 'Org::"main"',
    conditions: "unless { context.duration_seconds < 600 }",
    notice: "Engineers: short sessions only\nsecond line: with # and 'quotes'",
  });
  await text(teamA, ANNOTATED, { notice: "Every request needs a ticket" });
  await text(teamA, ACTION_LIST_TEXT, { audit_session: false });

  // Collides with "Team A" after sanitising: disabled, priority, multi-line and unusual rule texts.
  const teamDashA = await policy({ name: "team-a", enabled: false, priority: 5, max_duration_seconds: 3600 });
  await text(teamDashA, MULTI_LINE);
  await text(teamDashA, UNLESS_THEN_WHEN);
  await fields(teamDashA, {
    effect: "permit",
    principal_scope_type: "eq",
    principal_entity_type: "User",
    principal_entity_id: 'o"brien\\x',
    action_scope_type: "any",
    resource_scope_type: "any",
  });

  const quoted = await policy({ name: 'prod: ops #1 "quoted"', description: "", priority: -3, max_duration_seconds: 60, notification_channel: "@oncall: #ops" });
  await text(quoted, 'permit(principal == User::"bob", action == Action::"request_access", resource);', { notice: "line1\nline2", audit_session: false });
  await policy({ name: "Ωmega ünïcode", description: "多言語 ✓", max_duration_seconds: 120 }); // no rules
  await policy({ name: "ops/break-glass", max_duration_seconds: 900, default_duration_seconds: 300 });
  await policy({ name: "CON", max_duration_seconds: 30, enabled: false });
}

// ---- the suite ----------------------------------------------------------------------------------------------------

describe("export → plan round trip against the emulator over HTTP", () => {
  let em: EmulatorHandle;
  let work: string;
  let first: Map<string, string>;

  const run = (args: string[], cwd = work): Promise<CliResult> =>
    runCli(args, { cwd, env: targetEnv(em), timeoutMs: 110_000 }).then((r) => {
      for (const t of [r.stdout, r.stderr]) {
        expect(t).not.toContain(RBAC_KEY);
        expect(t).not.toContain(CEDAR_KEY);
      }
      return r;
    });

  beforeAll(async () => {
    em = await startEmulator({ port: 0, pageSize: 2, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
    await buildLiveState(em);
    work = tempDir();
  });
  afterAll(() => em?.close());

  it("export <dir> writes organization.yaml, projects/<project>.yaml and cedar/<policy>.yaml (collisions suffixed)", async () => {
    const r = await run(["export", "out"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    first = readTree(join(work, "out"));
    expect([...first.keys()].sort()).toEqual([
      "cedar/con-.yaml",
      "cedar/mega-unicode.yaml",
      "cedar/ops-break-glass.yaml",
      "cedar/prod-ops-1-quoted.yaml",
      "cedar/team-a-2.yaml",
      "cedar/team-a.yaml",
      "organization.yaml",
      "projects/search.yaml",
      "projects/support-bot.yaml",
    ]);
    // Collisions after sanitising get distinct files, both kept.
    const teamFiles = [...first.keys()].filter((f) => /^cedar\/team-a(-\d+)?\.yaml$/.test(f));
    expect(teamFiles).toHaveLength(2);
    // Names that sanitise oddly still get safe, distinct, non-empty file names.
    for (const f of first.keys()) expect(f).toMatch(/^(organization\.yaml|(projects|cedar)\/[a-z0-9._-]+\.yaml)$/);
    expect(first.size).toBe(9);
  });

  it("every file starts with the $schema modeline pointing at the real schema, then export's header mark", () => {
    for (const [path, text] of first) {
      expect(text.split("\n")[1], path).toBe("# Written by accessctl export: `accessctl export --force` replaces or removes this file; delete this line to keep it.");
      const line = text.split("\n")[0]!;
      expect(line, path).toMatch(/^# yaml-language-server: \$schema=\S+accessctl\.schema\.json$/);
      const target = line.slice(line.indexOf("=") + 1);
      const resolved = target.startsWith("/") ? target : join(work, "out", path, "..", target);
      expect(() => statSync(resolved), `${path}: ${resolved}`).not.toThrow();
    }
  });

  it("rules in structured form when they can be, `cedar:` otherwise; options written only when not the defaults", () => {
    const teamA = [...first].find(([p, t]) => p.startsWith("cedar/team-a") && t.includes("name: Team A"))![1];
    const doc = parse(teamA) as { cedar: { policies: Record<string, unknown>[] } };
    const p = doc.cedar.policies[0]!;
    expect(p).toMatchObject({ name: "Team A", priority: 10, maxDurationSeconds: 14400, defaultDurationSeconds: 3600, notificationChannel: "#access" });
    expect(p).not.toHaveProperty("enabled");
    const rules = p["rules"] as Record<string, unknown>[];
    expect(rules).toHaveLength(6);
    expect(rules[0]).toEqual({ effect: "permit" });
    expect(rules[1]).toEqual({
      effect: "permit",
      principal: { eq: 'User::"alice"' },
      action: { eq: "request_access" },
      resource: { is: "AwsAccount" },
      notice: "Production access is recorded",
      auditSession: false,
    });
    expect(rules[2]).toMatchObject({ principal: { in: 'Group::"sre"' }, action: { in: ["request_access", "extend"] }, resource: { eq: 'AwsAccount::"prod"' } });
    expect(rules[2]!["when"]).toEqual(["context.duration_seconds <= 14400", "context has ticket"]);
    expect(rules[2]!["unless"]).toEqual(['context.ticket == "none"', 'context.ticket == "n/a"']);
    expect(rules[3]).toMatchObject({ effect: "forbid", principal: { is: "User", in: 'Group::"eng"' }, resource: { is: "AwsAccount", in: 'Org::"main"' }, unless: "context.duration_seconds < 600" });
    expect(rules[3]!["notice"]).toBe("Engineers: short sessions only\nsecond line: with # and 'quotes'");
    // The service stores rules as fields and drops annotations (API.md; the emulator does too), so the rule posted
    // with `@id`/`@reason` comes back, and is exported, as plain structured fields.
    expect(rules[4]).toEqual({ effect: "forbid", unless: "context has ticket", notice: "Every request needs a ticket" });
    expect(rules[5]).toMatchObject({ effect: "permit", principal: { is: "User" }, action: { in: ["request_access", "extend"] }, auditSession: false });

    const dashA = [...first].find(([p, t]) => p.startsWith("cedar/team-a") && t.includes("name: team-a"))![1];
    const d2 = (parse(dashA) as { cedar: { policies: Record<string, unknown>[] } }).cedar.policies[0]!;
    expect(d2).toMatchObject({ name: "team-a", enabled: false, priority: 5 });
    const r2 = d2["rules"] as Record<string, unknown>[];
    // The same meaning as structured fields (the `//` comment is not part of the rule's meaning).
    expect(r2[0]).toEqual({ effect: "permit", principal: { in: 'Group::"oncall"' }, action: { eq: "request_access" }, resource: { is: "AwsAccount" }, when: "context.duration_seconds <= 1800" });
    expect(r2[1]).toHaveProperty("cedar"); // unless before when
    expect(r2[2]).toEqual({ effect: "permit", principal: { eq: 'User::"o\\"brien\\\\x"' } });

    const org = parse(first.get("organization.yaml")!) as { organization: { policies: Record<string, unknown>[]; roles: Record<string, unknown>[] } };
    expect(org.organization.policies.map((x) => x["name"])).toContain("Team: A # ops");
    expect(org.organization.policies.find((x) => x["name"] === "Équipe ✓ données")).not.toHaveProperty("description");
    expect(org.organization.policies.find((x) => x["name"] === "'Quoted' policy")!["description"]).toBe("line one\nline two\n");
    expect(org.organization.roles.find((x) => x["name"] === "yes")!["description"]).toBe("null");
    expect(org.organization.roles.map((x) => x["name"])).not.toContain("Owner");
  });

  it("the exported files pass validate", async () => {
    const r = await run(["validate", "out"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const j = await run(["validate", "out", "--json"]);
    expect(j.code, j.stdout + j.stderr).toBe(0);
  });

  it("plan <dir> --detailed-exitcode exits 0: No changes", async () => {
    const r = await run(["plan", "out", "--detailed-exitcode"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("No changes. Live state matches the desired state.");
  });

  it("a second export into another dir gives byte-identical files", async () => {
    const r = await run(["export", "again"]);
    expect(r.code, r.stderr).toBe(0);
    const second = readTree(join(work, "again"));
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [path, text] of first) expect(second.get(path), path).toBe(text);
  });

  it("export --force into the same dir gives byte-identical files", async () => {
    const r = await run(["export", "out", "--force"]);
    expect(r.code, r.stderr).toBe(0);
    const again = readTree(join(work, "out"));
    expect([...again.keys()]).toEqual([...first.keys()]);
    for (const [path, text] of first) expect(again.get(path), path).toBe(text);
  });

  it("a non-empty dir without --force → exit 1, says why, nothing written", async () => {
    const target = join(work, "occupied");
    mkdirSync(target);
    writeFileSync(join(target, "notes.txt"), "mine\n");
    const r = await run(["export", "occupied"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not empty/);
    expect(r.stderr).toMatch(/--force/);
    expect([...readTree(target).entries()]).toEqual([["notes.txt", "mine\n"]]);
    // And the earlier export dir is left as it was.
    const before = readTree(join(work, "out"));
    const again = await run(["export", "out"]);
    expect(again.code).toBe(1);
    expect(readTree(join(work, "out"))).toEqual(before);
  });

  it("--only 'cedar/policies/*': only the Cedar files plus accessctl.yaml with owns; planning it says No changes", async () => {
    const r = await run(["export", "cedar-only", "--only", "cedar/policies/*"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const files = readTree(join(work, "cedar-only"));
    const cedarFiles = [...first.keys()].filter((f) => f.startsWith("cedar/"));
    expect([...files.keys()].sort()).toEqual([...cedarFiles, "accessctl.yaml"].sort());
    for (const f of cedarFiles) expect(files.get(f), f).toBe(first.get(f));
    const settings = parse(files.get("accessctl.yaml")!) as { accessctl: { owns: string[] } };
    expect(settings.accessctl.owns).toEqual(["cedar/policies/*"]);
    expect(files.get("accessctl.yaml")!.split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=/);
    const v = await run(["validate", "cedar-only"]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const p = await run(["plan", "cedar-only", "--detailed-exitcode"]);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    expect(p.stdout.trim()).toBe("No changes. Live state matches the desired state.");
  });

  it("--only on RBAC roles: just those roles (the policies collection left unmanaged), owned; planning says No changes", async () => {
    const r = await run(["export", "roles-only", "--only", "organization/roles/*"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const files = readTree(join(work, "roles-only"));
    expect([...files.keys()].sort()).toEqual(["accessctl.yaml", "organization.yaml"]);
    // `policies: []` would make the organization's policies authoritative (and the roles' references dangle).
    const org = parse(files.get("organization.yaml")!) as { organization: Record<string, unknown> };
    expect(org.organization).not.toHaveProperty("policies");
    expect((org.organization["roles"] as unknown[]).length).toBe(5);
    const p = await run(["plan", "roles-only", "--detailed-exitcode"]);
    expect(p.code, p.stdout + p.stderr).toBe(0);
  });

  it("after an out-of-band change the exported files plan exactly that change back", async () => {
    const list: { data: { id: string; name: string }[] } = await cedar(em, "GET", "/v1/policies?limit=250");
    const id = list.data.find((x) => x.name === "Team A")!.id;
    await cedar(em, "PATCH", `/v1/policies/${id}`, { priority: 11 });
    const r = await run(["plan", "out", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan;
    expect(plan.changes.map((c) => `${c.kind} ${formatAddress(c.address)}`)).toEqual(["update cedar/policies/Team A"]);
    expect(plan.changes[0]!.fields).toEqual([{ field: "priority", before: 11, after: 10 }]);
    await cedar(em, "PATCH", `/v1/policies/${id}`, { priority: 10 });
  });
});

// ---- issue 15: export always round-trips ---------------------------------------------------------------------------

describe("export always round-trips (issue 15)", () => {
  let em: EmulatorHandle;
  let work: string;

  const run = (args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> =>
    runCli(args, { cwd: work, env: { ...targetEnv(em), ...extraEnv }, timeoutMs: 110_000 }).then((r) => {
      for (const t of [r.stdout, r.stderr]) {
        expect(t).not.toContain(RBAC_KEY);
        expect(t).not.toContain(CEDAR_KEY);
      }
      return r;
    });

  /** export then plan with the same --only: exit 0 with --detailed-exitcode, and it says so. */
  const roundTrip = async (dir: string, only: string[], force: boolean): Promise<CliResult> => {
    const onlyArgs = only.flatMap((o) => ["--only", o]);
    const e = await run(["export", dir, ...onlyArgs, ...(force ? ["--force"] : [])]);
    expect(e.code, `export ${dir} ${onlyArgs.join(" ")}\n${e.stdout}${e.stderr}`).toBe(0);
    const p = await run(["plan", dir, ...onlyArgs, "--detailed-exitcode"]);
    expect(p.code, `plan ${dir} ${onlyArgs.join(" ")}\n${p.stdout}${p.stderr}`).toBe(0);
    expect(p.stdout).toMatch(/No changes/);
    return e;
  };

  const idOf = async (path: string, key: string, name: string): Promise<string> => (await rbac(em, "GET", path))[key].find((x: { name: string }) => x.name === name).id;
  const cedarId = async (name: string): Promise<string> => {
    for (let cursor: string | null = null; ; ) {
      const page = (await cedar(em, "GET", `/v1/policies?limit=250${cursor ? `&cursor=${cursor}` : ""}`)) as { data: { id: string; name: string }[]; next_cursor: string | null };
      const hit = page.data.find((x) => x.name === name);
      if (hit) return hit.id;
      if (!page.next_cursor) throw new Error(`no Cedar policy ${name}`);
      cursor = page.next_cursor;
    }
  };
  const projectId = async (name: string): Promise<string> => idOf("/v1/projects", "projects", name);

  beforeAll(async () => {
    em = await startEmulator({ port: 0, pageSize: 3, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
    await buildLiveState(em);
    // Text that holds `${`: a description, a notice and a rule's condition, and names.
    const perms: { id: string; name: string }[] = (await rbac(em, "GET", "/v1/organization/permissions")).permissions;
    await rbac(em, "POST", "/v1/organization/policies", { name: "Costs ${env:HOME} $${x}", permissionIds: [perms[0]!.id], description: "see ${env:HOME}, $${not a var}, ${unclosed and $$${y}" });
    const id = (await cedar(em, "POST", "/v1/policies", { name: "templated ${x}", description: "${env:PATH}", max_duration_seconds: 60 })).id;
    await cedar(em, "POST", `/v1/policies/${id}/rules`, { policy_text: 'permit(principal, action, resource) when { context.note == "${env:HOME}" };', notice: "costs ${x}" });
    work = tempDir();
  });
  afterAll(() => em?.close());

  it("`${` in live text is written `$${` and reads back as itself: plan says No changes", async () => {
    await roundTrip("dollars", [], false);
    const org = readFileSync(join(work, "dollars/organization.yaml"), "utf8");
    expect(org).toContain("Costs $${env:HOME} $$${x}");
    // `${unclosed and $${y}` is one `${…}` to the loader (up to the first `}`), so it gets the one extra `$`.
    expect(org).toContain("see $${env:HOME}, $$${not a var}, $${unclosed and $$${y}");
    const templated = readTree(join(work, "dollars"));
    const cedarFile = [...templated].find(([, t]) => t.includes("templated"))![1];
    expect(cedarFile).toContain('"$${env:HOME}"');
  });

  it("the round trip holds for every flag combination, with --force into earlier exports after deletions", async () => {
    const combos: string[][] = [[], ["cedar/policies/*"], ["organization/roles/*", "projects/**"], ["**/policies/*", "cedar/policies/team-a"]];
    // A fresh directory for each combination.
    for (const [i, only] of combos.entries()) await roundTrip(`fresh-${i}`, only, false);
    // One directory walked through them all, each step after a deletion in the live state.
    await roundTrip("walk", [], false);
    const deletions: (() => Promise<unknown>)[] = [
      async () => cedar(em, "DELETE", `/v1/policies/${await cedarId("CON")}`),
      async () => rbac(em, "DELETE", `/v1/organization/roles/${await idOf("/v1/organization/roles", "roles", "team-a")}`),
      async () => {
        const pid = await projectId("Search");
        for (const role of ["Searcher", "Searcher (empty)"]) await rbac(em, "DELETE", `/v1/projects/${pid}/roles/${await idOf(`/v1/projects/${pid}/roles`, "roles", role)}`);
        await rbac(em, "DELETE", `/v1/projects/${pid}/policies/${await idOf(`/v1/projects/${pid}/policies`, "policies", "Search: datasets #1")}`);
      },
      async () => cedar(em, "DELETE", `/v1/policies/${await cedarId("ops/break-glass")}`),
    ];
    for (const [i, only] of [...combos.slice(1), combos[0]!].entries()) {
      await deletions[i]!();
      await roundTrip("walk", only, true);
    }
    // The last step (no --only, after every deletion) left no stale file behind.
    const files = [...readTree(join(work, "walk")).keys()];
    expect(files).not.toContain("cedar/con-.yaml");
    expect(files).not.toContain("cedar/ops-break-glass.yaml");
    expect(files).not.toContain("projects/search.yaml");
    expect(files).not.toContain("accessctl.yaml");
  });

  it("--force removes and lists the marked files it no longer writes, and the files they reference; other files stay", async () => {
    await roundTrip("stale", [], false);
    const dir = join(work, "stale");
    // The user moved a policy's rules to a .cedar file (the file keeps the mark), and added a note of their own.
    const name = "Ωmega ünïcode";
    const file = [...readTree(dir)].find(([, t]) => t.includes(name))![0];
    const text = readFileSync(join(dir, file), "utf8").replace("rules: []", "rules: { file: ./omega.cedar }");
    writeFileSync(join(dir, file), text);
    writeFileSync(join(dir, "cedar/omega.cedar"), "permit(principal, action, resource);\n");
    writeFileSync(join(dir, "NOTES.md"), "mine\n");
    await cedar(em, "DELETE", `/v1/policies/${await cedarId(name)}`);
    const e = await roundTrip("stale", [], true);
    expect(e.stderr).toContain(`removed ${join("stale", file)}`);
    expect(e.stderr).toContain(`removed ${join("stale", "cedar/omega.cedar")}`);
    expect(e.stdout).toMatch(/removed 2 earlier file\(s\)/);
    expect(existsSync(join(dir, file))).toBe(false);
    expect(existsSync(join(dir, "cedar/omega.cedar"))).toBe(false);
    expect(readFileSync(join(dir, "NOTES.md"), "utf8")).toBe("mine\n");
  });

  it("--force refuses (exit 1, naming them) when YAML files without the mark are present; nothing is written", async () => {
    await roundTrip("foreign", ["cedar/policies/*"], false);
    const dir = join(work, "foreign");
    writeFileSync(join(dir, "mine.yaml"), "organization:\n  roles: []\n");
    const cedarFile = [...readTree(dir).keys()].find((f) => f.startsWith("cedar/"))!;
    writeFileSync(join(dir, cedarFile), readFileSync(join(dir, cedarFile), "utf8").split("\n").filter((l) => !l.startsWith("# Written by accessctl export")).join("\n"));
    const before = readTree(dir);
    const r = await run(["export", "foreign", "--force"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join("foreign", "mine.yaml"));
    expect(r.stderr).toContain(join("foreign", cedarFile));
    expect(r.stderr).toMatch(/nothing was written/);
    expect(readTree(dir)).toEqual(before);
  });

  it("live text holding a configured key is refused (exit 1), naming the object; nothing is written", async () => {
    const perms: { id: string; name: string }[] = (await rbac(em, "GET", "/v1/organization/permissions")).permissions;
    const created = (await rbac(em, "POST", "/v1/organization/policies", { name: "Leaky", permissionIds: [perms[0]!.id], description: `token: ${CEDAR_KEY}` })).policy.id;
    const r = await run(["export", "leak"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("organization/policies/Leaky");
    expect(r.stderr).toContain("ACCESSCTL_CEDAR_API_KEY");
    expect(existsSync(join(work, "leak"))).toBe(false);
    await rbac(em, "DELETE", `/v1/organization/policies/${created}`);
  });

  it("--only matching no live object is a usage error (exit 1); nothing is written", async () => {
    for (const only of ["cedar/policies/no-such-policy", "organization/roles/billing manager", "organization/roles/Owner"]) {
      const r = await run(["export", "nothing", "--only", only]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(JSON.stringify(only));
      expect(r.stderr).toMatch(/matches no live object/);
      expect(existsSync(join(work, "nothing"))).toBe(false);
    }
  });
});
