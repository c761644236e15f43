/**
 * Snapshot tests for the two plan renderers (docs/plan-and-apply.md#output; issue 6, acceptance 1): the terminal
 * text (PLAIN palette) and the Markdown for pull-request comments. Plans are made the real way — `composePlan`
 * over builder-made desired and live states — so that the snapshots show what users see.
 *
 * Besides the snapshots, the Markdown is checked structurally: only the renderer's own tags, every tag closed in
 * order, no user string raw (no `<img`, `@everyone`, backtick, `<!--`, extra `</details>`), table rows with
 * the right number of cells, no member email ever, and the 60,000-character cut with its note.
 */
import { describe, expect, it } from "vitest";
import type { DesiredState } from "../../src/desired/types.js";
import type { LiveState } from "../../src/live/types.js";
import { composePlan } from "../../src/flow/compose-plan.js";
import type { Plan } from "../../src/plan/model.js";
import { PLAIN } from "../../src/render/colour.js";
import { escapeMarkdown, MARKDOWN_LIMIT, renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import { renderPlanText } from "../../src/render/plan-text.js";
import {
  dCedarPolicy,
  desired,
  dPolicy,
  dProject,
  dRole,
  dScope,
  lCedarPolicy,
  live,
  lMembers,
  loc,
  lPolicy,
  lProjects,
  lRole,
  lRule,
  lScope,
  ruleFields,
} from "../helpers/builders.js";

const TARGETS: Plan["targets"] = { local: false, rbac: { url: "http://127.0.0.1:4010" }, cedar: { url: "http://127.0.0.1:4010", tenant: "00000000-0000-4000-8000-000000000001" } };

function makePlan(d: DesiredState, l: LiveState, base?: DesiredState): Plan {
  return composePlan(d, l, { targets: TARGETS, ...(base ? { base } : {}) });
}

const text = (p: Plan, showEmails = true): string => renderPlanText(p, PLAIN, { showEmails });
const md = (p: Plan, opts: Parameters<typeof renderPlanMarkdown>[1] = {}): string => renderPlanMarkdown(p, opts);

function withTests(d: DesiredState, cases: { name: string; principal: string; action?: string; resource?: string; expect: "allow" | "deny"; context?: Record<string, unknown> }[], entities?: unknown): DesiredState {
  d.cedar!.tests = {
    cases: cases.map((c) => ({
      name: c.name,
      principal: c.principal,
      action: c.action ?? 'Action::"request_access"',
      resource: c.resource ?? 'AwsAccount::"prod"',
      context: c.context ?? {},
      expect: c.expect,
      loc: loc("cedar/access.yaml"),
    })),
    ...(entities === undefined ? {} : { entities: { path: "entities.json", value: entities, loc: loc("cedar/access.yaml") } }),
  };
  return d;
}

// ---- structural checks on the Markdown --------------------------------------------------------------------------

const ALLOWED_TAGS = new Set(["details", "summary", "p", "b", "em", "code", "pre", "sub"]);

/** Every HTML tag is one of the renderer's own, and tags nest and close properly (so `<details>` opened = closed). */
function expectWellFormedHtml(markdown: string): void {
  const stack: string[] = [];
  for (const m of markdown.matchAll(/<(\/?)([A-Za-z][A-Za-z0-9-]*)([^>]*)>/g)) {
    const [, close, name, attrs] = m;
    const tag = name!.toLowerCase();
    expect(ALLOWED_TAGS.has(tag), `unexpected tag <${close}${name}${attrs}> at ${m.index}`).toBe(true);
    expect(attrs!.trim(), `attributes on <${name}>`).toBe("");
    if (close) {
      expect(stack.at(-1), `</${tag}> at ${m.index} closes ${stack.at(-1) ?? "nothing"}`).toBe(tag);
      stack.pop();
    } else stack.push(tag);
  }
  expect(stack, "tags left open").toEqual([]);
  const opened = markdown.split("<details>").length - 1;
  const closed = markdown.split("</details>").length - 1;
  expect(closed).toBe(opened);
}

/** CommonMark ends an HTML block that does not start with `<pre` at a blank line: a `<pre>` body must not hold one. */
function expectNoBlankLineInsideInlinePre(markdown: string): void {
  for (const m of markdown.matchAll(/<pre>([\s\S]*?)<\/pre>/g)) {
    const lineStart = markdown.lastIndexOf("\n", m.index) + 1;
    const startsLine = markdown.slice(lineStart, m.index).trim() === "";
    if (startsLine) continue; // an HTML block of type 1: it runs to `</pre>`, blank lines and all
    expect(/\n[ \t]*\n/.test(m[1]!), `a blank line inside <pre> (not at a line start) lets the rest be read as Markdown: ${JSON.stringify(m[1]!.slice(0, 200))}`).toBe(false);
  }
}

/** Table rows: as many unescaped `|` as the header row has. */
function expectTablesIntact(markdown: string): void {
  const lines = markdown.split("\n");
  let width: number | undefined;
  for (const line of lines) {
    if (!line.startsWith("|")) {
      width = undefined;
      continue;
    }
    const pipes = line.split("|").length - 1;
    if (width === undefined) width = pipes;
    else expect(pipes, `table row ${JSON.stringify(line)}`).toBe(width);
  }
}

/** No user-supplied hostile string survives raw. */
function expectNoRawHostile(markdown: string): void {
  expect(markdown).not.toMatch(/<img/i);
  expect(markdown).not.toMatch(/<script/i);
  expect(markdown).not.toContain("@everyone");
  expect(markdown).not.toContain("@");
  expect(markdown).not.toContain("`");
  expect(markdown).not.toContain("<!--");
  expect(markdown).not.toContain("-->");
  expectWellFormedHtml(markdown);
  expectTablesIntact(markdown);
}

// ---- scenarios --------------------------------------------------------------------------------------------------

const PERMIT_SRE = 'permit(principal in Group::"sre", action == Action::"request_access", resource);';
const FORBID_NO_TICKET = "forbid(principal, action, resource) unless { context has ticket };";
const SHORT_ONLY = 'permit(principal == User::"bob", action, resource) when { context.duration_seconds <= 3600 };';
const SHORT_ONLY_LONGER = 'permit(principal == User::"bob", action, resource) when { context.duration_seconds <= 7200 };';
const GONE_RULE = 'permit(principal == User::"carol", action, resource);';
const ENTITIES = [
  { uid: { type: "User", id: "alice" }, attrs: {}, parents: [{ type: "Group", id: "sre" }] },
  { uid: { type: "User", id: "bob" }, attrs: {}, parents: [] },
  { uid: { type: "Group", id: "sre" }, attrs: {}, parents: [] },
  { uid: { type: "AwsAccount", id: "prod" }, attrs: {}, parents: [] },
];

/** One plan holding every change kind for every object type, with impact (roles and tests). */
function everyKind(): { d: DesiredState; l: LiveState } {
  const l = live({
    organization: lScope({
      policies: [
        lPolicy("pol-edit", "Edit me", ["billing:read"], "old description"),
        lPolicy("pol-old", "Old policy", ["user:read"]),
        lPolicy("pol-gone", "Gone policy", ["iam:read"]),
        lPolicy("pol-keep", "Keep", ["organization:read"]),
      ],
      roles: [
        lRole("role-edit", "Edit role", ["pol-edit"], "edits"),
        lRole("role-old", "Old role", ["pol-keep"]),
        lRole("role-gone", "Gone role", ["pol-gone"]),
      ],
      members: [...lMembers("role-edit", ["erin@corp.test", "frank@corp.test"]), ...lMembers("role-old", ["gina@corp.test"])],
    }),
    projects: lProjects({
      "Support Bot": lScope({
        system: ["Owner", "Manager", "Member"],
        policies: [lPolicy("sb-pol-edit", "View traces", ["trace:read"]), lPolicy("sb-pol-old", "Datasets", ["dataset:read"]), lPolicy("sb-pol-gone", "Threads", ["thread:read"])],
        roles: [lRole("sb-role-edit", "Analyst", ["sb-pol-edit"]), lRole("sb-role-old", "Curator", ["sb-pol-old"]), lRole("sb-role-gone", "Reader", ["sb-pol-gone"])],
        members: [],
      }),
    }),
    cedar: [
      lCedarPolicy("c-edit", "production-access", [lRule("r1", 1, PERMIT_SRE), lRule("r2", 2, FORBID_NO_TICKET, { notice: "Tickets please" }), lRule("r3", 3, SHORT_ONLY), lRule("r4", 4, GONE_RULE)]),
      lCedarPolicy("c-old", "old-name", [lRule("r5", 1, 'permit(principal == User::"dan", action, resource);')], { priority: 3 }),
      lCedarPolicy("c-gone", "gone", [lRule("r6", 1, 'permit(principal == User::"eve", action, resource);'), lRule("r7", 2, 'forbid(principal == User::"eve", action, resource) when { context.duration_seconds > 60 };')]),
    ],
  });
  const d = desired({
    organization: dScope({
      policies: [
        dPolicy("New policy", ["billing:read", "billing:manage"], { description: "Fresh" }),
        dPolicy("Edit me", ["billing:read", "billing:manage"], { description: "new description" }),
        dPolicy("Renamed policy", ["user:read"], { previousNames: ["Old policy"] }),
        dPolicy("Keep", ["organization:read"]),
      ],
      roles: [
        dRole("New role", ["New policy"], { description: "Brand new" }),
        dRole("Edit role", ["Edit me", "Keep"], { description: "edits more" }),
        dRole("Renamed role", ["Keep"], { previousNames: ["Old role"] }),
      ],
    }),
    projects: [
      dProject("Support Bot", {
        policies: [dPolicy("View traces", ["trace:read", "span:read"], { project: "Support Bot" }), dPolicy("Curate datasets", ["dataset:read", "dataset:update"], { project: "Support Bot", previousNames: ["Datasets"] }), dPolicy("Prompts", ["thread:read"], { project: "Support Bot" })],
        roles: [dRole("Analyst", ["View traces"], { project: "Support Bot" }), dRole("Data Curator", ["Curate datasets"], { project: "Support Bot", previousNames: ["Curator"] }), dRole("Prompter", ["Prompts"], { project: "Support Bot" })],
      }),
    ],
    cedar: [
      dCedarPolicy("production-access", [rule2(FORBID_NO_TICKET, "Tickets please"), PERMIT_SRE, SHORT_ONLY_LONGER], { priority: 10, description: "Who may request production access" }),
      dCedarPolicy("new-name", ['permit(principal == User::"dan", action, resource);', 'forbid(principal == User::"alice", action, resource);'], { previousNames: ["old-name"] }),
      dCedarPolicy("brand-new", [{ fields: ruleFields({ effect: "permit", principal_scope_type: "eq", principal_entity_type: "User", principal_entity_id: "zoe" }), notice: "Recorded", auditSession: false }, FORBID_NO_TICKET], { maxDurationSeconds: 7200, notificationChannel: "#access", enabled: false }),
    ],
  });
  withTests(d, [
    { name: "sre alice with a ticket", principal: 'User::"alice"', context: { ticket: "INC-1" }, expect: "deny" },
    { name: "bob for two hours", principal: 'User::"bob"', context: { ticket: "INC-2", duration_seconds: 7000 }, expect: "allow" },
    { name: "bob without ticket", principal: 'User::"bob"', context: { duration_seconds: 60 }, expect: "deny" },
  ], ENTITIES);
  return { d, l };
}

function rule2(text: string, notice: string): { text: string; notice: string } {
  return { text, notice };
}

/** Guards of every kind: threshold, protected, assigned role (7 members: 5 emails shown), attached policy. */
function guarded(): Plan {
  const emails = ["zq-m1@corp.test", "zq-m2@corp.test", "zq-m3@corp.test", "zq-m4@corp.test", "zq-m5@corp.test", "zq-m6@corp.test", "zq-m7@corp.test"];
  const cedarLive = Array.from({ length: 10 }, (_, i) => lCedarPolicy(`c-${i}`, `team-${i}`, [lRule(`cr-${i}`, 1, `permit(principal == User::"u${i}", action, resource);`)]));
  const l = live({
    organization: lScope({
      policies: [lPolicy("pol-shared", "Shared access", ["user:read"])],
      roles: [lRole("role-keeper", "Keeper", ["pol-shared"])],
    }),
    projects: lProjects({
      "Support Bot": lScope({
        system: ["Owner", "Manager", "Member"],
        policies: [],
        roles: [lRole("sb-lead", "Support Lead", []), lRole("sb-prot", "Protected Role", [])],
        members: [...lMembers("sb-lead", emails), ...lMembers("sb-prot", ["zq-prot@corp.test"])],
      }),
    }),
    cedar: cedarLive,
  });
  const d = desired({
    // Policies managed (authoritative, empty) and roles not: the live role Keeper still uses the policy.
    organization: dScope({ policies: [] }),
    projects: [dProject("Support Bot", { roles: [] })],
    cedar: cedarLive.slice(0, 6).map((p) => dCedarPolicy(p.name, [p.rules[0]!.text])),
    settings: { protect: ["projects/Support Bot/roles/Protected Role"] },
  });
  return makePlan(d, l);
}

// ---- hostile strings ----------------------------------------------------------------------------------------------

const H = {
  details: "</details>",
  img: "<img src=x onerror=alert(1)>",
  everyone: "@everyone",
  tick: "`tick`",
  fence: "```",
  pipe: "a|b",
  comment: "<!-- hidden -->",
  newline: "line one\nline two",
};
const HOSTILE = Object.values(H).join(" ");
/** Names cannot hold newlines in the files, but the renderer must not depend on it. */
const HOSTILE_NAME = `Evil ${H.details}${H.img} ${H.everyone} ${H.tick} ${H.fence} ${H.pipe} ${H.comment}`;

function hostile(): Plan {
  const l = live({
    organization: lScope({
      policies: [lPolicy("pol-h", `${HOSTILE_NAME} old`, ["user:read"], HOSTILE)],
      roles: [lRole("role-h", HOSTILE_NAME, ["pol-h"], `${H.img}\n\n# not a heading\n[link](https://evil.example)`), lRole("role-h2", `Gone ${HOSTILE_NAME}`, ["pol-h"])],
      members: [...lMembers("role-h", ["victim@corp.test"]), ...lMembers("role-h2", ["holder@corp.test"])],
    }),
    cedar: [
      lCedarPolicy("c-h", `cedar ${HOSTILE_NAME}`, [
        lRule("rh1", 1, `permit(principal == User::"${H.img} ${H.everyone}", action, resource) when { context.note == "${H.details} ${H.fence}" };`, { notice: HOSTILE }),
        lRule("rh2", 2, `forbid(principal == User::"x", action, resource);`),
      ], { description: HOSTILE, notificationChannel: H.everyone }),
    ],
  });
  const multiLine = [
    `permit(principal == User::"${H.img}", action, resource)`,
    "",
    "// # heading? [link](https://evil.example) *bold* _it_ <!-- c -->",
    "",
    `when { context.note == "${H.details} ${H.everyone} \\u{60}\\u{60}\\u{60}" };`,
  ].join("\n");
  const d = desired({
    organization: dScope({
      policies: [dPolicy(`${HOSTILE_NAME} new`, ["user:read", "billing:read"], { description: `${HOSTILE} (new)`, previousNames: [`${HOSTILE_NAME} old`] })],
      roles: [dRole(HOSTILE_NAME, [`${HOSTILE_NAME} new`], { description: `${H.pipe} | ${H.details} ${H.newline}` }), dRole(`New ${HOSTILE_NAME}`, [`${HOSTILE_NAME} new`], { description: HOSTILE })],
    }),
    cedar: [
      dCedarPolicy(`cedar ${HOSTILE_NAME}`, [
        { text: multiLine, notice: `${HOSTILE} changed` },
        { text: `forbid(principal == User::"x", action, resource) when { context.note == "${H.comment}" };`, notice: H.everyone },
      ], { description: `${HOSTILE} v2`, notificationChannel: `${H.everyone} ${H.pipe}` }),
      // The new policy allows everything: the access test below flips from deny to allow.
      dCedarPolicy(`created ${HOSTILE_NAME}`, [{ text: multiLine, notice: HOSTILE }, "permit(principal, action, resource);"], { description: HOSTILE }),
    ],
    settings: { protect: [`organization/roles/Gone *`] },
  });
  withTests(d, [{ name: `test ${HOSTILE_NAME} ${H.newline}`, principal: `User::"x"`, expect: "deny" }]);
  // The base branch declared the same RBAC scope and no Cedar: the RBAC changes are drift, the Cedar ones files.
  const base = desired({ organization: d.organization!, settings: { protect: ["organization/roles/Gone *"] } });
  return makePlan(d, l, base);
}

// ---- the tests ----------------------------------------------------------------------------------------------------

describe("No changes", () => {
  const l = live({ organization: lScope({ policies: [lPolicy("p1", "Keep", ["user:read"])], roles: [lRole("r1", "Keeper", ["p1"])] }) });
  const d = desired({ organization: dScope({ policies: [dPolicy("Keep", ["user:read"])], roles: [dRole("Keeper", ["Keep"])] }) });
  const p = makePlan(d, l);

  it("text: the one closing line", () => {
    expect(p.changes).toEqual([]);
    expect(text(p)).toBe("No changes. Live state matches the desired state.");
  });

  it("markdown: says so, no table, no changes section, the checksum", async () => {
    const m = md(p, { title: "access/" });
    expect(m).toContain("No changes. Live state matches the desired state.");
    expect(m).not.toContain("<details>");
    expect(m).not.toContain("| create |");
    expect(m).toContain(escapeMarkdown(p.checksum));
    expectNoRawHostile(m);
    await expect(m).toMatchFileSnapshot("./__snapshots__/render-no-changes.md.txt");
  });

  it("markdown with --base and nothing drifted: 'No drift'", () => {
    const m = md(makePlan(d, l, d));
    expect(m).toContain("No drift");
  });
});

describe("every change kind, every object type", () => {
  const { d, l } = everyKind();
  const p = makePlan(d, l);

  it("the plan holds create/update/rename/delete for every type, and a policy's reorder", () => {
    const kinds = new Set(p.changes.map((c) => `${c.type}:${c.kind}`));
    for (const k of [
      "rbac-policy:create", "rbac-policy:update", "rbac-policy:rename", "rbac-policy:delete",
      "role:create", "role:update", "role:rename", "role:delete",
      "cedar-policy:create", "cedar-policy:update", "cedar-policy:rename", "cedar-policy:delete",
      "cedar-policy:reorder", "cedar-rule:create", "cedar-rule:update", "cedar-rule:delete",
    ]) expect(kinds, k).toContain(k);
    expect(p.impact.roles.length).toBeGreaterThan(0);
    expect(p.impact.tests.length).toBeGreaterThan(0);
  });

  it("text (PLAIN)", async () => {
    const t = text(p);
    expect(t).not.toContain("\u001b[");
    expect(t).toContain("~ organization/policies/Renamed policy (renamed from \"Old policy\")");
    expect(t).toContain("- cedar/policies/gone (and its 2 rules)");
    expect(t).toMatch(/→ cedar\/policies\/production-access \(1 reorder call for \d rule moves?\)\n {6}→ cedar\/policies\/production-access\/rules\/\d \(moved from \d\)/);
    // A Cedar rule's text diff: before and after lines.
    expect(t).toContain(`  - ${SHORT_ONLY}`);
    expect(t).toContain(`  + ${SHORT_ONLY_LONGER}`);
    expect(t).toContain("Access impact:");
    expect(t).toContain("organization/roles/Edit role (2 members): +billing:manage +organization:read");
    expect(t.trimEnd().split("\n").at(-1)).toMatch(/^Plan: \d+ to create, \d+ to update \(\d+ renames\), \d+ to delete, \d+ rule moves?\.$/);
    await expect(t).toMatchFileSnapshot("./__snapshots__/render-every-kind.txt");
  });

  it("markdown", async () => {
    const m = md(p, { title: "access" });
    expectNoRawHostile(m);
    // Summary table first, then the changes, one <details> each.
    expect(m.indexOf("| create | update |")).toBeLessThan(m.indexOf("<details>"));
    expect(m.split("#### Decision review")[0]!.split("<details>").length - 1).toBe(p.changes.length);
    expect(m).toContain("#### Access impact");
    expect(m).toContain("#### Access tests whose decision changes");
    expect(m).toContain(escapeMarkdown(p.checksum));
    // Each moved rule is shown inside its policy's reorder.
    expect(m).toMatch(/<code>cedar\/policies\/production-access\/rules\/\d<\/code>: moved from \d/);
    // Names, permissions and Cedar stay readable and searchable in the raw Markdown.
    expect(m).toContain("<code>billing:read</code>");
    expect(m).toContain(PERMIT_SRE);
    expect(m).toContain("organization/roles/Edit role");
    await expect(m).toMatchFileSnapshot("./__snapshots__/render-every-kind.md.txt");
  });
});

describe("drift marks", () => {
  // Base: what the base branch declared. Live drifted on "Drifted" (description edited); the files change "Edited".
  const l = live({
    organization: lScope({
      policies: [lPolicy("p1", "Drifted", ["user:read"], "edited in the console"), lPolicy("p2", "Edited", ["user:read"], "same"), lPolicy("p3", "Both", ["user:read"], "console")],
    }),
  });
  const base = desired({ organization: dScope({ policies: [dPolicy("Drifted", ["user:read"], { description: "as in git" }), dPolicy("Edited", ["user:read"], { description: "same" }), dPolicy("Both", ["user:read"], { description: "git" })] }) });
  const head = desired({ organization: dScope({ policies: [dPolicy("Drifted", ["user:read"], { description: "as in git" }), dPolicy("Edited", ["user:read"], { description: "changed in this PR" }), dPolicy("Both", ["user:read"], { description: "PR" })] }) });
  const p = makePlan(head, l, base);

  it("marks drift / files / both", () => {
    expect(p.drift).toEqual({
      "update:organization/policies/Drifted": "drift",
      "update:organization/policies/Edited": "files",
      "update:organization/policies/Both": "both",
    });
  });

  it("text", async () => {
    const t = text(p);
    expect(t).toContain("~ organization/policies/Drifted [drift: changed outside Git; this apply reverts it]");
    expect(t).toMatch(/~ organization\/policies\/Edited\n/);
    await expect(t).toMatchFileSnapshot("./__snapshots__/render-drift.txt");
  });

  it("markdown: a Drift section naming the drifted changes only", async () => {
    const m = md(p);
    expectNoRawHostile(m);
    const section = m.slice(m.indexOf("#### Drift"));
    expect(section).toContain(escapeMarkdown("~ organization/policies/Drifted"));
    expect(section).toContain(escapeMarkdown("~ organization/policies/Both"));
    expect(section.split("<sub>")[0]).not.toContain(escapeMarkdown("organization/policies/Edited"));
    await expect(m).toMatchFileSnapshot("./__snapshots__/render-drift.md.txt");
  });
});

describe("guards", () => {
  const p = guarded();

  it("the plan carries every guard kind", () => {
    expect(p.guards.map((g) => g.kind).sort()).toEqual(["assigned-role", "assigned-role", "attached-policy", "protected", "threshold-delete"]);
    const lead = p.guards.find((g) => g.address === "projects/Support Bot/roles/Support Lead")!;
    expect(lead.members).toEqual({ count: 7, emails: ["zq-m1@corp.test", "zq-m2@corp.test", "zq-m3@corp.test", "zq-m4@corp.test", "zq-m5@corp.test"] });
  });

  it("text: prominent, with up to five emails and the rest counted", async () => {
    const t = text(p);
    expect(t).toContain("apply would refuse this plan (5 guards):");
    expect(t).toContain("members: zq-m1@corp.test, zq-m2@corp.test, zq-m3@corp.test, zq-m4@corp.test, zq-m5@corp.test, and 2 more");
    expect(t).not.toContain("zq-m6@corp.test");
    await expect(t).toMatchFileSnapshot("./__snapshots__/render-guards.txt");
  });

  it("text without showEmails: no email", () => {
    expect(text(p, false)).not.toContain("@corp.test");
  });

  it("markdown: counts, never an email", async () => {
    const m = md(p);
    expectNoRawHostile(m);
    expect(m).toContain("(7 members)");
    expect(m).toContain("(1 member)");
    expect(m).not.toMatch(/zq-(m\d|prot)/);
    expect(m).not.toContain("corp");
    expect(m.indexOf("apply would refuse this plan")).toBeLessThan(m.indexOf("<details>"));
    await expect(m).toMatchFileSnapshot("./__snapshots__/render-guards.md.txt");
  });
});

describe("hostile strings in names, descriptions, notices, rule text, test names, title and fullPlanAt", () => {
  const p = hostile();

  it("the plan really carries them", () => {
    const json = JSON.stringify(p);
    for (const s of [H.details, H.img, H.everyone, H.fence, H.comment]) expect(json).toContain(JSON.stringify(s).slice(1, -1));
    expect(p.guards.some((g) => g.kind === "assigned-role")).toBe(true);
    expect(p.guards.some((g) => g.kind === "protected")).toBe(true);
    expect(p.impact.tests.length).toBe(1);
    expect(p.impact.roles.length).toBeGreaterThan(0);
    expect(p.drift).toBeDefined();
  });

  const title = `${H.details}${H.img}${H.everyone}${H.fence}`;

  it("markdown snapshot", async () => {
    await expect(md(p, { title, limit: MARKDOWN_LIMIT })).toMatchFileSnapshot("./__snapshots__/render-hostile.md.txt");
  });

  it("markdown: nothing raw, no email, every tag closed, tables intact", () => {
    const m = md(p, { title, limit: MARKDOWN_LIMIT });
    expect(m).not.toContain("victim");
    expect(m).not.toContain("holder");
    expect(m).not.toContain("corp.test");
    expectNoRawHostile(m);
  });

  it("markdown: a Cedar rule text diff whose text holds blank lines cannot break out of its <pre>", () => {
    const m = md(p, { title, limit: MARKDOWN_LIMIT });
    // The multi-line rule's comment line must not be read as Markdown (a live link, a heading, emphasis).
    expectNoBlankLineInsideInlinePre(m);
  });

  it("markdown cut with a hostile fullPlanAt: still nothing raw", () => {
    const m = md(p, { limit: 1_500, fullPlanAt: `${H.img} ${H.everyone} ${H.details} ${H.fence}` });
    expect(m.length).toBeLessThanOrEqual(1_500);
    expectNoRawHostile(m);
  });

  it("text: shown as written", async () => {
    const t = text(p);
    expect(t).toContain(H.img);
    await expect(t).toMatchFileSnapshot("./__snapshots__/render-hostile.txt");
  });

  it("escapeMarkdown leaves none of the dangerous characters", () => {
    const e = escapeMarkdown(HOSTILE);
    expect(e).not.toMatch(/[<>@`|\n]/);
  });

  it("escapeMarkdown is minimal: names, permissions and Cedar stay as written; links, emphasis and bare URLs do not open", () => {
    const readable = 'billing:read cedar/policies/team-a/rules/2 User::"alice" context.duration_seconds <= 3600 (a + b = c) !done';
    expect(escapeMarkdown(readable)).toBe('billing:read cedar/policies/team-a/rules/2 User::"alice" context.duration_seconds &lt;= 3600 (a + b = c) !done');
    expect(escapeMarkdown("[link](https://evil.example) ![img](x) www.evil.example _it_ *b* ~s~ $m$ #12 \\ - list")).toBe(
      "&#91;link](https&#58;//evil.example) !&#91;img](x) www&#46;evil.example &#95;it&#95; &#42;b&#42; &#126;s&#126; &#36;m&#36; &#35;12 &#92; - list",
    );
    expect(escapeMarkdown("- starts a list")).toBe("&#45; starts a list");
    expect(escapeMarkdown("= heading")).toBe("&#61; heading");
  });
});

describe("the decision review", () => {
  const SCHEMA = "entity Group;\nentity User in [Group];\nentity Doc { owner: User };\naction view, edit appliesTo { principal: [User], resource: [Doc] };\n";
  const DOC_ENTITIES = [
    { uid: { type: "User", id: "alice" }, attrs: {}, parents: [{ type: "Group", id: "admins" }] },
    { uid: { type: "User", id: "bob" }, attrs: {}, parents: [] },
    { uid: { type: "Group", id: "admins" }, attrs: {}, parents: [] },
    { uid: { type: "Doc", id: "d1" }, attrs: { owner: { __entity: { type: "User", id: "alice" } } }, parents: [] },
  ];
  const ADMINS = 'permit(principal in Group::"admins", action == Action::"view", resource);';
  const EVERYONE = '@id("everyone-views")\npermit(principal, action == Action::"view", resource);';
  const OWNERS = 'permit(principal, action == Action::"edit", resource) when { principal == resource.owner };';
  const docs = (rules: string[], maxRequests?: number): DesiredState => {
    const d = desired({ cedar: [dCedarPolicy("docs", rules, { at: loc("cedar/docs.yaml", 1, 1) })] });
    d.cedar!.schema = { path: "cedar/schema.cedarschema", text: SCHEMA, loc: loc("cedar/docs.yaml") };
    d.cedar!.tests = { cases: [], entities: { path: "cedar/entities.json", value: DOC_ENTITIES, loc: loc("cedar/docs.yaml") } };
    if (maxRequests !== undefined) d.cedar!.review = { maxRequests, loc: loc("cedar/docs.yaml") };
    return d;
  };
  // Live lets everyone view (an edit outside Git); Git's base says admins; the head says admins and owners edit.
  const l = live({ cedar: [lCedarPolicy("c-docs", "docs", [lRule("r1", 1, EVERYONE)])] });
  const p = makePlan(docs([ADMINS, OWNERS]), l, docs([ADMINS]));

  it("text: the universe, each group with its counts, examples with the deciding rules, drift marked", async () => {
    const t = text(p);
    expect(t).toContain("Decision review (a declared universe of 12 requests;");
    expect(t).toMatch(/ {2}narrower User · Action::"view" · Doc: 4 newly denied of 6 requests evaluated \(4 drift\)/);
    expect(t).toMatch(/ {2}wider {4}User · Action::"edit" · Doc: 1 newly allowed of 6 requests evaluated \(3 with other erroring rules\)/);
    expect(t).toContain("[drift: live differs from Git; this apply reverts it]");
    expect(t).toMatch(/now permitted by cedar\/policies\/docs\/rules\/2 at cedar\/docs\.yaml:\d+; before, no rule matches \(denied by default\)/);
    await expect(t).toMatchFileSnapshot("./__snapshots__/render-decisions.txt");
  });

  it("markdown: a table of groups, one <details> per group, nothing raw", async () => {
    const m = md(p);
    expectNoRawHostile(m);
    expect(m).toContain("#### Decision review");
    expect(m).toContain('| narrower | <code>User</code> | <code>Action::"view"</code> | <code>Doc</code> | 0 | 4 | 6 | 4 |');
    expect(m).toContain("drift (live differs from Git; merging reverts it)");
    await expect(m).toMatchFileSnapshot("./__snapshots__/render-decisions.md.txt");
  });

  it("no decision change: says so with the universe's size, in text and Markdown", () => {
    const refactor = makePlan(docs(['permit(principal, action in [Action::"view"], resource);']), l);
    expect(refactor.changes.length).toBeGreaterThan(0);
    expect(text(refactor)).toContain("No decision changes on 12 requests");
    expect(md(refactor)).toContain("No decision changes on 12 requests");
  });

  it("above the cap: not computed, said with the universe's size, the warning in Markdown", () => {
    const capped = makePlan(docs([ADMINS, OWNERS], 2), l);
    expect(text(capped)).toContain("Decision review not computed: the changed rules can match more requests than cedar.review.maxRequests allows (a declared universe of 12 requests).");
    const m = md(capped);
    expect(m).toMatch(/- ⚠️ decision review not computed: the changed rules can match more than 2 requests of the universe of 12/);
    expectNoRawHostile(m);
  });

  it("a long review is cut within its share of the comment, counting the groups left out", () => {
    const m = md(p, { limit: 4_000 });
    expect(m.length).toBeLessThanOrEqual(4_000);
    expectWellFormedHtml(m);
    expectTablesIntact(m);
    // A quarter of 4,000 characters holds the table but not every group's examples.
    const section = m.slice(m.indexOf("#### Decision review"));
    expect(section.length).toBeLessThan(1_100);
    expect(section).toContain("| narrower |");
    expect(section).toMatch(/examples of \d more groups? are in the full plan/);
  });
});

describe("a plan of 3,000 changes, cut at 60,000 characters", () => {
  const N = 3_000;
  const names = Array.from({ length: N }, (_, i) => `Policy ${String(i).padStart(4, "0")}`);
  const d = desired({ organization: dScope({ policies: names.map((n) => dPolicy(n, ["user:read", "billing:read"], { description: `description of ${n}` })) }) });
  const l = live({ organization: lScope() });
  const p = makePlan(d, l);
  const WHERE = "the job summary of run 42";

  it("default limit: at most 60,000 characters, cut with a note saying where the full plan is", () => {
    expect(p.changes).toHaveLength(N);
    const m = md(p, { fullPlanAt: WHERE });
    expect(m.length).toBeLessThanOrEqual(60_000);
    expect(m.length).toBeGreaterThan(50_000); // the budget is used, not wasted
    expectWellFormedHtml(m);
    const shown = m.split("<details>").length - 1;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(N);
    expect(m).toContain(`${N - shown} more changes not shown`);
    expect(m).toContain("60,000 characters");
    expect(m).toContain(escapeMarkdown(WHERE));
    // The summary still counts all of them, and the checksum closes the comment.
    expect(m).toContain(`| ${N} | 0 | 0 | 0 | 0 |`);
    expect(m.trimEnd().endsWith("</sub>")).toBe(true);
  });

  it("without fullPlanAt the note still says where to look", () => {
    const m = md(p);
    expect(m).toMatch(/The full plan is in .+accessctl plan/);
  });

  for (const limit of [2_000, 5_000, 10_000, 33_333, 60_000]) {
    it(`limit ${limit} is respected exactly, tags balanced, note present`, () => {
      const m = md(p, { limit, fullPlanAt: WHERE });
      expect(m.length).toBeLessThanOrEqual(limit);
      expectWellFormedHtml(m);
      expect(m).toContain(escapeMarkdown(WHERE));
      expect(m).toContain(`${limit.toLocaleString("en-US")} characters`);
    });
  }

  it("a plan of 3,000 role changes with impact and guards for each: still within 60,000, with the note, tags closed", () => {
    // 3,000 assigned roles deleted: 3,000 guards and 3,000 impact rows, beside the 3,000 changes.
    const roles = Array.from({ length: N }, (_, i) => lRole(`role-${i}`, `Role ${String(i).padStart(4, "0")}`, ["pol-1"]));
    const big = live({
      organization: lScope({ policies: [lPolicy("pol-1", "Shared", ["user:read"])], roles, members: roles.flatMap((r, i) => lMembers(r.id, [`m${i}@corp.test`])) }),
    });
    const bp = makePlan(desired({ organization: dScope({ policies: [dPolicy("Shared", ["user:read"])], roles: [] }) }), big);
    expect(bp.changes).toHaveLength(N);
    expect(bp.guards.filter((g) => g.kind === "assigned-role")).toHaveLength(N);
    expect(bp.impact.roles).toHaveLength(N);
    const m = md(bp, { fullPlanAt: WHERE });
    expect(m.length).toBeLessThanOrEqual(60_000);
    expectWellFormedHtml(m);
    expect(m).not.toContain("corp.test");
    // The note and the checksum survive the cut, and some changes are shown.
    expect(m).toContain(escapeMarkdown(WHERE));
    expect(m).toContain(escapeMarkdown(bp.checksum));
    expect(m).toContain("<details>");
    // No HTML entity cut in half at the end.
    expect(m).not.toMatch(/&#?[a-z0-9]*$/i);
  });
});
