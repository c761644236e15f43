/**
 * One cold process that times the rule-quality checks (coverage, invariants, hygiene) on the synthetic tenant of
 * 1,000 rules over a universe of 10,000 requests, and prints the figures as one JSON line (bench/quality.ts runs it).
 */
import { runAccessTests } from "../src/desired/access-tests.js";
import { checkQuality } from "../src/quality/check-quality.js";
import { syntheticQualityCase } from "../src/quality/synthetic-quality.js";

const { desired, rules, universeSize } = syntheticQualityCase({ rules: 1000 });
const t0 = performance.now();
const { results } = runAccessTests(desired);
const t1 = performance.now();
const { report } = checkQuality(desired, results, { hygiene: true, coverage: true });
const t2 = performance.now();
process.stdout.write(
  `${JSON.stringify({ rules, universe: report.universe?.requests ?? universeSize, tests: results.length, tests_s: (t1 - t0) / 1000, checks_s: (t2 - t1) / 1000, invariants: report.invariants.map((i) => i.requests) })}\n`,
);
