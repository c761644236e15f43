import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../src/cedar/evaluate.js";
import type { EvalPolicy } from "../../src/cedar/evaluate.js";
import { splitStatements } from "../../src/cedar/split.js";
import { literalOf } from "../../src/decisions/entity-keys.js";
import { explainRequest } from "../../src/decisions/explain.js";
import { everyRequest } from "../../src/decisions/request-space.js";
import { annotationId } from "../../src/decisions/rule-refs.js";
import type { RuleRef } from "../../src/decisions/rule-refs.js";
import { createSideEvaluator } from "../../src/decisions/side-evaluator.js";
import { buildUniverse } from "../../src/decisions/universe.js";
import { readRequests } from "../helpers/cedar-example.js";

const EXAMPLES = ["document_cloud", "github_example", "tags_n_roles"];

function example(name: string) {
  const dir = join("test/fixtures/cedar-examples", name);
  const statements = splitStatements(readFileSync(join(dir, "policies.cedar"), "utf8"));
  const address = (i: number) => `cedar/policies/${name}/rules/${i + 1}`;
  const policies: EvalPolicy[] = [{ key: `cedar/policies/${name}`, enabled: true, priority: 0, rules: statements.map((s, i) => ({ key: address(i), text: s.text })) }];
  const refs = new Map<string, RuleRef>(
    statements.map((s, i) => {
      const id = annotationId(s.text);
      return [address(i), { address: address(i), ...(id === undefined ? {} : { id }), file: `${name}/policies.cedar`, line: 1 + i }];
    }),
  );
  return {
    policies,
    refs,
    schema: readFileSync(join(dir, "policies.cedarschema"), "utf8"),
    entities: JSON.parse(readFileSync(join(dir, "entities.json"), "utf8")) as unknown,
    requests: readRequests(dir),
  };
}

describe.each(EXAMPLES)("the cedar example %s", (name) => {
  const ex = example(name);

  it("explain gives every ALLOW/DENY request its expected decision, and names a deciding rule for ALLOW", () => {
    const independent = createEvaluator({ policies: ex.policies, entities: ex.entities, schema: ex.schema });
    for (const r of ex.requests) {
      const answer = explainRequest({ policies: ex.policies, schema: ex.schema, entities: ex.entities, refs: ex.refs, ...r });
      if (!answer.ok) throw new Error(`${r.name}: ${JSON.stringify(answer.problems)}`);
      const { explanation } = answer;
      expect(explanation.decision, r.name).toBe(r.expect);
      if (r.expect === "allow") {
        expect(explanation.deciding.length, r.name).toBeGreaterThan(0);
        expect(explanation.group).toEqual({ priority: 0 });
      }
      const direct = independent.evaluate(r);
      expect(explanation.deciding.map((d) => d.address), r.name).toEqual(direct.deciding);
      expect(explanation.errored.map((e) => e.rule.address), r.name).toEqual(direct.errors.map((e) => e.key));
    }
  });

  it("builds its universe, and decides every request of it as the access tests' evaluator does", () => {
    const universe = buildUniverse({ schema: ex.schema, entities: ex.entities, rules: ex.policies[0]?.rules.map((r) => r.text) ?? [], tests: ex.requests });
    const requests = everyRequest(universe).requests.map((r) => {
      const action = universe.actions[r.action];
      if (!action) throw new Error("no action");
      return { principal: r.principal, action: action.ref, resource: r.resource, context: action.contexts[r.context] ?? {} };
    });
    console.log(`${name}: universe of ${universe.size} requests (${universe.entities.length} entities, ${universe.actions.length} actions)`);
    expect(requests.length).toBe(universe.size);
    expect(universe.size).toBeGreaterThan(0);
    const outcomes = createSideEvaluator({ sides: [ex.policies], schema: ex.schema, entities: ex.entities }).evaluate(requests);
    const independent = createEvaluator({ policies: ex.policies, entities: ex.entities, schema: ex.schema });
    requests.forEach((r, i) => {
      const direct = independent.evaluate({ principal: literalOf(r.principal), action: literalOf(r.action), resource: literalOf(r.resource), context: r.context });
      const ours = outcomes[i]?.[0];
      expect({ decision: ours?.decision, deciding: ours?.deciding, errors: ours?.errors.map((e) => e.key) }).toEqual({
        decision: direct.decision,
        deciding: direct.deciding,
        errors: direct.errors.map((e) => e.key),
      });
    });
  });
});

describe("explain", () => {
  const SCHEMA = `entity Group; entity User in [Group] { level: Long }; entity Public; entity Doc;
    action view appliesTo { principal: [User, Public], resource: [Doc], context: { ticket?: String } };`;
  const ENTITIES = [
    { uid: { type: "User", id: "alice" }, attrs: { level: 5 }, parents: [{ type: "Group", id: "admins" }] },
    { uid: { type: "User", id: "bob" }, attrs: { level: 1 }, parents: [] },
    { uid: { type: "Group", id: "admins" }, attrs: {}, parents: [] },
  ];
  const policies: EvalPolicy[] = [
    { key: "hi", enabled: true, priority: 10, rules: [{ key: "hi/1", text: 'forbid(principal == User::"bob", action, resource) unless { context has ticket };' }] },
    { key: "mid", enabled: true, priority: 5, rules: [{ key: "mid/1", text: "permit(principal, action, resource) when { principal.level > 3 };" }] },
    {
      key: "lo",
      enabled: true,
      priority: 0,
      rules: [
        { key: "lo/1", text: "permit(principal, action, resource);" },
        { key: "lo/2", text: 'forbid(principal is Public, action, resource) when { context has ticket };' },
      ],
    },
    { key: "off", enabled: false, priority: 99, rules: [{ key: "off/1", text: "forbid(principal, action, resource);" }] },
  ];
  const run = (principal: string, action: string, resource: string, context?: string) => {
    const answer = explainRequest({ policies, schema: SCHEMA, entities: ENTITIES, principal, action, resource, ...(context === undefined ? {} : { context }) });
    if (!answer.ok) throw new Error(JSON.stringify(answer.problems));
    return answer.explanation;
  };

  it("names the deciding group, its rules, and the higher groups that did not match", () => {
    expect(run('User::"alice"', "view", 'Doc::"d"')).toMatchObject({
      request: { principal: 'User::"alice"', action: 'Action::"view"', resource: 'Doc::"d"', context: {} },
      decision: "allow",
      group: { priority: 5 },
      deciding: [{ address: "mid/1" }],
      notMatched: [{ priority: 10, rules: [{ address: "hi/1" }] }],
      errored: [],
    });
    expect(run('User::"bob"', 'Action::"view"', 'Doc::"d"')).toMatchObject({ decision: "deny", group: { priority: 10 }, deciding: [{ address: "hi/1" }], notMatched: [] });
  });

  it("reports rules whose conditions errored, and the permits a forbid overrode", () => {
    expect(run('Public::"p"', "view", 'Doc::"d"')).toMatchObject({
      decision: "allow",
      group: { priority: 0 },
      deciding: [{ address: "lo/1" }],
      notMatched: [{ priority: 10 }, { priority: 5, rules: [{ address: "mid/1" }] }],
      errored: [{ rule: { address: "mid/1" }, message: expect.stringMatching(/Public::"p"` does not exist/) }],
    });
    expect(run('Public::"p"', "view", 'Doc::"d"', '{"ticket": "T-1"}')).toMatchObject({
      decision: "deny",
      group: { priority: 0 },
      deciding: [{ address: "lo/2" }],
      overridden: [{ address: "lo/1" }],
    });
  });

  it("says when nothing matched: every group is above", () => {
    const answer = explainRequest({ policies: policies.slice(0, 2), schema: SCHEMA, entities: ENTITIES, principal: 'User::"carol"', action: "view", resource: 'Doc::"d"' });
    expect(answer).toMatchObject({ ok: true, explanation: { decision: "deny", group: null, deciding: [], notMatched: [{ priority: 10 }, { priority: 5 }] } });
  });

  it("reports a rule that does not parse, and decides with the others", () => {
    const broken: EvalPolicy[] = [{ key: "p", enabled: true, priority: 0, rules: [{ key: "p/1", text: "permit(principal, action" }, { key: "p/2", text: "permit(principal, action, resource);" }] }];
    const answer = explainRequest({ policies: broken, principal: 'User::"a"', action: "view", resource: 'Doc::"d"' });
    expect(answer).toMatchObject({ ok: true, explanation: { decision: "allow", deciding: [{ address: "p/2" }], errored: [{ rule: { address: "p/1" }, message: expect.stringMatching(/does not parse/) }] } });
  });

  it.each([
    ["alice", "view", 'Doc::"d"', undefined, "principal", /not a Cedar entity literal/],
    ['User::"alice"', 'User::"x"', 'Doc::"d"', undefined, "action", /not an action/],
    ['User::"alice"', 'Act::"x', 'Doc::"d"', undefined, "action", /neither an action id nor/],
    ['User::"alice"', "view", "Doc::d", undefined, "resource", /not a Cedar entity literal/],
    ['User::"alice"', "view", 'Doc::"d"', "{ticket: 1}", "context", /not valid JSON/],
    ['User::"alice"', "view", 'Doc::"d"', "[1]", "context", /must be a JSON object, got an array/],
  ])("refuses %s %s %s %s with a hint", (principal, action, resource, context, part, message) => {
    const answer = explainRequest({ policies, principal, action, resource, ...(context === undefined ? {} : { context }) });
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.problems).toHaveLength(1);
    expect(answer.problems[0]).toMatchObject({ part, message: expect.stringMatching(message), hint: expect.any(String) });
  });
});
