/**
 * Action groups (`memberOf`) as Cedar resolves them: inside `namespace A`, `action h in [Action::"g"]` (or `["g"]`)
 * makes h a member of `A::Action::"g"` when A declares g, else of the empty namespace's `Action::"g"`. The engine
 * applies this itself when given the schema; evaluating without it (entities that do not match the schema), the
 * schema's action entities must say the same, and so must the decision review's hierarchy.
 */
import { describe, expect, it } from "vitest";
import { checkEntities, evaluate, schemaActionEntities } from "../../src/cedar/evaluate.js";
import type { AccessRequest, EvalPolicy } from "../../src/cedar/evaluate.js";
import { createSideEvaluator } from "../../src/decisions/side-evaluator.js";
import { buildUniverse } from "../../src/decisions/universe.js";

const SCHEMA = `
namespace A {
  entity U;
  entity R;
  action g;
  action h in [Action::"g"] appliesTo { principal: U, resource: R };
  action k in ["top"] appliesTo { principal: U, resource: R };
}
action top;
`;

const CONFORMING = [
  { uid: { type: "A::U", id: "u" }, attrs: {}, parents: [] },
  { uid: { type: "A::R", id: "r" }, attrs: {}, parents: [] },
];
// An entity of a type the schema does not declare: the entities do not match it, so evaluation runs without it.
const ODD = [...CONFORMING, { uid: { type: "Stranger", id: "x" }, attrs: {}, parents: [] }];

const request = (action: string): AccessRequest => ({ principal: 'A::U::"u"', action: `A::Action::"${action}"`, resource: 'A::R::"r"', context: {} });
const policies = (text: string): EvalPolicy[] => [{ key: "p", enabled: true, priority: 0, rules: [{ key: "p/1", text }] }];

describe("action groups of a namespaced schema", () => {
  it.each([
    ["h", 'permit(principal, action in A::Action::"g", resource);', "allow"],
    ["h", 'permit(principal, action in Action::"g", resource);', "deny"],
    ["k", 'permit(principal, action in Action::"top", resource);', "allow"],
    ["k", 'permit(principal, action in A::Action::"top", resource);', "deny"],
  ] as const)("%s with %s: %s, with the schema and without it", (action, rule, decision) => {
    expect(checkEntities(CONFORMING, SCHEMA)).toEqual([]);
    expect(checkEntities(ODD, SCHEMA)).toHaveLength(1);
    const withSchema = evaluate({ policies: policies(rule), entities: CONFORMING, schema: SCHEMA, request: request(action) });
    expect(withSchema).toMatchObject({ decision, warnings: [] });
    const fallback = evaluate({ policies: policies(rule), entities: ODD, schema: SCHEMA, request: request(action) });
    expect(fallback.warnings[0]).toMatch(/entities do not match the schema.*Stranger/);
    expect(fallback.decision).toBe(decision);
  });

  it("builds the action entities the engine would", () => {
    const actions = schemaActionEntities(SCHEMA);
    expect(actions).toContainEqual({ uid: { type: "A::Action", id: "h" }, attrs: {}, parents: [{ type: "A::Action", id: "g" }] });
    expect(actions).toContainEqual({ uid: { type: "A::Action", id: "k" }, attrs: {}, parents: [{ type: "Action", id: "top" }] });
  });

  it("the decision review's hierarchy agrees, from the universe or its own", () => {
    const rules = ['permit(principal, action in A::Action::"g", resource);', 'permit(principal, action in Action::"top", resource) when { true };'];
    const universe = buildUniverse({ schema: SCHEMA, entities: ODD, rules });
    expect(universe.hierarchy.isIn("A::Action\u0000h", "A::Action\u0000g")).toBe(true);
    expect(universe.hierarchy.isIn("A::Action\u0000k", "Action\u0000top")).toBe(true);
    expect(universe.hierarchy.isIn("A::Action\u0000k", "A::Action\u0000top")).toBe(false);
    const requests = ["h", "k"].map((id) => ({
      principal: { type: "A::U", id: "u" },
      action: { type: "A::Action", id },
      resource: { type: "A::R", id: "r" },
      context: {},
    }));
    const sides = rules.map((text) => policies(text));
    for (const hierarchy of [{ hierarchy: universe.hierarchy }, {}]) {
      const outcomes = createSideEvaluator({ sides, schema: SCHEMA, entities: ODD, ...hierarchy }).evaluate(requests);
      expect(outcomes.map((o) => o.map((s) => s.decision))).toEqual([
        ["allow", "deny"],
        ["deny", "allow"],
      ]);
    }
  });
});
