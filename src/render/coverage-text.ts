/**
 * `accessctl test --coverage`: per managed Cedar policy, each rule (address, `@id`, file:line) and how many test
 * cases it decided; then the share against `minCoverage`; the rules no test decides last.
 */
import { percent } from "../quality/check-quality.js";
import type { Coverage } from "../quality/coverage.js";
import { ruleLabel } from "../quality/labels.js";
import type { Palette } from "./colour.js";

export function renderCoverage(c: Coverage, p: Palette): string {
  const lines: string[] = [p.bold("Coverage (test cases each rule decides):")];
  for (const policy of c.policies) {
    lines.push(`  ${policy.address}${policy.enabled ? "" : p.dim(" (disabled: not counted)")}`);
    if (policy.rules.length === 0) lines.push(p.dim("    (no rules)"));
    for (const r of policy.rules) {
      const n = `${r.cases} case${r.cases === 1 ? "" : "s"}`;
      lines.push(`    ${ruleLabel(r.rule)}: ${r.cases === 0 ? p.yellow(n) : n}`);
    }
  }
  const min = c.minCoverage === undefined ? "" : `, minCoverage ${percent(c.minCoverage)}${c.met ? "" : `: ${p.red("below")}`}`;
  lines.push(`${c.covered} of ${c.rules} rules decided by some test (${percent(c.share)})${min}`);
  if (c.uncovered.length > 0) {
    lines.push(p.bold("Not decided by any test:"));
    for (const r of c.uncovered) lines.push(`  ${ruleLabel(r)}`);
  }
  return lines.join("\n");
}
