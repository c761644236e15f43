/**
 * Hygiene (SPEC section 10): shadowed and redundant rules on small tenants whose answer is known by construction,
 * and the scope containment that makes a finding exact.
 */
import { describe, expect, it } from "vitest";
import type { EvalPolicy } from "../../src/cedar/evaluate.js";
import { everyRequest } from "../../src/decisions/request-space.js";
import { ruleScope } from "../../src/decisions/rule-scope.js";
import { buildUniverse } from "../../src/decisions/universe.js";
import { findHygiene } from "../../src/quality/hygiene.js";
import { ActionSets, scopeContains } from "../../src/quality/scope-containment.js";
import { createUniverseDecider } from "../../src/quality/universe-decider.js";

const SCHEMA = `
entity Group;
entity User in [Group] { level: Long };
entity Doc { owner: User };
action read;
action view in [read] appliesTo { principal: [User], resource: [Doc] };
action edit appliesTo { principal: [User], resource: [Doc] };
`;

const ENTITIES = [
  { uid: { type: "User", id: "a" }, attrs: { level: 1 }, parents: [{ type: "Group", id: "g" }] },
  { uid: { type: "User", id: "b" }, attrs: { level: 5 }, parents: [] },
  { uid: { type: "Doc", id: "d" }, attrs: { owner: { __entity: { type: "User", id: "a" } } }, parents: [] },
];

/** Policies from `[name, priority, texts]`; rule keys `name/n`. */
function tenant(...policies: [string, number, string[], boolean?][]): EvalPolicy[] {
  return policies.map(([key, priority, texts, enabled]) => ({ key, priority, enabled: enabled ?? true, rules: texts.map((text, i) => ({ key: `${key}/${i + 1}`, text })) }));
}

function hygiene(policies: EvalPolicy[], options: { decide?: boolean } = {}) {
  const texts = policies.flatMap((p) => p.rules.map((r) => r.text));
  const universe = buildUniverse({ schema: SCHEMA, entities: ENTITIES, rules: texts });
  if (options.decide === false) return findHygiene({ policies, universe });
  const decider = createUniverseDecider({ universe, sides: [policies], schema: SCHEMA, entities: ENTITIES });
  const found = decider.decide(universe, everyRequest(universe).requests);
  return findHygiene({ policies, universe, decided: { requests: found.requests, outcomes: found.outcomes.map((o) => o[0]!) } });
}

const brief = (fs: ReturnType<typeof findHygiene>) => fs.map((f) => ({ kind: f.kind, rule: f.rule, other: f.other, exact: f.exact }));

describe("shadowed rules", () => {
  it("a permit under an unconditional forbid of its group that holds its scope: exact, even without the universe", () => {
    const policies = tenant(["p", 0, ['permit(principal == User::"a", action == Action::"view", resource);', "forbid(principal is User, action, resource);"]]);
    const expected = [{ kind: "shadowed", rule: "p/1", other: "p/2", exact: true }];
    expect(brief(hygiene(policies))).toEqual(expected);
    expect(brief(hygiene(policies, { decide: false }))).toEqual(expected);
  });

  it("a forbid that holds the scope only on the schema's types: shadowed on the declared universe, not exactly", () => {
    // `resource` is any type by its form; only the schema's appliesTo makes every resource of view a Doc.
    const policies = tenant(["p", 0, ['permit(principal == User::"a", action == Action::"view", resource);', "forbid(principal, action, resource is Doc);"]]);
    expect(brief(hygiene(policies))).toEqual([{ kind: "shadowed", rule: "p/1", other: "p/2", exact: false }]);
    expect(hygiene(policies, { decide: false })).toEqual([]);
  });

  it("a forbid under a higher group's permit whose action group holds its action", () => {
    const policies = tenant(["low", 0, ['forbid(principal == User::"a", action == Action::"view", resource);']], ["high", 5, ['permit(principal, action in [Action::"read"], resource);']]);
    const [f] = hygiene(policies);
    expect(f).toMatchObject({ kind: "shadowed", rule: "low/1", other: "high/1", exact: true, higherGroup: true });
  });

  it("a permit and a forbid of a lower group: nothing is shadowed (the permit decides first)", () => {
    const policies = tenant(["low", 0, ['forbid(principal == User::"a", action, resource);']], ["high", 5, ['permit(principal, action == Action::"edit", resource);']]);
    // low/1 still decides User::"a" viewing: the permit covers only edit.
    expect(hygiene(policies)).toEqual([]);
  });

  it("a forbid whose condition never holds on the universe shadows nothing", () => {
    const policies = tenant(["p", 0, ['permit(principal == User::"a", action == Action::"view", resource);', "forbid(principal, action, resource) when { context.locked };"]]);
    expect(hygiene(policies)).toEqual([]);
  });

  it("a rule with conditions beaten wherever it matches: on the declared universe, with an example", () => {
    const policies = tenant(["p", 0, ['permit(principal, action == Action::"edit", resource) when { principal.level > 3 };', 'forbid(principal == User::"b", action, resource);']]);
    const [f, ...rest] = hygiene(policies);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ kind: "shadowed", rule: "p/1", other: "p/2", exact: false, higherGroup: false, matched: 2 });
    expect(f?.example).toMatchObject({ principal: { type: "User", id: "b" }, action: { type: "Action", id: "edit" } });
  });

  it("no finding for a rule that only errors on the fresh, attribute-less entities", () => {
    // Only Doc::"d" has an owner, and no user is both its owner and level > 3: the rule matches nowhere, and errors
    // on every fresh entity. It decides nothing, but nothing decides first: not shadowed.
    const policies = tenant(["p", 0, ["permit(principal, action, resource) when { resource.owner == principal && principal.level > 3 };", 'forbid(principal == User::"b", action, resource);']]);
    expect(hygiene(policies)).toEqual([]);
  });

  it("a disabled policy shadows nothing, and its rules are not checked", () => {
    const policies = tenant(["p", 0, ['permit(principal == User::"a", action, resource);']], ["off", 9, ["forbid(principal, action, resource);", "forbid(principal, action, resource is Doc);"], false]);
    expect(hygiene(policies)).toEqual([]);
  });
});

describe("redundant rules", () => {
  it('`action in [Action::"edit"]` and `action == Action::"edit"` in one policy: exact', () => {
    const policies = tenant(["p", 0, ['permit(principal in Group::"g", action in [Action::"edit"], resource);', 'permit(principal in Group::"g", action == Action::"edit", resource);']]);
    expect(brief(hygiene(policies))).toEqual([{ kind: "redundant", rule: "p/2", other: "p/1", exact: true }]);
  });

  it("an action group and its name alone differ: `in [read]` also holds view", () => {
    const policies = tenant(["p", 0, ['permit(principal, action in [Action::"read"], resource);', 'permit(principal, action == Action::"read", resource);']]);
    expect(hygiene(policies)).toEqual([]);
  });

  it("the same rule in two policies is not redundant (each policy is written and owned on its own)", () => {
    const policies = tenant(["p", 0, ['permit(principal, action == Action::"edit", resource);']], ["q", 0, ['permit(principal, action == Action::"edit", resource);']]);
    expect(hygiene(policies)).toEqual([]);
  });

  it("different effects are not redundant", () => {
    const policies = tenant(["p", 5, ['permit(principal == User::"a", action == Action::"edit", resource);', 'forbid(principal == User::"a", action == Action::"edit", resource) when { principal.level > 3 };']]);
    expect(hygiene(policies)).toEqual([]);
  });

  it("rules with conditions matching the same requests: on the declared universe", () => {
    const policies = tenant(["p", 0, ['permit(principal, action == Action::"edit", resource) when { principal.level > 3 };', 'permit(principal == User::"b", action == Action::"edit", resource) when { principal.level >= 5 };']]);
    expect(brief(hygiene(policies))).toEqual([{ kind: "redundant", rule: "p/2", other: "p/1", exact: false }]);
  });

  it("two rules that match nothing are not redundant (the set must not be empty)", () => {
    const policies = tenant(["p", 0, ["permit(principal, action, resource) when { principal.level > 9 };", "permit(principal, action, resource) when { principal.level > 10 };"]]);
    expect(hygiene(policies)).toEqual([]);
  });
});

describe("scope containment", () => {
  const universe = buildUniverse({ schema: SCHEMA, entities: ENTITIES, rules: [] });
  const actions = new ActionSets(universe);
  const scope = (s: string) => ruleScope(`permit(${s});`);
  it.each([
    ["principal, action, resource", 'principal == User::"a", action == Action::"view", resource is Doc', true],
    ['principal in Group::"g", action, resource', 'principal == Group::"g", action, resource', true],
    ['principal in Group::"g", action, resource', 'principal is User in Group::"g", action, resource', true],
    // Through the entities file a is in g, but that is test data, not the live entity store: not exact.
    ['principal in Group::"g", action, resource', 'principal == User::"a", action, resource', false],
    ["principal is User, action, resource", 'principal == User::"a", action, resource', true],
    ["principal is User, action, resource", 'principal is User in Group::"g", action, resource', true],
    ['principal is User in Group::"g", action, resource', "principal is User, action, resource", false],
    ['principal, action in [Action::"read"], resource', 'principal, action == Action::"view", resource', true],
    ['principal, action == Action::"view", resource', 'principal, action in [Action::"read"], resource', false],
    ['principal, action in [Action::"view", Action::"edit"], resource', 'principal, action == Action::"edit", resource', true],
    ['principal, action == Action::"edit", resource', "principal, action, resource", false],
    ["principal, action, resource is Doc", 'principal, action, resource == Doc::"d"', true],
  ])("permit(%s) holds permit(%s): %s", (outer, inner, expected) => {
    expect(scopeContains(scope(outer), scope(inner), actions)).toBe(expected);
  });
});

describe("exact shadowing through the scope index", () => {
  /** A small deterministic generator, so that a failure reproduces. */
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  }
  const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const principals = ["principal", 'principal == User::"a"', 'principal == User::"b"', 'principal in Group::"g"', "principal is User", 'principal is User in Group::"g"', 'principal in User::"a"'];
  const resources = ["resource", 'resource == Doc::"d"', "resource is Doc", 'resource in Doc::"d"', 'resource is Doc in Doc::"d"'];
  const actions = ["action", 'action == Action::"view"', 'action == Action::"edit"', 'action in [Action::"read"]', 'action in [Action::"view", Action::"edit"]', "action in []"];

  it("finds, for 600 random unconditional rules, the same first shadowing rule as comparing every pair", () => {
    const r = rng(15);
    const policies = tenant(
      ...Array.from({ length: 6 }, (_, p): [string, number, string[]] => [
        `p${p}`,
        p % 3,
        Array.from({ length: 100 }, () => `${r() < 0.6 ? "permit" : "forbid"}(${pick(r, principals)}, ${pick(r, actions)}, ${pick(r, resources)});`),
      ]),
    );
    const universe = buildUniverse({ schema: SCHEMA, entities: ENTITIES, rules: policies.flatMap((p) => p.rules.map((x) => x.text)) });
    const sets = new ActionSets(universe);
    const all = policies.flatMap((p) => p.rules.map((x) => ({ key: x.key, priority: p.priority, scope: ruleScope(x.text) })));
    const expected = all.flatMap((inner) => {
      const first = all.find(
        (d) =>
          d !== inner &&
          (d.priority > inner.priority || (d.priority === inner.priority && d.scope.effect === "forbid" && inner.scope.effect === "permit")) &&
          scopeContains(d.scope, inner.scope, sets),
      );
      return first ? [{ rule: inner.key, other: first.key }] : [];
    });
    const found = findHygiene({ policies, universe }).filter((f) => f.kind === "shadowed").map((f) => ({ rule: f.rule, other: f.other }));
    expect(expected.length).toBeGreaterThan(100);
    expect(found).toEqual(expected);
  });
});
