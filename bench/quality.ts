/**
 * The rule-quality checks at the decision review's scale (README.md#performance): coverage, invariants and
 * hygiene for 1,000 Cedar rules over a universe of 10,000 requests, in a cold process of their own (the engine's
 * WebAssembly is compiled there too), goal ≤ 5 s like the decision review.
 */
import { median, runJsonChild } from "./proc.js";

export interface QualityResult {
  /** Median seconds of `checkQuality` (coverage + invariants + hygiene), after the access tests ran. */
  checksS: number;
  /** Median seconds of the access tests that coverage counts (200 cases). */
  testsS: number;
  rules: number;
  universe: number;
}

export function ruleQuality(runs: number, log: (s: string) => void): QualityResult {
  const seen = runJsonChild<{ rules: number; universe: number; tests_s: number; checks_s: number; invariants: number[] }>("quality-child.js", runs, "rule quality");
  const first = seen[0]!;
  log(`rule quality: ${first.rules} rules, universe ${first.universe}, invariants over ${first.invariants.join(", ")} requests: checks ${seen.map((s) => s.checks_s.toFixed(2)).join(" ")} s (access tests ${seen.map((s) => s.tests_s.toFixed(2)).join(" ")} s)`);
  return { checksS: median(seen.map((s) => s.checks_s)), testsS: median(seen.map((s) => s.tests_s)), rules: first.rules, universe: first.universe };
}
