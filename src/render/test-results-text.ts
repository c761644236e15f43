/**
 * `accessctl test` lines: `PASS|FAIL <name>: <decision> (expected <expect>) by <addresses>`, erroring rules
 * under their case, then `N passed, N failed`; then one line per invariant.
 */
import type { TestResult } from "../desired/access-tests.js";
import type { InvariantCheck } from "../quality/invariants.js";
import { requestLabel, ruleLabel } from "../quality/labels.js";
import type { Palette } from "./colour.js";

export function renderTestResults(results: readonly TestResult[], p: Palette): string {
  const lines: string[] = [];
  for (const r of results) {
    const status = r.pass ? p.green("PASS") : p.red("FAIL");
    const by = r.requestError !== undefined ? `request error: ${r.requestError}` : r.deciding.length ? `by ${r.deciding.join(", ")}` : "by no matching rule (default deny)";
    lines.push(`${status} ${r.name}: ${r.decision} (expected ${r.expect}) ${by}`);
    for (const e of r.errored) lines.push(`  ${p.yellow("rule error")} ${e.address}: ${e.message}`);
  }
  const passed = results.filter((r) => r.pass).length;
  lines.push(`${passed} passed, ${results.length - passed} failed`);
  return lines.join("\n");
}

/**
 * One line per invariant: `PASS invariant <name>: <expect> on N requests`, or FAIL with the first violating
 * request and the rules that decide it, or SKIP above the cap.
 */
export function renderInvariantChecks(checks: readonly InvariantCheck[], p: Palette): string {
  return checks
    .map((c) => {
      const head = `invariant ${c.name}: ${c.expect} on ${c.requests} request${c.requests === 1 ? "" : "s"}`;
      if (c.status === "capped") return `${p.yellow("SKIP")} invariant ${c.name}: ${c.requests} requests match, above cedar.review.maxRequests: not checked`;
      if (c.status === "holds") return `${p.green("PASS")} ${head}`;
      const v = c.violation!;
      const by = v.decision === "error" ? `cannot be evaluated: ${v.requestError ?? "unknown error"}` : `${v.decision} by ${v.deciding.length ? v.deciding.map(ruleLabel).join(", ") : "no matching rule (default deny)"}`;
      return `${p.red("FAIL")} ${head}, ${v.count} violate it, e.g. ${requestLabel(v.request)}: ${by}`;
    })
    .join("\n");
}
