/**
 * Cedar diagnostics (issue 15): a syntax error gets a syntax hint, with or without a schema, and every rule's
 * problems are reported in one run — a syntax error in one rule does not hide another rule's schema error.
 */
import { describe, expect, it } from "vitest";
import { engineCallCounts, resetEngineCallCounts } from "../../src/cedar/engine.js";
import { validateDesiredState } from "../../src/desired/validate.js";
import { tempDir } from "../helpers/cli.js";

const SCHEMA = `entity User;
entity AwsAccount;
action request_access appliesTo { principal: [User], resource: [AwsAccount], context: { duration_seconds: Long } };
`;

const CEDAR = `cedar:
  schema: ./schema.cedarschema
  policies:
    - name: a
      maxDurationSeconds: 60
      rules:
        - cedar: permit(principal, action, resource) when { context.duration_seconds <= };
        - cedar: permit(principal, action == Action::"request_acess", resource);
    - name: b
      maxDurationSeconds: 60
      rules:
        - effect: forbid
          when: context.nope
        - cedar: forbid(principal, action, resource) unless { +++ };
`;

describe("Cedar problems of every rule, in one run", () => {
  it("with a schema: syntax errors carry a syntax hint, and the other rules are still validated", () => {
    resetEngineCallCounts();
    const r = validateDesiredState(tempDir(undefined, { "cedar.yaml": CEDAR, "schema.cedarschema": SCHEMA }), { env: {} });
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.address, d.code])).toEqual([
      ["cedar/policies/a/rules/1", "cedar-parse"],
      ["cedar/policies/a/rules/2", "cedar-validate"],
      ["cedar/policies/b/rules/1", "cedar-validate"],
      ["cedar/policies/b/rules/2", "cedar-parse"],
    ]);
    for (const d of errors.filter((x) => x.code === "cedar-parse")) {
      expect(d.hint).toMatch(/^fix the Cedar syntax of this rule/);
      expect(d.hint).not.toMatch(/schema/);
    }
    expect(errors[1]!.hint).toContain("did you mean");
    // One validation call for all rules, and one more for the rules that parse: never one call per rule.
    expect(engineCallCounts().validate).toBe(2);
  });

  it("when every rule parses, one validation call suffices", () => {
    resetEngineCallCounts();
    const ok = CEDAR.replace("context.duration_seconds <= }", "context.duration_seconds <= 60 }").replace("unless { +++ }", "unless { context.duration_seconds > 60 }");
    const r = validateDesiredState(tempDir(undefined, { "cedar.yaml": ok, "schema.cedarschema": SCHEMA }), { env: {} });
    expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.address)).toEqual(["cedar/policies/a/rules/2", "cedar/policies/b/rules/1"]);
    expect(engineCallCounts().validate).toBe(1);
  });

  it("without a schema: every syntax error is reported, each with the syntax hint", () => {
    const r = validateDesiredState(tempDir(undefined, { "cedar.yaml": CEDAR.replace("  schema: ./schema.cedarschema\n", "") }), { env: {} });
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.address, d.code])).toEqual([
      ["cedar/policies/a/rules/1", "cedar-parse"],
      ["cedar/policies/b/rules/2", "cedar-parse"],
    ]);
  });
});
