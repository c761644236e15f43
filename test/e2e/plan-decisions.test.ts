/**
 * The plan's decision review end to end (docs/plan-and-apply.md#decision-review): the CLI in-process against an
 * emulator on port 0. A state is applied, then the files change: a widened permit shows its decision section in
 * text, JSON and Markdown, naming the deciding rule by address and @id, and leaves the checksum as the changes make
 * it; a pure refactor says "No decision changes on N requests"; `--only` limits the review; `--base` marks drift.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { planChecksum } from "../../src/plan/checksum.js";
import type { Plan } from "../../src/plan/model.js";
import { emulatorTargets, runCli, tempDir, type CliResult } from "../helpers/cli.js";

const RBAC_KEY = "rbac-SECRET-decisions-3e1f";
const CEDAR_KEY = "cedar-SECRET-decisions-90ab";

const SCHEMA = `entity Group;
entity User in [Group];
entity Doc { owner: User };
action view, edit appliesTo { principal: [User], resource: [Doc] };
`;
const ENTITIES = JSON.stringify([
  { uid: { type: "User", id: "alice" }, attrs: {}, parents: [{ type: "Group", id: "admins" }] },
  { uid: { type: "User", id: "bob" }, attrs: {}, parents: [] },
  { uid: { type: "Group", id: "admins" }, attrs: {}, parents: [] },
  { uid: { type: "Doc", id: "d1" }, attrs: { owner: { __entity: { type: "User", id: "alice" } } }, parents: [] },
]);
/** Users alice, bob and a fresh one; docs d1 and a fresh one; view and edit; context {}: 12 requests. */
const UNIVERSE = 12;
const ADMINS_VIEW = '@id("admins-view")\npermit(principal in Group::"admins", action == Action::"view", resource);\n';
const EVERYONE_VIEWS = '@id("everyone-views")\npermit(principal, action == Action::"view", resource);\n';
const OWNERS_EDIT = 'permit(principal, action == Action::"edit", resource) when { principal == resource.owner };\n';

function files(docs: string, team: string, extra = ""): Record<string, string> {
  return {
    "schema.cedarschema": SCHEMA,
    "entities.json": ENTITIES,
    "docs.cedar": docs,
    "team.cedar": team,
    "access.yaml": [
      "cedar:",
      "  schema: ./schema.cedarschema",
      "  policies:",
      "    - name: docs",
      "      maxDurationSeconds: 3600",
      "      rules: { file: ./docs.cedar }",
      "    - name: team",
      "      maxDurationSeconds: 3600",
      "      rules: { file: ./team.cedar }",
      "  tests:",
      "    entities: ./entities.json",
      "    cases:",
      "      - { name: alice views d1, principal: 'User::\"alice\"', action: 'Action::\"view\"', resource: 'Doc::\"d1\"', expect: allow }",
      extra,
      "",
    ].join("\n"),
  };
}

function write(dir: string, f: Record<string, string>): void {
  for (const [name, text] of Object.entries(f)) writeFileSync(join(dir, name), text);
}

describe("the decision review in plan", () => {
  let em: EmulatorHandle;
  const env = () => emulatorTargets(em.url, { rbac: RBAC_KEY, cedar: CEDAR_KEY });
  const cli = async (args: string[], cwd: string): Promise<CliResult> => {
    const r = await runCli(args, { cwd, env: env() });
    for (const t of [r.stdout, r.stderr]) {
      expect(t).not.toContain(RBAC_KEY);
      expect(t).not.toContain(CEDAR_KEY);
    }
    return r;
  };
  const planJson = async (cwd: string, args: string[] = []): Promise<{ plan: Plan; stderr: string }> => {
    const r = await cli(["plan", ".", "--json", ...args], cwd);
    if (r.code !== 0) throw new Error(`plan exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return { plan: JSON.parse(r.stdout) as Plan, stderr: r.stderr };
  };
  /** The files as applied (the base branch). */
  const applied = files(ADMINS_VIEW, 'permit(principal == User::"bob", action == Action::"view", resource == Doc::"d1");\n');

  beforeAll(async () => {
    em = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
    const dir = tempDir(undefined, applied);
    const r = await cli(["apply", ".", "--yes"], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
  afterAll(async () => {
    await em?.close();
  });

  it("a widened permit: the section in text and JSON, the group, an example naming the deciding rule's address and @id", async () => {
    const dir = tempDir(undefined, files(EVERYONE_VIEWS, applied["team.cedar"]!));
    const { plan } = await planJson(dir);
    expect(plan.changes.map((c) => c.id)).toEqual(["update:cedar/policies/docs/rules/1"]);
    const d = plan.decisions!;
    expect(d.universe).toEqual({ requests: UNIVERSE, evaluated: expect.any(Number), schema: true, capped: false });
    expect(d.groups).toHaveLength(1);
    const g = d.groups[0]!;
    expect(g).toMatchObject({ principalType: "User", action: 'Action::"view"', resourceType: "Doc", change: "wider", counts: { wider: 3, narrower: 0, errorChanged: 0 } });
    // alice (an admin) and bob on d1 were allowed before; bob on the fresh doc, and the fresh user, are not.
    expect(g.examples.map((e) => `${e.principal} ${e.resource}`)).toEqual(['User::"__fresh__" Doc::"__fresh__"', 'User::"__fresh__" Doc::"d1"', 'User::"bob" Doc::"__fresh__"']);
    for (const e of g.examples) {
      expect(e).toMatchObject({ before: "deny", after: "allow", context: {} });
      expect(e.decidingAfter).toEqual([{ address: "cedar/policies/docs/rules/1", id: "everyone-views", file: "docs.cedar", line: 1 }]);
    }
    // The checksum is the changes' alone: the same as recomputed from them, and as the plan made without a review.
    expect(plan.checksum).toBe(planChecksum(plan.changes));
    write(dir, files(EVERYONE_VIEWS, applied["team.cedar"]!, "  review: { maxRequests: 1 }"));
    const capped = await planJson(dir);
    expect(capped.plan.decisions).toEqual({ universe: { requests: UNIVERSE, evaluated: 0, schema: true, capped: true }, groups: [] });
    expect(capped.plan.checksum).toBe(plan.checksum);
    expect(capped.stderr).toMatch(/warning: decision review: decision review not computed: .*more than 1 requests of the universe of 12/);
    expect(capped.plan.decisionNotes).toHaveLength(1);

    write(dir, files(EVERYONE_VIEWS, applied["team.cedar"]!));
    const text = await cli(["plan", "."], dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Decision review (a declared universe of ${UNIVERSE} requests;`);
    expect(text.stdout).toMatch(/ {2}wider {4}User · Action::"view" · Doc: 3 newly allowed of \d+ requests evaluated\n/);
    expect(text.stdout).toContain('+ User::"bob" on Doc::"__fresh__": deny → allow');
    expect(text.stdout).toContain('now permitted by cedar/policies/docs/rules/1 @id("everyone-views") at docs.cedar:1; before, no rule matches (denied by default)');
    expect(text.stdout.indexOf("Decision review")).toBeLessThan(text.stdout.indexOf("Plan: 0 to create, 1 to update"));

    const md = await cli(["plan", ".", "--markdown"], dir);
    expect(md.stdout).toContain("#### Decision review");
    expect(md.stdout).toContain("| wider | <code>User</code> | <code>Action::\"view\"</code> | <code>Doc</code> | 3 | 0 |");
    expect(md.stdout).toContain("<code>cedar/policies/docs/rules/1</code> (<code>&#64;id(\"everyone-views\")</code>, <code>docs.cedar:1</code>)");
  });

  it("a pure refactor: No decision changes on N requests", async () => {
    // Two rules say what one said, and the admins rule is written another way: no request is decided otherwise.
    const refactored = 'permit(principal in Group::"admins", action in [Action::"view"], resource);\n';
    const team = 'permit(principal == User::"bob", action == Action::"view", resource == Doc::"d1") when { true };\n';
    const dir = tempDir(undefined, files(refactored, team));
    const { plan } = await planJson(dir);
    expect(plan.changes.length).toBeGreaterThan(0);
    expect(plan.decisions).toEqual({ universe: { requests: UNIVERSE, evaluated: expect.any(Number), schema: true, capped: false }, groups: [] });
    const text = await cli(["plan", "."], dir);
    expect(text.stdout).toContain(`No decision changes on ${UNIVERSE} requests`);
    const md = await cli(["plan", ".", "--markdown"], dir);
    expect(md.stdout).toContain(`No decision changes on ${UNIVERSE} requests`);
  });

  it("--only limits the review to the selected changes", async () => {
    // docs widens view; team lets owners edit. Each --only shows its own.
    const dir = tempDir(undefined, files(EVERYONE_VIEWS, OWNERS_EDIT));
    const all = (await planJson(dir)).plan;
    expect(all.decisions!.groups.map((g) => `${g.action} ${g.change}`)).toEqual(['Action::"edit" wider', 'Action::"view" wider']);
    const team = (await planJson(dir, ["--only", "cedar/policies/team"])).plan;
    expect(team.changes.map((c) => c.id)).toEqual(["update:cedar/policies/team/rules/1"]);
    expect(team.decisions!.groups.map((g) => `${g.action} ${g.change}`)).toEqual(['Action::"edit" wider', 'Action::"view" narrower']);
    const docs = (await planJson(dir, ["--only", "cedar/policies/docs"])).plan;
    expect(docs.decisions!.groups.map((g) => `${g.action} ${g.change}`)).toEqual(['Action::"view" wider']);
  });

  it("--base: a decision change that reverts an edit made outside Git is marked drift", async () => {
    // Out of band, someone lets everyone view (an apply of other files stands in for the console).
    const console = tempDir(undefined, files(EVERYONE_VIEWS, applied["team.cedar"]!));
    const out = await cli(["apply", ".", "--yes"], console);
    expect(out.code).toBe(0);
    // Nobody confirms an apply --yes: its plan leaves the review out.
    expect(out.stdout).toContain("~ cedar/policies/docs/rules/1");
    expect(out.stdout).not.toContain("Decision review");
    try {
      // Git's base still says admins view; the head also lets owners edit.
      const base = tempDir(undefined, applied);
      const head = tempDir(undefined, files(ADMINS_VIEW, OWNERS_EDIT));
      const { plan } = await planJson(head, ["--base", base]);
      const view = plan.decisions!.groups.find((g) => g.action === 'Action::"view"')!;
      const edit = plan.decisions!.groups.find((g) => g.action === 'Action::"edit"')!;
      // Live lets everyone view: Git's rules narrow it back (drift), and the head drops bob's own grant (files).
      expect(view).toMatchObject({ change: "narrower", counts: { narrower: 4, drift: 3 } });
      expect(view.examples.map((e) => `${e.principal} ${e.resource} ${e.drift}`)).toEqual([
        'User::"__fresh__" Doc::"__fresh__" true',
        'User::"__fresh__" Doc::"d1" true',
        'User::"bob" Doc::"__fresh__" true',
        'User::"bob" Doc::"d1" false',
      ]);
      expect(edit).toMatchObject({ change: "wider", counts: { drift: 0 } });
      const text = await cli(["plan", ".", "--base", base], head);
      expect(text.stdout).toContain("[drift: live differs from Git; this apply reverts it]");
      const md = await cli(["plan", ".", "--base", base, "--markdown"], head);
      expect(md.stdout).toContain("drift (live differs from Git; merging reverts it)");
    } finally {
      const back = tempDir(undefined, applied);
      expect((await cli(["apply", ".", "--yes"], back)).code).toBe(0);
    }
  });
});
