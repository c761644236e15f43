/**
 * Invariants (SPEC sections 4a and 10), the plan's "this apply restores invariant X", and coverage: pure functions
 * on small tenants whose answers are known by construction.
 */
import { describe, expect, it } from "vitest";
import type { EvalPolicy } from "../../src/cedar/evaluate.js";
import { buildUniverse } from "../../src/decisions/universe.js";
import type { TestResult } from "../../src/desired/access-tests.js";
import type { DesiredCedarPolicy, DesiredInvariant, DesiredState } from "../../src/desired/types.js";
import { computeCoverage } from "../../src/quality/coverage.js";
import { invariantFields } from "../../src/quality/invariant-scope.js";
import { checkInvariants } from "../../src/quality/invariants.js";
import { restoredInvariants } from "../../src/quality/restored-invariants.js";
import { createUniverseDecider } from "../../src/quality/universe-decider.js";
import { assembleRule } from "../../src/cedar/assemble.js";

const SCHEMA = `
entity Group;
entity User in [Group];
entity Doc;
action view, delete appliesTo { principal: [User], resource: [Doc], context: { mfa?: Bool } };
`;
const ENTITIES = [
  { uid: { type: "User", id: "carol" }, attrs: {}, parents: [{ type: "Group", id: "contractors" }] },
  { uid: { type: "User", id: "alice" }, attrs: {}, parents: [] },
  { uid: { type: "Doc", id: "d1" }, attrs: {}, parents: [] },
];

const at = { file: "access.yaml", line: 40, col: 7 };

function invariant(name: string, scope: Parameters<typeof invariantFields>[0], expect: "allow" | "deny", context?: Record<string, unknown>): DesiredInvariant {
  const fields = invariantFields(scope, () => {
    throw new Error("bad literal");
  });
  return { name, scopeText: assembleRule(fields!), expect, loc: at, ...(context ? { context } : {}) };
}

const contractorsNeverDelete = invariant("contractors never delete", { principal: { in: 'Group::"contractors"' }, action: { eq: "delete" } }, "deny");

function policy(key: string, texts: string[], priority = 0): EvalPolicy {
  return { key, enabled: true, priority, rules: texts.map((text, i) => ({ key: `${key}/rules/${i + 1}`, text })) };
}

function check(policies: EvalPolicy[], invariants: DesiredInvariant[], maxRequests?: number) {
  const texts = [...policies.flatMap((p) => p.rules.map((r) => r.text)), ...invariants.map((i) => i.scopeText)];
  const universe = buildUniverse({ schema: SCHEMA, entities: ENTITIES, rules: texts });
  const decider = createUniverseDecider({ universe, sides: [policies], schema: SCHEMA, entities: ENTITIES });
  const refs = new Map([["docs/rules/1", { address: "cedar/policies/docs/rules/1", id: "anyone deletes", file: "access.yaml", line: 9 }]]);
  return checkInvariants({ invariants, universe, decider, refs, ...(maxRequests === undefined ? {} : { maxRequests }) });
}

describe("invariants", () => {
  it("the scope forms become a rule's scope; bare action ids mean Action::\"id\"", () => {
    expect(contractorsNeverDelete.scopeText).toBe('permit(principal in Group::"contractors", action == Action::"delete", resource);');
    expect(invariant("x", { principal: { is: "User", in: 'Group::"g"' }, action: { in: ["view", 'NS::Action::"x"'] }, resource: { is: "Doc" } }, "allow").scopeText).toBe(
      'permit(principal is User in Group::"g", action in [Action::"view", NS::Action::"x"], resource is Doc);',
    );
    const bad: string[] = [];
    expect(invariantFields({ principal: { eq: "alice" }, action: { in: ["view", 'Action::"broken'] } }, (path, text) => bad.push(`${path.join(".")}: ${text}`))).toBeUndefined();
    expect(bad).toEqual(["principal.eq: alice", 'action.in.1: Action::"broken']);
  });

  it("holds: every request the scope matches is decided as expected, and says how many were checked", () => {
    const [c] = check([policy("docs", ['permit(principal, action == Action::"view", resource);'])], [contractorsNeverDelete]);
    // carol and Group::"contractors"? Groups are no principals for the schema: carol × (d1, fresh doc).
    expect(c).toEqual({ name: "contractors never delete", expect: "deny", status: "holds", requests: 2 });
  });

  it("violated: the first request in universe order, the deciding rule with @id and file:line, and the count", () => {
    const [c] = check([policy("docs", ['permit(principal, action == Action::"delete", resource);'])], [contractorsNeverDelete]);
    expect(c?.status).toBe("violated");
    expect(c?.violation).toEqual({
      request: { principal: 'User::"carol"', action: 'Action::"delete"', resource: 'Doc::"__fresh__"', context: {} },
      decision: "allow",
      deciding: [{ address: "cedar/policies/docs/rules/1", id: "anyone deletes", file: "access.yaml", line: 9 }],
      count: 2,
    });
  });

  it("an expected allow that nothing grants names no rule: deny by default", () => {
    const [c] = check([], [invariant("alice views", { principal: { eq: 'User::"alice"' }, action: { eq: "view" } }, "allow")]);
    expect(c?.violation?.decision).toBe("deny");
    expect(c?.violation?.deciding).toEqual([]);
  });

  it("the invariant's own context replaces the universe's", () => {
    const rules = [policy("docs", ['permit(principal, action == Action::"view", resource) when { context.mfa };'])];
    const withMfa = invariant("views with mfa", { action: { eq: "view" } }, "allow", { mfa: true });
    const without = invariant("views without", { action: { eq: "view" } }, "allow");
    const [a, b] = check(rules, [withMfa, without]);
    expect(a).toMatchObject({ status: "holds", requests: 6 });
    // The universe's context is {} (no test gives another): `context.mfa` errors, nothing matches, deny.
    expect(b).toMatchObject({ status: "violated", violation: { decision: "deny", request: { context: {} } } });
  });

  it("above the cap an invariant is not checked, and says how many requests it matches", () => {
    const [c] = check([], [invariant("nobody views", { action: { eq: "view" } }, "deny")], 5);
    expect(c).toEqual({ name: "nobody views", expect: "deny", status: "capped", requests: 6 });
  });
});

describe("restored invariants (plan)", () => {
  const universeOf = (...sides: EvalPolicy[][]) =>
    buildUniverse({ schema: SCHEMA, entities: ENTITIES, rules: [...sides.flat().flatMap((p) => p.rules.map((r) => r.text)), contractorsNeverDelete.scopeText] });
  const open = [policy("docs", ['permit(principal, action, resource);'])];
  const guarded = [...open, policy("guard", ['forbid(principal in Group::"contractors", action == Action::"delete", resource);'], 10)];
  const restored = (live: EvalPolicy[], desired: EvalPolicy[]) =>
    restoredInvariants({ live, desired, invariants: [contractorsNeverDelete], universe: universeOf(live, desired), schema: SCHEMA, entities: ENTITIES });

  it("holds after the plan, not on the live rules: restored", () => {
    expect(restored(open, guarded)).toEqual(["contractors never delete"]);
  });
  it("holds on both sides: nothing to restore", () => {
    expect(restored(guarded, guarded)).toEqual([]);
  });
  it("broken by the plan: not restored (validation refuses such files anyway)", () => {
    expect(restored(guarded, open)).toEqual([]);
  });
});

describe("coverage", () => {
  const rule = (address: string, line: number) => ({ address, ordinal: 1, form: "cedar" as const, text: "", loc: { file: "a.yaml", line, col: 1 }, locate: () => ({ file: "a.yaml", line, col: 1 }) });
  const p = (name: string, rules: ReturnType<typeof rule>[], enabled?: boolean): DesiredCedarPolicy => ({
    name,
    address: `cedar/policies/${name}`,
    loc: { file: "a.yaml", line: 1, col: 1 },
    maxDurationSeconds: 1,
    previousNames: [],
    rules,
    ...(enabled === undefined ? {} : { enabled }),
  });
  const desired = (minCoverage?: number) =>
    ({
      cedar: {
        loc: { file: "a.yaml", line: 1, col: 1 },
        policies: [p("a", [rule("cedar/policies/a/rules/1", 3), rule("cedar/policies/a/rules/2", 4), rule("cedar/policies/a/rules/3", 5)]), p("off", [rule("cedar/policies/off/rules/1", 8)], false)],
        tests: { cases: [], ...(minCoverage === undefined ? {} : { minCoverage: { value: minCoverage, loc: { file: "a.yaml", line: 9, col: 5 } } }) },
      },
    }) as unknown as DesiredState;
  const result = (deciding: string[]): TestResult => ({ name: "t", expect: "allow", decision: "allow", pass: true, deciding, errored: [], loc: { file: "a.yaml", line: 20, col: 1 } });
  const results = [result(["cedar/policies/a/rules/1"]), result(["cedar/policies/a/rules/1", "cedar/policies/a/rules/2"]), result([]), result(["cedar/policies/off/rules/1"])];

  it("counts the cases each rule decided; a disabled policy is listed but not counted", () => {
    const c = computeCoverage(desired(), results);
    expect(c.policies.map((x) => [x.address, x.enabled, x.rules.map((r) => r.cases)])).toEqual([
      ["cedar/policies/a", true, [2, 1, 0]],
      ["cedar/policies/off", false, [1]],
    ]);
    expect(c).toMatchObject({ rules: 3, covered: 2, uncovered: [{ address: "cedar/policies/a/rules/3" }], met: true });
    expect(c.share).toBeCloseTo(2 / 3);
  });

  it("minCoverage: met at the share, not above it", () => {
    expect(computeCoverage(desired(0.66), results).met).toBe(true);
    expect(computeCoverage(desired(0.67), results).met).toBe(false);
  });
});
