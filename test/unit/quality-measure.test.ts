/**
 * A measurement, not a timed test (speed goals live in bench/, SPEC section 9): coverage, invariants and hygiene
 * for 1,000 Cedar rules over a universe of 10,000 requests, within the decision review's budget (≤ 5 s). The
 * figures are logged; only the results are asserted. The first run pays for compiling the engine's WebAssembly.
 */
import { describe, expect, it } from "vitest";
import { runAccessTests } from "../../src/desired/access-tests.js";
import { checkQuality } from "../../src/quality/check-quality.js";
import { syntheticQualityCase } from "../../src/quality/synthetic-quality.js";

describe("rule quality at the scale of SPEC section 9", () => {
  it("checks coverage, invariants and hygiene for 1,000 rules", () => {
    for (const run of ["cold", "warm"]) {
      const { desired, rules, universeSize } = syntheticQualityCase({ rules: 1000, salt: run });
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const { results } = runAccessTests(desired);
      const t1 = performance.now();
      const { report, diagnostics } = checkQuality(desired, results, { hygiene: true, coverage: true });
      const t2 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      const checked = report.invariants.map((i) => `${i.requests}${i.status === "holds" ? "" : ` ${i.status}`}`).join(", ");
      console.log(
        `rule quality (${run}): ${rules} rules, universe ${report.universe?.requests} requests, ${results.length} access tests in ${((t1 - t0) / 1000).toFixed(2)} s; ` +
          `coverage + invariants (${checked} requests) + hygiene (${diagnostics.filter((d) => d.code.endsWith("-rule")).length} warnings) in ${((t2 - t1) / 1000).toFixed(2)} s wall, ` +
          `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU in all (budget 5 s)`,
      );
      expect(report.universe?.requests).toBe(universeSize);
      expect(report.coverage?.rules).toBe(rules);
      expect(report.coverage?.covered).toBeGreaterThan(0);
      expect(report.invariants.map((i) => i.status)).toEqual(["holds", "holds", "violated"]);
      expect(report.invariants[2]?.requests).toBe(universeSize);
    }
  });
});
