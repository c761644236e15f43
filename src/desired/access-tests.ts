/**
 * Access tests: each case evaluated locally against a set of Cedar policies (the desired rules for `test` and
 * `validate`; the live rules too, for the plan's access impact), with the service's semantics.
 */
import { createEvaluator, type EvalPolicy } from "../cedar/evaluate.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { AccessTestCase, DesiredState } from "./types.js";

export interface TestResult {
  name: string;
  expect: "allow" | "deny";
  decision: "allow" | "deny";
  pass: boolean;
  /** Addresses of the rules that decided; empty = nothing matched (default deny). */
  deciding: string[];
  /** Rules that errored while evaluating this case (they did not match). */
  errored: { address: string; message: string }[];
  requestError?: string;
  loc: AccessTestCase["loc"];
}

/** The desired Cedar policies as the evaluator sees them (left-out `enabled`/`priority` take the API defaults). */
export function desiredEvalPolicies(desired: DesiredState): EvalPolicy[] {
  return (desired.cedar?.policies ?? []).map((p) => ({
    key: p.address,
    enabled: p.enabled ?? true,
    priority: p.priority ?? 0,
    rules: p.rules.map((r) => ({ key: r.address, text: r.text })),
  }));
}

export function runAccessTests(
  desired: DesiredState,
  policies: EvalPolicy[] = desiredEvalPolicies(desired),
): { results: TestResult[]; diagnostics: Diagnostic[] } {
  const tests = desired.cedar?.tests;
  if (!tests || tests.cases.length === 0) return { results: [], diagnostics: [] };
  const evaluator = createEvaluator({
    policies,
    ...(tests.entities ? { entities: tests.entities.value } : {}),
    ...(desired.cedar?.schema ? { schema: desired.cedar.schema.text } : {}),
  });
  const diagnostics: Diagnostic[] = evaluator.warnings.map((w) =>
    diag("cedar-entities", w, tests.entities?.loc ?? desired.cedar?.loc, {
      severity: "warning",
      hint: "make the entities file match the schema; the tests were evaluated anyway",
    }),
  );
  const results = tests.cases.map((tc): TestResult => {
    const r = evaluator.evaluate({ principal: tc.principal, action: tc.action, resource: tc.resource, context: tc.context });
    const result: TestResult = {
      name: tc.name,
      expect: tc.expect,
      decision: r.decision,
      pass: r.decision === tc.expect && r.requestError === undefined,
      deciding: r.deciding,
      errored: r.errors.map((e) => ({ address: e.key, message: e.message })),
      loc: tc.loc,
    };
    if (r.requestError !== undefined) result.requestError = r.requestError;
    return result;
  });
  return { results, diagnostics };
}

/** A failing test makes the desired state invalid: one error per failure, at the test case. */
export function testDiagnostics(results: readonly TestResult[]): Diagnostic[] {
  return results
    .filter((r) => !r.pass)
    .map((r) =>
      diag(
        "access-test",
        r.requestError !== undefined
          ? `access test \`${r.name}\` could not be evaluated: ${r.requestError}`
          : `access test \`${r.name}\` gives ${r.decision}, expected ${r.expect}` +
              (r.deciding.length ? ` (decided by ${r.deciding.join(", ")})` : " (no rule matched)") +
              (r.errored.length ? `; erroring rules: ${r.errored.map((e) => `${e.address}: ${e.message}`).join("; ")}` : ""),
        r.loc,
        { hint: r.requestError !== undefined ? "fix the request's entity literals or context" : "fix the rules, or the test's expectation if the rules are right" },
      ),
    );
}
