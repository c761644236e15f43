import { describe, expect, it } from "vitest";
import { ruleNames, ruleScope } from "../../src/decisions/rule-scope.js";
import { everyRequest, requestsMatching } from "../../src/decisions/request-space.js";
import { buildUniverse, FRESH_ID } from "../../src/decisions/universe.js";
import type { Universe } from "../../src/decisions/universe.js";

const SCHEMA = `
entity Group;
entity User in [Group] { level: Long };
entity Public;
entity Color enum ["red", "blue"];
entity Doc { owner: User, private: Bool };
action "readOnly";
action view in ["readOnly"] appliesTo { principal: [User, Public], resource: [Doc], context: { authenticated?: Bool } };
action paint appliesTo { principal: [User], resource: [Color], context: { reason: String } };
action edit appliesTo { principal: User, resource: Doc };
`;

const ENTITIES = [
  { uid: { type: "User", id: "alice" }, attrs: { level: 5 }, parents: [{ type: "Group", id: "admins" }] },
  { uid: { type: "Group", id: "admins" }, attrs: {}, parents: [] },
  { uid: { type: "Doc", id: "d1" }, attrs: { owner: { __entity: { type: "User", id: "alice" } }, private: false }, parents: [] },
];

const RULES = [
  'permit(principal == User::"bob", action == Action::"view", resource) when { resource.owner == User::"carol" };',
  "permit(principal is Public, action, resource);",
  'forbid(principal, action in [Action::"edit"], resource) unless { principal in Group::"admins" };',
];

const TESTS = [
  { principal: 'User::"dave"', action: "view", resource: 'Doc::"d2"', context: { authenticated: true } },
  { principal: 'User::"alice"', action: 'Action::"view"', resource: 'Doc::"d1"', context: { authenticated: true } },
  { principal: 'User::"alice"', action: 'Action::"paint"', resource: 'Color::"red"', context: { reason: "x" } },
];

const literals = (u: Universe) => u.entities.map((e) => `${e.type}::${e.id}`);

describe("the universe (SPEC section 10, Entities and Requests)", () => {
  const u = buildUniverse({ schema: SCHEMA, entities: ENTITIES, rules: RULES, tests: TESTS });

  it("takes entities from the entities file, rule literals, test literals, enum members and one fresh entity per type", () => {
    expect(literals(u)).toEqual([
      "Color::blue",
      "Color::red",
      "Doc::__fresh__",
      "Doc::d1",
      "Doc::d2",
      "Group::__fresh__",
      "Group::admins",
      "Public::__fresh__",
      "User::__fresh__",
      "User::alice",
      "User::bob",
      "User::carol",
      "User::dave",
    ]);
    expect(u.schema).toBe(true);
    expect(u.typed).toBe(true);
  });

  it("takes actions from the schema, never a group without appliesTo, with the tests' contexts and {} where allowed", () => {
    expect(u.actions.map((a) => a.literal)).toEqual(['Action::"edit"', 'Action::"paint"', 'Action::"view"']);
    const view = u.actions.find((a) => a.ref.id === "view");
    expect(view?.principals.map((e) => `${e.type}::${e.id}`)).toEqual([
      "Public::__fresh__",
      "User::__fresh__",
      "User::alice",
      "User::bob",
      "User::carol",
      "User::dave",
    ]);
    expect(view?.resources.map((e) => e.id)).toEqual([FRESH_ID, "d1", "d2"]);
    // The two tests' contexts are equal (deduplicated), and {} is allowed (the attribute is optional).
    expect(view?.contexts).toEqual([{ authenticated: true }, {}]);
    // paint requires `reason`: only the test's context.
    expect(u.actions.find((a) => a.ref.id === "paint")?.contexts).toEqual([{ reason: "x" }]);
    expect(u.actions.find((a) => a.ref.id === "edit")?.contexts).toEqual([{}]);
    // edit: 5 users × 3 docs × 1; paint: 5 × 2 colors × 1; view: 6 × 3 × 2.
    expect(u.size).toBe(15 + 10 + 36);
  });

  it("without a schema, takes actions from rules and tests and every combination of the universe's entities", () => {
    const plain = buildUniverse({ entities: ENTITIES, rules: RULES, tests: TESTS });
    expect(plain.schema).toBe(false);
    expect(plain.actions.map((a) => a.literal)).toEqual(['Action::"edit"', 'Action::"paint"', 'Action::"view"']);
    // No schema: no enum, no fresh Color entity unless Color is named: it is (a test literal).
    expect(literals(plain)).toContain("Color::__fresh__");
    expect(literals(plain)).toContain("Color::red");
    const n = plain.entities.length;
    // Every action gets {} as well as its tests' contexts.
    expect(plain.actions.map((a) => a.contexts.length)).toEqual([1, 2, 2]);
    expect(plain.size).toBe(n * n * 5);
  });

  it("keeps namespaces as written and resolves names inside a namespace", () => {
    const ns = buildUniverse({
      schema: `namespace App { entity User; entity Doc; action read appliesTo { principal: User, resource: [Doc, Other::Thing] }; }
               namespace Other { entity Thing; }`,
      rules: ['permit(principal == App::User::"ann", action == App::Action::"read", resource);'],
    });
    expect(ns.actions.map((a) => a.literal)).toEqual(['App::Action::"read"']);
    expect(ns.actions[0]?.principals.map((e) => `${e.type}::${e.id}`)).toEqual(["App::User::__fresh__", "App::User::ann"]);
    expect(ns.actions[0]?.resources.map((e) => e.type)).toEqual(["App::Doc", "Other::Thing"]);
  });

  it("reports the size without enumerating, and the cap stops enumeration", () => {
    const space = everyRequest(u, { maxRequests: 10 });
    expect(space).toMatchObject({ capped: true, requests: [] });
    expect(everyRequest(u).requests).toHaveLength(u.size);
  });
});

describe("rule scopes read from tokens", () => {
  it.each([
    ["permit(principal, action, resource);", { principal: { op: "any" }, action: { op: "any" }, resource: { op: "any" }, conditional: false, exact: true }],
    [
      '@id("x") forbid ( principal == User::"a\\"b" , action in [Action::"r", NS::Action::"w"], resource is NS::Doc in Folder::"f" ) when { true };',
      {
        effect: "forbid",
        principal: { op: "eq", uid: 'User\u0000a"b' },
        action: { op: "in", uids: ["Action\u0000r", "NS::Action\u0000w"] },
        resource: { op: "is", type: "NS::Doc", in: "Folder\u0000f" },
        conditional: true,
        exact: true,
      },
    ],
    ['permit(principal in Group::"g", action in Action::"readOnly", resource is Doc);', { principal: { op: "in", uid: "Group\u0000g" }, action: { op: "in", uids: ["Action\u0000readOnly"] }, resource: { op: "is", type: "Doc" } }],
    ["permit(principal == ?principal, action, resource);", { exact: false, conditional: true, principal: { op: "any" } }],
    ["permit(principal, action", { exact: false }],
  ])("%s", (text, expected) => {
    expect(ruleScope(text)).toMatchObject(expected);
  });

  it("finds every entity literal and `is` type of a rule", () => {
    expect(ruleNames('permit(principal in A::G::"g", action, resource) when { resource.owner == User::"x" && principal is Admin };')).toEqual({
      literals: ["A::G\u0000g", "User\u0000x"],
      types: ["Admin"],
    });
  });
});

describe("narrowing to what the changed rules can match", () => {
  const u = buildUniverse({ schema: SCHEMA, entities: ENTITIES, rules: RULES, tests: TESTS });
  const key = (r: { action: number; principal: { type: string; id: string }; resource: { id: string }; context: number }) =>
    `${u.actions[r.action]?.ref.id} ${r.principal.type}::${r.principal.id} ${r.resource.id} ${r.context}`;

  it("by scope: ==, in (through the entities' parents), is, and action groups", () => {
    const space = requestsMatching(u, ['permit(principal in Group::"admins", action in [Action::"readOnly"], resource == Doc::"d1");']);
    expect(space.requests.map(key)).toEqual(["view User::alice d1 0", "view User::alice d1 1"]);
    expect(requestsMatching(u, ["permit(principal is Public, action, resource);"]).requests.map(key)).toEqual([
      `view Public::${FRESH_ID} ${FRESH_ID} 0`,
      `view Public::${FRESH_ID} ${FRESH_ID} 1`,
      `view Public::${FRESH_ID} d1 0`,
      `view Public::${FRESH_ID} d1 1`,
      `view Public::${FRESH_ID} d2 0`,
      `view Public::${FRESH_ID} d2 1`,
    ]);
  });

  it("by the engine's request environments, when asked", () => {
    const rule = "permit(principal, action, resource) when { principal is Public };";
    const never = requestsMatching(u, [rule], { envs: "never" });
    const always = requestsMatching(u, [rule], { envs: "always" });
    expect(never.count).toBe(u.size);
    expect(always.narrowedByEnvs).toBe(1);
    expect(always.requests.every((r) => r.principal.type === "Public")).toBe(true);
    expect(always.count).toBe(6);
  });

  it("does not narrow a rule for which the engine finds no environment (its errors still show)", () => {
    const rule = "permit(principal, action, resource) when { principal.nope };";
    expect(requestsMatching(u, [rule], { envs: "always" })).toMatchObject({ count: u.size, narrowedByEnvs: 0 });
  });
});
