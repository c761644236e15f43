/**
 * A measurement, not a timed test (speed goals live in bench/, SPEC section 9): the decision review of a change to
 * 1,000 Cedar rules over a universe of 10,000 requests. The figures are logged; only the results are asserted.
 * The first run in a process pays for compiling the engine's WebAssembly and our code (≈1–2 s of CPU, partly on
 * background threads); the second run shows the steady cost.
 */
import { describe, expect, it } from "vitest";
import { engineCallCounts, resetEngineCallCounts } from "../../src/cedar/engine.js";
import { reviewDecisions } from "../../src/decisions/decision-diff.js";
import { syntheticDecisionCase } from "../../src/decisions/synthetic-case.js";

describe("decision review at the scale of SPEC section 9", () => {
  it("reviews a change to 1,000 rules over a universe of 10,000 requests", () => {
    for (const run of ["cold", "warm"]) {
      // A fresh case each time, so that nothing is remembered from the first run but the compiled code.
      const { input, universeSize } = syntheticDecisionCase({ rules: 1000, salt: run });
      resetEngineCallCounts();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const review = reviewDecisions(input);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const { universe } = review.decisions;
      console.log(
        `decision review (${run}): ${review.stats.changedRules} changed rules, universe ${universe.requests} requests, ` +
          `${universe.evaluated} evaluated in ${seconds.toFixed(2)} s wall / ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU ` +
          `(${Math.round(universe.evaluated / seconds)} requests/s, both sides per request); engine: ${JSON.stringify(engineCallCounts())}`,
      );
      expect(universe.requests).toBe(universeSize);
      expect(universe.capped).toBe(false);
      expect(universe.evaluated).toBeGreaterThan(0.8 * universeSize);
      expect(review.decisions.groups.map((g) => g.change)).toContain("mixed");
    }
  });
});
