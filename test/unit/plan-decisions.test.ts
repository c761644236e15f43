/**
 * The decision review in the plan (docs/plan-and-apply.md#decision-review): `composePlan` over builder-made desired
 * and live states, the expected flips computed here by deciding each request with the access tests' evaluator
 * (src/cedar/evaluate.ts), once with the live rules and once with the desired ones.
 */
import { describe, expect, it } from "vitest";
import { createEvaluator, type EvalPolicy } from "../../src/cedar/evaluate.js";
import type { DesiredState } from "../../src/desired/types.js";
import { composePlan } from "../../src/flow/compose-plan.js";
import type { LiveCedarPolicy } from "../../src/live/types.js";
import { planChecksum } from "../../src/plan/checksum.js";
import type { Plan } from "../../src/plan/model.js";
import { compilePattern } from "../../src/address/address.js";
import { dCedarPolicy, desired, dPolicy, dScope, lCedarPolicy, live, loc, lPolicy, lRule, lScope } from "../helpers/builders.js";

const SCHEMA = `
entity Group;
entity User in [Group];
entity Doc { owner: User };
action view, edit appliesTo { principal: [User], resource: [Doc] };
`;
const ENTITIES = [
  { uid: { type: "User", id: "alice" }, attrs: {}, parents: [{ type: "Group", id: "admins" }] },
  { uid: { type: "User", id: "bob" }, attrs: {}, parents: [] },
  { uid: { type: "Group", id: "admins" }, attrs: {}, parents: [] },
  { uid: { type: "Doc", id: "d1" }, attrs: { owner: { __entity: { type: "User", id: "alice" } } }, parents: [] },
];
const ADMINS_VIEW = 'permit(principal in Group::"admins", action == Action::"view", resource);';
const OWNER_EDITS = 'forbid(principal, action == Action::"edit", resource) unless { principal == resource.owner };';
const ANYONE_EDITS = 'permit(principal, action == Action::"edit", resource);';
const VIEW_ALL = '@id("view-all")\npermit(principal, action == Action::"view", resource);';
/** Users: alice, bob, fresh; docs: d1, fresh; actions view and edit; context {} → 3 × 2 × 2 = 12 requests. */
const UNIVERSE = 12;
const TARGETS: Plan["targets"] = { local: true };

function withCedar(d: DesiredState): DesiredState {
  d.cedar!.schema = { path: "cedar/schema.cedarschema", text: SCHEMA, loc: loc("cedar/access.yaml", 2) };
  d.cedar!.tests = { cases: [], entities: { path: "cedar/entities.json", value: ENTITIES, loc: loc("cedar/access.yaml", 3) } };
  return d;
}

function liveDocs(rules = [ADMINS_VIEW, OWNER_EDITS, ANYONE_EDITS], opts: Partial<LiveCedarPolicy> = {}): LiveCedarPolicy {
  return lCedarPolicy("c-docs", "docs", rules.map((t, i) => lRule(`r${i + 1}`, i + 1, t)), opts);
}

/** Every request of the fixture's universe decided with both sets of policies: the flips, by hand. */
function flips(before: EvalPolicy[], after: EvalPolicy[]): string[] {
  const [b, a] = [before, after].map((policies) => createEvaluator({ policies, entities: ENTITIES, schema: SCHEMA }));
  const out: string[] = [];
  for (const action of ["edit", "view"]) {
    for (const principal of ["__fresh__", "alice", "bob"]) {
      for (const resource of ["__fresh__", "d1"]) {
        const request = { principal: `User::"${principal}"`, action: `Action::"${action}"`, resource: `Doc::"${resource}"`, context: {} };
        const x = b!.evaluate(request).decision;
        const y = a!.evaluate(request).decision;
        if (x !== y) out.push(`${request.principal} ${request.action} ${request.resource}: ${x} → ${y}`);
      }
    }
  }
  return out;
}

const evalPolicy = (name: string, rules: string[], priority = 0, enabled = true): EvalPolicy => ({
  key: name,
  enabled,
  priority,
  rules: rules.map((text, i) => ({ key: `${name}/${i}`, text })),
});

const listed = (p: Plan): string[] =>
  (p.decisions?.groups ?? []).flatMap((g) => (g.counts.wider + g.counts.narrower > g.examples.length ? ["more examples than shown"] : g.examples.map((e) => `${e.principal} ${e.action} ${e.resource}: ${e.before} → ${e.after}`)));

describe("the decision review of a plan", () => {
  it("widening a permit: one wider group, examples naming the deciding rule by address, @id and file:line", () => {
    const d = withCedar(desired({ cedar: [dCedarPolicy("docs", [VIEW_ALL, OWNER_EDITS, ANYONE_EDITS])] }));
    const p = composePlan(d, live({ cedar: [liveDocs()] }), { targets: TARGETS });
    expect(p.decisions?.universe).toEqual({ requests: UNIVERSE, evaluated: expect.any(Number), schema: true, capped: false });
    expect(p.decisions!.universe.evaluated).toBeLessThanOrEqual(UNIVERSE);
    expect(p.decisions!.groups.map((g) => [g.principalType, g.action, g.resourceType, g.change, g.counts.wider, g.counts.narrower])).toEqual([
      ["User", 'Action::"view"', "Doc", "wider", 4, 0],
    ]);
    const expected = flips([evalPolicy("docs", [ADMINS_VIEW, OWNER_EDITS, ANYONE_EDITS])], [evalPolicy("docs", [VIEW_ALL, OWNER_EDITS, ANYONE_EDITS])]);
    expect(listed(p).sort()).toEqual(expected.sort());
    const rule = d.cedar!.policies![0]!.rules[0]!;
    for (const e of p.decisions!.groups[0]!.examples) {
      expect(e.decidingAfter).toEqual([{ address: "cedar/policies/docs/rules/1", id: "view-all", file: rule.loc.file, line: rule.loc.line }]);
      expect(e.decidingBefore).toEqual([]);
    }
    // Decisions never change the checksum: it is the changes' alone.
    expect(p.checksum).toBe(planChecksum(p.changes));
    const capped = composePlan({ ...d, cedar: { ...d.cedar!, review: { maxRequests: 1, loc: loc("cedar/access.yaml", 4) } } }, live({ cedar: [liveDocs()] }), { targets: TARGETS });
    expect(capped.decisions?.groups).toEqual([]);
    expect(capped.checksum).toBe(p.checksum);
    const without = composePlan(d, live({ cedar: [liveDocs()] }), { targets: TARGETS, decisions: false });
    expect(without.decisions).toBeUndefined();
    expect(without.checksum).toBe(p.checksum);
    expect({ ...p, decisions: undefined }).toEqual({ ...without, decisions: undefined });
  });

  it("a live rule the files keep is named as the desired rule it is (its @id and place), a deleted one by its live address", () => {
    // Live rule 1 is kept (the files add an @id), rule 3 (anyone edits) is deleted, and a new policy shuts alice out.
    const kept = `@id("admins-view")\n${ADMINS_VIEW}`;
    const d = withCedar(desired({ cedar: [dCedarPolicy("docs", [kept, OWNER_EDITS]), dCedarPolicy("alice-out", ['forbid(principal == User::"alice", action == Action::"view", resource);'], { at: loc("cedar/alice.yaml", 4) })] }));
    const p = composePlan(d, live({ cedar: [liveDocs()] }), { targets: TARGETS });
    const at = (action: string) => p.decisions!.groups.find((g) => g.action === `Action::"${action}"`)!.examples.find((x) => x.resource === 'Doc::"d1"' && x.principal === 'User::"alice"')!;
    const keptRule = d.cedar!.policies![0]!.rules[0]!;
    const outRule = d.cedar!.policies![1]!.rules[0]!;
    expect(at("view")).toMatchObject({
      before: "allow",
      after: "deny",
      decidingBefore: [{ address: "cedar/policies/docs/rules/1", id: "admins-view", file: "cedar/access.yaml", line: keptRule.loc.line }],
      decidingAfter: [{ address: "cedar/policies/alice-out/rules/1", file: "cedar/alice.yaml", line: outRule.loc.line }],
    });
    expect(at("edit")).toMatchObject({ before: "allow", after: "deny", decidingBefore: [{ address: "cedar/policies/docs/rules/3" }], decidingAfter: [] });
  });

  it("a pure refactor (one rule split in two) changes no decision, on the whole universe", () => {
    const both = 'permit(principal, action in [Action::"view", Action::"edit"], resource);';
    const d = withCedar(desired({ cedar: [dCedarPolicy("docs", ['permit(principal, action == Action::"view", resource);', 'permit(principal, action == Action::"edit", resource);'])] }));
    const p = composePlan(d, live({ cedar: [liveDocs([both])] }), { targets: TARGETS });
    expect(p.changes.length).toBeGreaterThan(0);
    expect(p.decisions).toEqual({ universe: { requests: UNIVERSE, evaluated: expect.any(Number), schema: true, capped: false }, groups: [] });
    expect(p.decisions!.universe.evaluated).toBeGreaterThan(0);
  });

  it("a priority change lets another policy's group decide: global, not per policy", () => {
    const guard = lCedarPolicy("c-guard", "guard", [lRule("g1", 1, 'forbid(principal == User::"bob", action, resource);')], { priority: 0 });
    const grants = lCedarPolicy("c-grants", "grants", [lRule("k1", 1, "permit(principal, action, resource);")], { priority: 5 });
    const d = withCedar(desired({ cedar: [dCedarPolicy("guard", ['forbid(principal == User::"bob", action, resource);'], { priority: 10 }), dCedarPolicy("grants", ["permit(principal, action, resource);"], { priority: 5 })] }));
    const p = composePlan(d, live({ cedar: [guard, grants] }), { targets: TARGETS });
    expect(p.changes.map((c) => c.id)).toEqual(["update:cedar/policies/guard"]);
    const expected = flips([evalPolicy("guard", ['forbid(principal == User::"bob", action, resource);'], 0), evalPolicy("grants", ["permit(principal, action, resource);"], 5)], [
      evalPolicy("guard", ['forbid(principal == User::"bob", action, resource);'], 10),
      evalPolicy("grants", ["permit(principal, action, resource);"], 5),
    ]);
    expect(expected).toHaveLength(4);
    expect(listed(p).sort()).toEqual(expected.sort());
    expect(p.decisions!.groups.every((g) => g.change === "narrower")).toBe(true);
  });

  it("live policies the files do not manage take part on both sides", () => {
    // An unmanaged policy of a higher priority forbids bob everything: widening for bob changes nothing.
    const other = lCedarPolicy("c-other", "other", [lRule("o1", 1, 'forbid(principal == User::"bob", action, resource);')], { priority: 9 });
    const d = withCedar(desired({ cedar: [dCedarPolicy("docs", [VIEW_ALL, OWNER_EDITS, ANYONE_EDITS])], settings: { owns: ["cedar/policies/docs"] } }));
    const p = composePlan(d, live({ cedar: [liveDocs(), other] }), { targets: TARGETS });
    expect(listed(p).sort()).toEqual(['User::"__fresh__" Action::"view" Doc::"__fresh__": deny → allow', 'User::"__fresh__" Action::"view" Doc::"d1": deny → allow']);
  });

  it("--only: only the selected changes are on the after side", () => {
    const l = live({ cedar: [liveDocs(), lCedarPolicy("c-b", "b", [lRule("b1", 1, 'permit(principal == User::"bob", action == Action::"edit", resource);')])] });
    const d = withCedar(desired({ cedar: [dCedarPolicy("docs", [VIEW_ALL, OWNER_EDITS, ANYONE_EDITS]), dCedarPolicy("b", [])] }));
    const all = composePlan(d, l, { targets: TARGETS });
    expect(all.decisions!.groups.map((g) => g.action)).toEqual(['Action::"view"']);
    const onlyB = composePlan(d, l, { targets: TARGETS, only: [compilePattern("cedar/policies/b")], onlySources: ["cedar/policies/b"] });
    expect(onlyB.changes.map((c) => c.id)).toEqual(["delete:cedar/policies/b/rules/1@b1"]);
    // Deleting bob's edit permit changes nothing (rule 3 lets anyone edit); the view widening is left out.
    expect(onlyB.decisions!.groups).toEqual([]);
    const onlyDocs = composePlan(d, l, { targets: TARGETS, only: [compilePattern("cedar/policies/docs")], onlySources: ["cedar/policies/docs"] });
    expect(onlyDocs.decisions!.groups).toEqual(all.decisions!.groups);
    expect(onlyB.decisions!.universe.evaluated).toBeLessThan(all.decisions!.universe.evaluated);
  });

  it("--base: a change that reverts an edit made outside Git is marked drift", () => {
    // Git (base and head) says admins view; someone widened it in the console. Head also lets anyone edit.
    const gitRules = [ADMINS_VIEW, OWNER_EDITS];
    const base = withCedar(desired({ cedar: [dCedarPolicy("docs", gitRules)] }));
    const head = withCedar(desired({ cedar: [dCedarPolicy("docs", [...gitRules, ANYONE_EDITS])] }));
    const l = live({ cedar: [liveDocs(['permit(principal, action == Action::"view", resource);', OWNER_EDITS])] });
    const p = composePlan(head, l, { targets: TARGETS, base });
    const view = p.decisions!.groups.find((g) => g.action === 'Action::"view"')!;
    const edit = p.decisions!.groups.find((g) => g.action === 'Action::"edit"');
    expect(view.change).toBe("narrower");
    expect(view.counts.drift).toBe(view.counts.narrower);
    expect(view.examples.every((e) => e.drift === true)).toBe(true);
    // The head's own edit permit comes from the files: wider, and not drift.
    expect(edit).toMatchObject({ change: "wider", counts: { drift: 0 } });
    expect(edit!.examples.every((e) => e.drift === false)).toBe(true);
    const without = composePlan(head, l, { targets: TARGETS });
    expect(without.decisions!.groups[0]!.counts.drift).toBeUndefined();
    expect(without.checksum).toBe(p.checksum);
  });

  it("the cap: above cedar.review.maxRequests nothing is evaluated, and a note says so with the size", () => {
    const d = withCedar(desired({ cedar: [dCedarPolicy("docs", [VIEW_ALL, OWNER_EDITS, ANYONE_EDITS])] }));
    d.cedar!.review = { maxRequests: 3, loc: loc("cedar/access.yaml", 5) };
    const p = composePlan(d, live({ cedar: [liveDocs()] }), { targets: TARGETS });
    expect(p.decisions).toEqual({ universe: { requests: UNIVERSE, evaluated: 0, schema: true, capped: true }, groups: [] });
    expect(p.decisionNotes?.join("\n")).toMatch(/not computed.*more than 3 requests of the universe of 12.*cedar\.review\.maxRequests/);
  });

  it("a plan without Cedar changes has no decision review", () => {
    const d = desired({ organization: dScope({ policies: [dPolicy("Read", ["user:read", "billing:read"])] }), cedar: [dCedarPolicy("docs", [ADMINS_VIEW, OWNER_EDITS, ANYONE_EDITS])] });
    const p = composePlan(d, live({ organization: lScope({ policies: [lPolicy("p1", "Read", ["user:read"])] }), cedar: [liveDocs()] }), { targets: TARGETS });
    expect(p.changes).toHaveLength(1);
    expect(p.decisions).toBeUndefined();
  });

  it("a policy created without priority or enabled takes the API defaults (0, enabled)", () => {
    const d = withCedar(desired({ cedar: [dCedarPolicy("docs", [ADMINS_VIEW, OWNER_EDITS, ANYONE_EDITS]), dCedarPolicy("bob-views", ['permit(principal == User::"bob", action == Action::"view", resource);'])] }));
    const p = composePlan(d, live({ cedar: [liveDocs()] }), { targets: TARGETS });
    expect(listed(p).sort()).toEqual(['User::"bob" Action::"view" Doc::"__fresh__": deny → allow', 'User::"bob" Action::"view" Doc::"d1": deny → allow']);
    expect(p.decisions!.groups[0]!.examples[0]!.decidingAfter[0]!.address).toBe("cedar/policies/bob-views/rules/1");
  });
});
