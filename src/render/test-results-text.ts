/**
 * `accessctl test` lines: `PASS|FAIL <name>: <decision> (expected <expect>) by <addresses>`, erroring rules
 * under their case, then `N passed, N failed`.
 */
import type { TestResult } from "../desired/access-tests.js";
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
