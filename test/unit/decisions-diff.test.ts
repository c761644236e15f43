/**
 * The decision diff against flips computed independently: every request of the universe (not only those the
 * review narrows to) is decided before and after by the access tests' evaluator (src/cedar/evaluate.ts, one
 * policy set with every rule), and the groups, counts and examples are rebuilt here with plain code.
 */
import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../src/cedar/evaluate.js";
import type { EvalPolicy, EvalResult } from "../../src/cedar/evaluate.js";
import { reviewDecisions } from "../../src/decisions/decision-diff.js";
import type { DecisionReviewInput } from "../../src/decisions/decision-diff.js";
import { literalOf } from "../../src/decisions/entity-keys.js";
import { everyRequest } from "../../src/decisions/request-space.js";
import type { RuleRef } from "../../src/decisions/rule-refs.js";
import { buildUniverse } from "../../src/decisions/universe.js";

const SCHEMA = `
entity Group;
entity User in [Group] { level: Long };
entity Public;
entity Doc { owner: User, private: Bool };
action view appliesTo { principal: [User, Public], resource: [Doc], context: { authenticated?: Bool } };
action edit appliesTo { principal: [User], resource: [Doc] };
`;

const user = (id: string, level: number, groups: string[] = []) => ({
  uid: { type: "User", id },
  attrs: { level },
  parents: groups.map((g) => ({ type: "Group", id: g })),
});
const doc = (id: string, owner: string, priv: boolean) => ({
  uid: { type: "Doc", id },
  attrs: { owner: { __entity: { type: "User", id: owner } }, private: priv },
  parents: [],
});
const ENTITIES = [
  user("alice", 5, ["admins"]),
  user("ann", 2, ["admins"]),
  user("bob", 1),
  { uid: { type: "Group", id: "admins" }, attrs: {}, parents: [] },
  doc("d1", "alice", false),
  doc("d2", "bob", true),
];
const TESTS = [{ principal: 'User::"bob"', action: 'Action::"view"', resource: 'Doc::"d1"', context: { authenticated: true } }];

function policy(name: string, priority: number, rules: string[], enabled = true): EvalPolicy {
  return { key: `cedar/policies/${name}`, enabled, priority, rules: rules.map((text, i) => ({ key: `cedar/policies/${name}/rules/${i + 1}`, text })) };
}

const VIEW = 'permit(principal, action == Action::"view", resource);';
const PRIVATE = "forbid(principal, action, resource) when { resource.private };";

interface Case {
  name: string;
  before: EvalPolicy[];
  after: EvalPolicy[];
  base?: EvalPolicy[];
  /** What the fixture must exercise, checked on the independent computation: group → change. */
  changes: Record<string, "wider" | "narrower" | "mixed">;
  /** Some request keeps its decision but not its erroring rules. */
  errorChanged?: boolean;
}

const CASES: Case[] = [
  {
    name: "widen a permit",
    before: [policy("p", 0, ['permit(principal in Group::"admins", action == Action::"view", resource);'])],
    after: [policy("p", 0, [VIEW])],
    changes: { 'Public Action::"view" Doc': "wider", 'User Action::"view" Doc': "wider" },
  },
  {
    name: "remove a forbid (it errored on attribute-less documents)",
    before: [policy("p", 0, [VIEW, PRIVATE])],
    after: [policy("p", 0, [VIEW])],
    changes: { 'Public Action::"view" Doc': "wider", 'User Action::"view" Doc': "wider" },
    errorChanged: true,
  },
  {
    name: "narrow a scope",
    before: [policy("p", 0, ['permit(principal, action in [Action::"view", Action::"edit"], resource);'])],
    after: [policy("p", 0, [VIEW])],
    changes: { 'User Action::"edit" Doc': "narrower" },
  },
  {
    name: "change a policy's priority so another group decides",
    before: [policy("grants", 5, [VIEW]), policy("guards", 0, [PRIVATE])],
    after: [policy("grants", 5, [VIEW]), policy("guards", 10, [PRIVATE])],
    changes: { 'Public Action::"view" Doc': "narrower", 'User Action::"view" Doc': "narrower" },
    errorChanged: true,
  },
  {
    name: "a mixed change shows both directions",
    before: [policy("p", 0, ['permit(principal in Group::"admins", action == Action::"edit", resource);'])],
    after: [policy("p", 0, ['permit(principal == User::"zed", action == Action::"edit", resource);'])],
    changes: { 'User Action::"edit" Doc': "mixed" },
  },
  {
    name: "disable a policy",
    before: [policy("grants", 0, [VIEW]), policy("guards", 0, [PRIVATE])],
    after: [policy("grants", 0, [VIEW]), policy("guards", 0, [PRIVATE], false)],
    changes: { 'Public Action::"view" Doc': "wider", 'User Action::"view" Doc': "wider" },
    errorChanged: true,
  },
  {
    name: "conditions on the context and the principal's attributes",
    before: [policy("p", 0, ['permit(principal, action == Action::"view", resource) when { context has authenticated && context.authenticated };'])],
    after: [policy("p", 0, ['permit(principal, action == Action::"view", resource) when { principal.level >= 2 };'])],
    changes: { 'User Action::"view" Doc': "mixed", 'Public Action::"view" Doc': "narrower" },
    errorChanged: true,
  },
  {
    name: "a pure refactor changes no decision",
    before: [policy("p", 0, ['permit(principal, action in [Action::"view"], resource) when { resource.private == false };'])],
    after: [policy("p", 0, ['permit(principal, action == Action::"view", resource) when { !resource.private };'])],
    changes: {},
  },
];

const REFS = new Map<string, RuleRef>([["cedar/policies/p/rules/1", { address: "cedar/policies/p/rules/1", id: "first", file: "cedar/p.cedar", line: 3 }]]);

interface Flip {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, unknown>;
  contextIndex: number;
  before: string;
  after: string;
  decidingBefore: string[];
  decidingAfter: string[];
}

/** The groups as SPEC section 10 defines them, from every request of the universe, decided by createEvaluator. */
function independent(c: Case) {
  const universe = buildUniverse({
    schema: SCHEMA,
    entities: ENTITIES,
    rules: [...c.before, ...c.after].flatMap((p) => p.rules.map((r) => r.text)),
    tests: TESTS,
  });
  const evaluators = [c.before, c.after].map((policies) => createEvaluator({ policies, entities: ENTITIES, schema: SCHEMA }));
  const groups = new Map<string, { wider: number; narrower: number; errorChanged: number; flips: Flip[] }>();
  const errorKeys = (r: EvalResult) => r.errors.map((e) => e.key).sort().join(",");
  for (const r of everyRequest(universe).requests) {
    const action = universe.actions[r.action];
    if (!action) throw new Error("no action");
    const context = action.contexts[r.context] ?? {};
    const request = { principal: literalOf(r.principal), action: action.literal, resource: literalOf(r.resource), context };
    const [b, a] = evaluators.map((e) => e.evaluate(request)) as [EvalResult, EvalResult];
    expect(b.requestError ?? a.requestError).toBeUndefined();
    const key = `${r.principal.type} ${action.literal} ${r.resource.type}`;
    const g = groups.get(key) ?? { wider: 0, narrower: 0, errorChanged: 0, flips: [] };
    groups.set(key, g);
    if (b.decision !== a.decision) {
      g[a.decision === "allow" ? "wider" : "narrower"]++;
      g.flips.push({ ...request, contextIndex: r.context, before: b.decision, after: a.decision, decidingBefore: b.deciding, decidingAfter: a.deciding });
    } else if (errorKeys(b) !== errorKeys(a)) {
      g.errorChanged++;
    }
  }
  return { universe, groups };
}

describe("the decision diff agrees with every request decided independently", () => {
  it.each(CASES)("$name", (c) => {
    const { universe, groups } = independent(c);
    // The fixture exercises what its name says.
    const changes = Object.fromEntries(
      [...groups].filter(([, g]) => g.wider + g.narrower > 0).map(([k, g]) => [k, g.wider && g.narrower ? "mixed" : g.wider ? "wider" : "narrower"]),
    );
    expect(changes).toEqual(c.changes);
    expect([...groups.values()].some((g) => g.errorChanged > 0)).toBe(c.errorChanged ?? false);

    const input: DecisionReviewInput = { before: c.before, after: c.after, schema: SCHEMA, entities: ENTITIES, tests: TESTS, refs: REFS };
    const review = reviewDecisions(input);
    const { decisions } = review;
    expect(decisions.universe).toMatchObject({ requests: universe.size, schema: true, capped: false });
    expect(decisions.universe.evaluated).toBeGreaterThan(0);
    expect(decisions.universe.evaluated).toBeLessThanOrEqual(universe.size);

    const listed = [...groups].filter(([, g]) => g.wider + g.narrower > 0).sort(([a], [b]) => (a < b ? -1 : 1));
    expect(decisions.groups.map((g) => `${g.principalType} ${g.action} ${g.resourceType}`)).toEqual(listed.map(([k]) => k));
    decisions.groups.forEach((group, i) => {
      const expected = listed[i]?.[1];
      if (!expected) throw new Error("missing group");
      expect(group.change).toBe(changes[`${group.principalType} ${group.action} ${group.resourceType}`]);
      expect(group.counts).toMatchObject({ wider: expected.wider, narrower: expected.narrower, errorChanged: expected.errorChanged });
      expect(group.counts.evaluated).toBeGreaterThanOrEqual(expected.wider + expected.narrower);

      const sorted = [...expected.flips].sort(
        (x, y) => (x.principal < y.principal ? -1 : x.principal > y.principal ? 1 : 0) || (x.resource < y.resource ? -1 : x.resource > y.resource ? 1 : 0) || x.contextIndex - y.contextIndex,
      );
      let picked = sorted.slice(0, 5);
      if (group.change === "mixed") {
        for (const dir of ["allow", "deny"]) {
          if (!picked.some((f) => f.after === dir)) picked = [...picked.slice(0, 4), sorted.find((f) => f.after === dir) as Flip];
        }
        expect(new Set(group.examples.map((e) => e.after))).toEqual(new Set(["allow", "deny"]));
        picked.sort((x, y) => sorted.indexOf(x) - sorted.indexOf(y));
      }
      expect(group.examples.length).toBe(Math.min(5, expected.flips.length));
      expect(
        group.examples.map((e) => ({
          principal: e.principal,
          action: e.action,
          resource: e.resource,
          context: e.context,
          before: e.before,
          after: e.after,
          decidingBefore: e.decidingBefore.map((r) => r.address),
          decidingAfter: e.decidingAfter.map((r) => r.address),
        })),
      ).toEqual(picked.map(({ contextIndex: _, ...f }) => f));
    });

    // Narrowing by the engine's request environments, or not at all, never changes the answer.
    for (const envs of ["always", "never"] as const) expect(reviewDecisions({ ...input, envs }).decisions).toEqual(decisions);
    if (Object.keys(c.changes).length === 0) {
      expect(decisions.groups).toEqual([]);
      expect(review.errorChangedElsewhere).toBe(0);
    }
  });

  it("produces exactly the JSON shape of SPEC section 10", () => {
    const review = reviewDecisions({
      before: [policy("p", 0, [])],
      after: [policy("p", 0, ['permit(principal == User::"bob", action == Action::"edit", resource == Doc::"d1");'])],
      schema: SCHEMA,
      entities: ENTITIES,
      refs: REFS,
    });
    expect(JSON.parse(JSON.stringify(review.decisions))).toEqual({
      universe: { requests: review.stats.universe, evaluated: 1, schema: true, capped: false },
      groups: [
        {
          principalType: "User",
          action: 'Action::"edit"',
          resourceType: "Doc",
          change: "wider",
          counts: { wider: 1, narrower: 0, errorChanged: 0, evaluated: 1 },
          examples: [
            {
              principal: 'User::"bob"',
              action: 'Action::"edit"',
              resource: 'Doc::"d1"',
              context: {},
              before: "deny",
              after: "allow",
              decidingBefore: [],
              decidingAfter: [{ address: "cedar/policies/p/rules/1", id: "first", file: "cedar/p.cedar", line: 3 }],
            },
          ],
        },
      ],
    });
    expect(Object.keys(review.decisions.universe)).toEqual(["requests", "evaluated", "schema", "capped"]);
    const nothing = reviewDecisions({ before: [policy("p", 0, [VIEW])], after: [policy("p", 0, [VIEW])], schema: SCHEMA, entities: ENTITIES });
    expect(nothing.decisions).toEqual({ universe: { requests: nothing.stats.universe, evaluated: 0, schema: true, capped: false }, groups: [] });
  });

  it("names the deciding rules with their @id and place", () => {
    const review = reviewDecisions({
      before: [policy("p", 0, [])],
      after: [policy("p", 0, [VIEW])],
      schema: SCHEMA,
      entities: ENTITIES,
      refs: REFS,
    });
    const example = review.decisions.groups[0]?.examples[0];
    expect(example).toMatchObject({ before: "deny", after: "allow", decidingBefore: [], decidingAfter: [{ address: "cedar/policies/p/rules/1", id: "first", file: "cedar/p.cedar", line: 3 }] });
  });

  it("evaluates only the requests the changed rules can match, and no request twice", () => {
    const review = reviewDecisions({
      before: [policy("big", 0, [VIEW, 'permit(principal, action == Action::"edit", resource);'])],
      after: [policy("big", 0, [VIEW, 'permit(principal == User::"bob", action == Action::"edit", resource);'])],
      schema: SCHEMA,
      entities: ENTITIES,
    });
    // Only edit requests: users × documents, with the one context {}.
    const universe = buildUniverse({ schema: SCHEMA, entities: ENTITIES, rules: [VIEW, 'permit(principal == User::"bob", action == Action::"edit", resource);'] });
    const edit = universe.actions.find((a) => a.ref.id === "edit");
    expect(review.decisions.universe.evaluated).toBe((edit?.principals.length ?? 0) * (edit?.resources.length ?? 0));
    expect(review.stats.engineCalls).toBe(0);
    expect(review.decisions.groups).toMatchObject([{ action: 'Action::"edit"', change: "narrower" }]);
  });

  it("says capped, and computes nothing, above maxRequests", () => {
    const review = reviewDecisions({ before: [policy("p", 0, [])], after: [policy("p", 0, [VIEW])], schema: SCHEMA, entities: ENTITIES, maxRequests: 3 });
    expect(review.decisions).toEqual({ universe: { requests: review.stats.universe, evaluated: 0, schema: true, capped: true }, groups: [] });
    expect(review.notes.join("\n")).toMatch(/not computed: the changed rules can match more than 3 requests/);
  });

  it("marks drift: base and after agree, live differs", () => {
    const live = [policy("p", 0, [])];
    const head = [policy("p", 0, [VIEW])];
    const review = reviewDecisions({ before: live, after: head, base: head, schema: SCHEMA, entities: ENTITIES });
    const group = review.decisions.groups.find((g) => g.principalType === "User");
    expect(group?.counts.drift).toBe(group?.counts.wider);
    expect(group?.examples.every((e) => e.drift === true)).toBe(true);
    const fromFiles = reviewDecisions({ before: live, after: head, base: live, schema: SCHEMA, entities: ENTITIES });
    expect(fromFiles.decisions.groups[0]?.counts.drift).toBe(0);
  });

  it("works without a schema (every combination of the universe's entities)", () => {
    const before = [policy("p", 0, ['permit(principal in Group::"admins", action == Action::"view", resource);'])];
    const after = [policy("p", 0, [VIEW])];
    const review = reviewDecisions({ before, after, entities: ENTITIES, tests: TESTS });
    expect(review.decisions.universe.schema).toBe(false);
    const flips = review.decisions.groups.reduce((n, g) => n + g.counts.wider, 0);
    // Everyone not in admins gains view on everything: 2 actions' worth of entities minus admins members.
    const universe = buildUniverse({ entities: ENTITIES, rules: [...before, ...after].flatMap((p) => p.rules.map((r) => r.text)), tests: TESTS });
    const view = universe.actions.find((a) => a.ref.id === "view");
    const members = (view?.principals ?? []).filter((p) => p.id === "alice" || p.id === "ann" || (p.type === "Group" && p.id === "admins")).length;
    expect(flips).toBe(((view?.principals.length ?? 0) - members) * (view?.resources.length ?? 0) * (view?.contexts.length ?? 0));
  });
});
