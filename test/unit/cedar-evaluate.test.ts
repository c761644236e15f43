import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findDuplicateRules, parseRules, validateRules } from "../../src/cedar/check-rules.js";
import { engineCallCounts, resetEngineCallCounts } from "../../src/cedar/engine.js";
import { checkEntities, createEvaluator, evaluate, schemaActionEntities } from "../../src/cedar/evaluate.js";
import type { AccessRequest, EvalPolicy } from "../../src/cedar/evaluate.js";
import { splitStatements } from "../../src/cedar/split.js";

const entities = [
  { uid: { type: "User", id: "alice" }, attrs: { level: 5 }, parents: [{ type: "Group", id: "sre" }] },
  { uid: { type: "User", id: "bob" }, attrs: {}, parents: [] },
  { uid: { type: "Group", id: "sre" }, attrs: {}, parents: [] },
];

const req = (principal: string, extra: Partial<AccessRequest> = {}): AccessRequest => ({
  principal: `User::"${principal}"`,
  action: 'Action::"request_access"',
  resource: 'AwsAccount::"prod"',
  context: {},
  ...extra,
});

function policy(key: string, priority: number, rules: string[], enabled = true): EvalPolicy {
  return { key, enabled, priority, rules: rules.map((text, i) => ({ key: `${key}/${i + 1}`, text })) };
}

const PERMIT_ALL = "permit(principal, action, resource);";
const FORBID_ALL = "forbid(principal, action, resource);";
const PERMIT_SRE = 'permit(principal in Group::"sre", action, resource);';
const FORBID_BOB = 'forbid(principal == User::"bob", action, resource);';
const LEVEL = "permit(principal, action, resource) when { principal.level > 3 };";

describe("evaluation semantics", () => {
  it.each<[string, EvalPolicy[], AccessRequest, "allow" | "deny", string[], string[]]>([
    ["nothing matches → deny", [policy("p", 0, [PERMIT_SRE])], req("bob"), "deny", [], []],
    ["no policies → deny", [], req("alice"), "deny", [], []],
    ["permit matches", [policy("p", 0, [PERMIT_SRE])], req("alice"), "allow", ["p/1"], []],
    ["forbid wins inside a group", [policy("p", 0, [PERMIT_ALL]), policy("q", 0, [FORBID_BOB])], req("bob"), "deny", ["q/1"], []],
    ["higher priority permit beats lower forbid", [policy("hi", 10, [PERMIT_ALL]), policy("lo", 0, [FORBID_ALL])], req("bob"), "allow", ["hi/1"], []],
    ["higher priority forbid beats lower permit", [policy("hi", 10, [FORBID_BOB]), policy("lo", 0, [PERMIT_ALL])], req("bob"), "deny", ["hi/1"], []],
    ["a group with no match passes to the next", [policy("hi", 10, [FORBID_BOB]), policy("lo", 0, [PERMIT_ALL])], req("alice"), "allow", ["lo/1"], []],
    ["disabled policies are skipped", [policy("hi", 10, [FORBID_ALL], false), policy("lo", 0, [PERMIT_ALL])], req("alice"), "allow", ["lo/1"], []],
    ["all matching permits are deciding", [policy("p", 0, [PERMIT_ALL, PERMIT_SRE])], req("alice"), "allow", ["p/1", "p/2"], []],
    ["erroring rule does not match and is reported", [policy("p", 0, [LEVEL])], req("bob"), "deny", [], ["p/1"]],
    ["erroring forbid does not block a permit", [policy("p", 0, ["forbid(principal, action, resource) when { principal.level > 3 };", PERMIT_ALL])], req("bob"), "allow", ["p/2"], ["p/1"]],
    ["errors in groups not consulted are not reported", [policy("hi", 10, [PERMIT_ALL]), policy("lo", 0, [LEVEL])], req("bob"), "allow", ["hi/1"], []],
    ["context is passed", [policy("p", 0, ["permit(principal, action, resource) when { context.duration_seconds <= 14400 };"])], req("bob", { context: { duration_seconds: 3600 } }), "allow", ["p/1"], []],
  ])("%s", (_name, policies, request, decision, deciding, errored) => {
    for (const preparse of [true, false]) {
      const result = createEvaluator({ policies, entities }, { preparse }).evaluate(request);
      expect(result.decision).toBe(decision);
      expect(result.deciding).toEqual(deciding);
      expect(result.errors.map((e) => e.key)).toEqual(errored);
      expect(result.requestError).toBeUndefined();
    }
  });

  it("reports a rule that does not parse and evaluates the rest", () => {
    for (const preparse of [true, false]) {
      const result = createEvaluator({ policies: [policy("p", 0, ["permit(principal, action", PERMIT_ALL])], entities }, { preparse }).evaluate(req("bob"));
      expect(result).toMatchObject({ decision: "allow", deciding: ["p/2"], errors: [{ key: "p/1" }] });
    }
  });

  it("refuses a request that is not entity literals", () => {
    const result = evaluate({ policies: [policy("p", 0, [PERMIT_ALL])], entities, request: req("bob", { resource: "prod" }) });
    expect(result.decision).toBe("deny");
    expect(result.requestError).toMatch(/resource "prod" is not a Cedar entity literal/);
  });

  it("preparses once and costs one engine call per request, whatever the number of groups", () => {
    const evaluator = createEvaluator({ policies: [policy("hi", 10, [FORBID_BOB]), policy("lo", 0, [PERMIT_ALL])], entities });
    resetEngineCallCounts();
    for (let i = 0; i < 100; i++) evaluator.evaluate(req(i % 2 ? "alice" : "bob"));
    expect(engineCallCounts()).toEqual({ statefulIsAuthorized: 100 });
  });
});

describe("only reachable entities are passed, with the same decisions", () => {
  const ents = [
    { uid: { type: "User", id: "alice" }, attrs: {}, parents: [{ __entity: { type: "Group", id: "eng" } }] },
    { uid: { type: "Group", id: "eng" }, attrs: {}, parents: [{ type: "Group", id: "all" }] },
    { uid: { type: "Group", id: "all" }, attrs: {}, parents: [] },
    { uid: { type: "Doc", id: "d" }, attrs: { owner: { __entity: { type: "User", id: "carol" } } }, parents: [] },
    { uid: { type: "User", id: "carol" }, attrs: { manager: { __entity: { type: "User", id: "alice" } } }, parents: [] },
    { uid: { type: "Flag", id: "open" }, attrs: { on: true }, parents: [] },
    { uid: { type: "User", id: "dave" }, attrs: { vip: true }, parents: [] },
  ];
  const doc = { principal: 'User::"alice"', action: 'Action::"read"', resource: 'Doc::"d"' };
  it.each<[string, string, Record<string, unknown>, "allow" | "deny"]>([
    ["ancestors through parents", 'permit(principal in Group::"all", action, resource);', {}, "allow"],
    ["attribute chains", "permit(principal, action, resource) when { resource.owner.manager == principal };", {}, "allow"],
    ["entity literals in conditions", 'permit(principal, action, resource) when { Flag::"open".on };', {}, "allow"],
    ["entities named in context", "permit(principal, action, resource) when { context.who.vip };", { who: { __entity: { type: "User", id: "dave" } } }, "allow"],
    ["unreachable data stays unreachable", 'permit(principal in Group::"none", action, resource);', {}, "deny"],
  ])("%s", (_name, rule, context, decision) => {
    const r = createEvaluator({ policies: [policy("p", 0, [rule])], entities: ents }).evaluate({ ...doc, context });
    expect(r).toMatchObject({ decision, errors: [] });
  });
});

describe("schemas and action groups", () => {
  const schema = `
entity Group; entity User in [Group] { level?: Long }; entity AwsAccount;
action "all";
action request_access in ["all"] appliesTo { principal: User, resource: AwsAccount, context: {} };
`;
  const rules = ['permit(principal, action in Action::"all", resource);'];

  it("takes action groups from the schema", () => {
    const r = evaluate({ policies: [policy("p", 0, rules)], entities, schema, request: req("alice") });
    expect(r).toMatchObject({ decision: "allow", warnings: [] });
  });

  it("still evaluates with action groups when the entities do not match the schema, and warns", () => {
    const odd = [...entities, { uid: { type: "Stranger", id: "x" }, attrs: {}, parents: [] }];
    expect(checkEntities(odd, schema)).toHaveLength(1);
    expect(checkEntities(entities, schema)).toEqual([]);
    const r = evaluate({ policies: [policy("p", 0, rules)], entities: odd, schema, request: req("alice") });
    expect(r.decision).toBe("allow");
    expect(r.warnings[0]).toMatch(/entities do not match the schema.*Stranger/);
  });

  it("builds action entities from a namespaced schema", () => {
    const ns = 'namespace A { entity U; action g; action x in [g, B::Action::"y"] appliesTo { principal: U, resource: U }; } namespace B { action y; }';
    expect(schemaActionEntities(ns)).toContainEqual({
      uid: { type: "A::Action", id: "x" },
      attrs: {},
      parents: [
        { type: "A::Action", id: "g" },
        { type: "B::Action", id: "y" },
      ],
    });
  });
});

describe("shared use cases (cedar-policy/cedar-examples)", () => {
  const root = join(import.meta.dirname, "../fixtures/cedar-examples");
  const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

  it.each(cases)("%s: every ALLOW/DENY request gets its folder's decision", (name) => {
    const dir = join(root, name);
    const schema = readFileSync(join(dir, "policies.cedarschema"), "utf8");
    const entitiesJson: unknown = JSON.parse(readFileSync(join(dir, "entities.json"), "utf8"));
    const rules = splitStatements(readFileSync(join(dir, "policies.cedar"), "utf8")).map((s, i) => ({
      key: `cedar/policies/${name}/rules/${i + 1}`,
      text: s.text,
    }));
    expect(parseRules(rules)).toEqual([]);
    expect(validateRules(rules, schema).rules.filter((p) => p.severity === "error")).toEqual([]);
    const evaluator = createEvaluator({
      policies: [{ key: name, enabled: true, priority: 0, rules }],
      entities: entitiesJson,
      schema,
    });
    let count = 0;
    for (const expected of ["ALLOW", "DENY"] as const) {
      for (const file of readdirSync(join(dir, expected))) {
        const request = JSON.parse(readFileSync(join(dir, expected, file), "utf8")) as AccessRequest;
        const result = evaluator.evaluate(request);
        expect(result.requestError, file).toBeUndefined();
        expect(result.decision, `${name}/${expected}/${file}`).toBe(expected.toLowerCase());
        count++;
      }
    }
    expect(count).toBeGreaterThan(0);
  });

  it("document_cloud holds one rule twice (rules 2 and 5), which findDuplicateRules finds", () => {
    const text = readFileSync(join(root, "document_cloud/policies.cedar"), "utf8");
    const rules = splitStatements(text).map((s, i) => ({ key: String(i + 1), text: s.text }));
    expect(findDuplicateRules(rules)).toEqual([["2", "5"]]);
  });
});

describe("requests that do not match the schema", () => {
  const schema = `entity User; action a appliesTo { principal: User, resource: User, context: { n: Long } };`;
  const ents = [{ uid: { type: "User", id: "u" }, attrs: {}, parents: [] }];
  const policies = [policy("p", 0, ["permit(principal, action, resource) when { context.n == 1 };"])];
  const request = (context: Record<string, unknown>): AccessRequest => ({
    principal: 'User::"u"',
    action: 'Action::"a"',
    resource: 'User::"u"',
    context,
  });

  it("evaluates with the schema when the request matches it", () => {
    const r = createEvaluator({ policies, entities: ents, schema }).evaluate(request({ n: 1 }));
    expect(r).toEqual({ decision: "allow", deciding: ["p/1"], errors: [] });
  });

  it("evaluates without the schema, with a warning, when the context does not match it", () => {
    for (const preparse of [true, false]) {
      const r = createEvaluator({ policies, entities: ents, schema }, { preparse }).evaluate(request({ n: 1, extra: true }));
      expect(r.decision).toBe("allow");
      expect(r.warnings?.[0]).toMatch(/does not match the schema.*extra/);
    }
  });

  it("reports a schema that does not parse and evaluates without it", () => {
    const r = evaluate({ policies, entities: ents, schema: "entity", request: request({ n: 1 }) });
    expect(r.decision).toBe("allow");
    expect(r.warnings).toEqual(["the schema does not parse; evaluating without it"]);
  });
});
