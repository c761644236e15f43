/**
 * The decision review's evaluator gives each request only the rules whose scope can match it and only the
 * entities those rules can read; these tests hold it to the access tests' evaluator (every rule, every reachable
 * entity) on every request of a universe built to stress both shortcuts.
 */
import { describe, expect, it } from "vitest";
import { engineCallCounts, resetEngineCallCounts } from "../../src/cedar/engine.js";
import { createEvaluator } from "../../src/cedar/evaluate.js";
import type { EvalPolicy } from "../../src/cedar/evaluate.js";
import { reviewDecisions } from "../../src/decisions/decision-diff.js";
import { literalOf } from "../../src/decisions/entity-keys.js";
import { readsOnlyRequestEntities } from "../../src/decisions/entity-needs.js";
import { everyRequest } from "../../src/decisions/request-space.js";
import { createSideEvaluator } from "../../src/decisions/side-evaluator.js";
import { buildUniverse } from "../../src/decisions/universe.js";
import { decideUniverse } from "../../src/decisions/universe-decisions.js";

const SCHEMA = `
entity Org;
entity Team in [Org] { name: String };
entity User in [Team] { level: Long, manager?: User };
entity Doc { owner: User, team: Team };
action "all";
action read in ["all"] appliesTo { principal: [User], resource: [Doc], context: { via?: User } };
action write in ["all"] appliesTo { principal: [User], resource: [Doc], context: { via?: User } };
`;
const ENTITIES = [
  { uid: { type: "Org", id: "acme" }, attrs: {}, parents: [] },
  { uid: { type: "Team", id: "core" }, attrs: { name: "core" }, parents: [{ type: "Org", id: "acme" }] },
  { uid: { type: "Team", id: "ops" }, attrs: { name: "ops" }, parents: [] },
  { uid: { type: "User", id: "ann" }, attrs: { level: 3, manager: { __entity: { type: "User", id: "bo" } } }, parents: [{ type: "Team", id: "core" }] },
  { uid: { type: "User", id: "bo" }, attrs: { level: 7 }, parents: [{ type: "Team", id: "ops" }] },
  { uid: { type: "Doc", id: "plan" }, attrs: { owner: { __entity: { type: "User", id: "ann" } }, team: { __entity: { type: "Team", id: "ops" } } }, parents: [] },
];
const TESTS = [{ principal: 'User::"ann"', action: 'Action::"read"', resource: 'Doc::"plan"', context: { via: { __entity: { type: "User", id: "bo" } } } }];

const RULES = [
  'permit(principal in Org::"acme", action == Action::"read", resource);',
  'permit(principal, action in [Action::"all"], resource) when { principal.level > 5 };',
  "permit(principal, action, resource) when { resource.owner.level > 2 };",
  "permit(principal, action == Action::\"write\", resource) when { principal in resource.team };",
  "forbid(principal, action, resource) when { resource.team.name == \"ops\" && principal.level < 5 };",
  'forbid(principal, action, resource) when { context has via && context.via.level > 5 };',
  'permit(principal is User in Team::"ops", action, resource) when { Team::"core".name == "core" };',
  "permit(principal, action, resource) when { principal.manager == resource.owner };",
  'forbid(principal == User::"__fresh__", action, resource);',
  'forbid(principal, action == Action::"write", resource) when { principal in Org::"acme" && principal.level < 4 };',
];

describe("the evaluator of the decision review", () => {
  const policies: EvalPolicy[] = RULES.map((text, i) => ({ key: `p${i}`, enabled: true, priority: i % 3, rules: [{ key: `p${i}/1`, text }] }));
  const universe = buildUniverse({ schema: SCHEMA, entities: ENTITIES, rules: RULES, tests: TESTS });

  // Every rule (most sets then read every reachable entity), and only rules that read the request's entities.
  const shallow = policies.filter((p) => readsOnlyRequestEntities(p.rules[0]?.text ?? ""));

  it.each([
    [true, "every rule", policies],
    [false, "every rule", policies],
    [true, "rules that read only the request's entities", shallow],
    [false, "rules that read only the request's entities", shallow],
  ])("decides every request of the universe as the access tests do (schema: %s, %s)", (withSchema, _what, policies) => {
    expect(policies.length).toBeGreaterThan(3);
    const schema = withSchema ? { schema: SCHEMA } : {};
    const requests = everyRequest(universe).requests.map((r) => {
      const action = universe.actions[r.action];
      if (!action) throw new Error("no action");
      return { principal: r.principal, action: action.ref, resource: r.resource, context: action.contexts[r.context] ?? {} };
    });
    expect(requests.length).toBe(universe.size);
    const ours = createSideEvaluator({ sides: [policies, policies.slice(0, 5)], entities: ENTITIES, ...schema }).evaluate(requests);
    const theirs = [policies, policies.slice(0, 5)].map((p) => createEvaluator({ policies: p, entities: ENTITIES, ...schema }));
    requests.forEach((r, i) => {
      const request = { principal: literalOf(r.principal), action: literalOf(r.action), resource: literalOf(r.resource), context: r.context };
      theirs.forEach((evaluator, side) => {
        const direct = evaluator.evaluate(request);
        const o = ours[i]?.[side];
        expect({ decision: o?.decision, deciding: o?.deciding, errors: o?.errors }, JSON.stringify(request)).toEqual({
          decision: direct.decision,
          deciding: direct.deciding,
          errors: direct.errors,
        });
      });
    });
  });

  it("asks the engine only for requests that a rule with conditions can match, one parse per set of rules", () => {
    const only = [{ key: "q", enabled: true, priority: 0, rules: [{ key: "q/1", text: 'permit(principal in Org::"acme", action == Action::"read", resource);' }] }];
    resetEngineCallCounts();
    const evaluator = createSideEvaluator({ sides: [only], schema: SCHEMA, entities: ENTITIES });
    const requests = everyRequest(universe).requests.map((r) => ({
      principal: r.principal,
      action: universe.actions[r.action]?.ref ?? r.principal,
      resource: r.resource,
      context: universe.actions[r.action]?.contexts[r.context] ?? {},
    }));
    const outcomes = evaluator.evaluate(requests);
    expect(engineCallCounts().statefulIsAuthorized ?? 0).toBe(0);
    expect(outcomes.filter((o) => o[0]?.decision === "allow").length).toBeGreaterThan(0);
  });

  it("decides the requests an invariant's scope matches, for checks over the universe", () => {
    const write = universe.actions.find((a) => a.ref.id === "write");
    const all = decideUniverse({ universe, policies, schema: SCHEMA, entities: ENTITIES });
    expect(all.requests.length).toBe(universe.size);
    const some = decideUniverse({ universe, policies, schema: SCHEMA, entities: ENTITIES, matching: ['permit(principal, action == Action::"write", resource);'] });
    expect(some.requests.length).toBe((write?.principals.length ?? 0) * (write?.resources.length ?? 0) * (write?.contexts.length ?? 0));
    expect(some.requests.every((r) => r.action.id === "write")).toBe(true);
    // The same decisions as over the whole universe.
    some.requests.forEach((r, i) => {
      const j = all.requests.findIndex((q) => JSON.stringify(q) === JSON.stringify(r));
      expect(some.outcomes[i]).toEqual(all.outcomes[j]);
    });
    expect(decideUniverse({ universe, policies, maxRequests: 2 })).toMatchObject({ capped: true, requests: [] });
  });

  it("says a request the engine cannot evaluate is an error, never a silent deny", () => {
    const bad = [{ principal: 'User::"ann"', action: 'Action::"read"', resource: 'Doc::"plan"', context: { ip: { __extn: { fn: "ip", arg: "not an address" } } } }];
    const before = [{ key: "p", enabled: true, priority: 0, rules: [{ key: "p/1", text: "permit(principal, action, resource) when { context has ip };" }] }];
    const after = [{ key: "p", enabled: true, priority: 0, rules: [{ key: "p/1", text: "permit(principal, action, resource) when { context has ip && principal.level > 0 };" }] }];
    const review = reviewDecisions({ before, after, entities: ENTITIES, tests: bad });
    expect(review.notes.join("\n")).toMatch(/could not be evaluated at all.*ip/);
    const sides = createSideEvaluator({ sides: [before] }).evaluate([
      { principal: { type: "User", id: "ann" }, action: { type: "Action", id: "read" }, resource: { type: "Doc", id: "plan" }, context: bad[0]?.context ?? {} },
    ]);
    expect(sides[0]?.[0]).toMatchObject({ decision: "error", requestError: expect.stringMatching(/ip/) });
  });
});

describe("which rules read only the request's entities", () => {
  it.each([
    ["permit(principal, action, resource);", true],
    ["permit(principal, action, resource) when { principal.level > 1 && resource has owner };", true],
    ['permit(principal, action, resource) when { principal in resource.team && context["k"] == 1 && [1, 2].isEmpty() == false };', false],
    ["permit(principal, action, resource) when { principal in [resource.owner, resource.team] };", true],
    ["permit(principal, action, resource) when { principal == resource.owner };", true],
    ["permit(principal, action, resource) when { resource.owner.level > 2 };", false],
    ["permit(principal, action, resource) when { resource.owner in principal };", false],
    ["permit(principal, action, resource) when { context.user has level };", false],
    ['permit(principal, action, resource) when { Team::"core".name == "x" };', false],
    ["permit(principal, action, resource) when { (if true then resource.owner else principal).level > 1 };", false],
    ["permit(principal, action, resource) when { resource.principal.level > 1 };", false],
  ])("%s → %s", (text, shallow) => {
    expect(readsOnlyRequestEntities(text)).toBe(shallow);
  });
});
