/**
 * One cold process that times the decision review of a change to 1,000 Cedar rules over a universe of 10,000
 * requests (src/decisions/synthetic-case.ts) and prints the figures as one JSON line (bench/decisions.ts runs it).
 * The engine's WebAssembly is compiled in this process too, as in a `plan` run.
 */
import { reviewDecisions } from "../src/decisions/decision-diff.js";
import { syntheticDecisionCase } from "../src/decisions/synthetic-case.js";

const { input, universeSize } = syntheticDecisionCase({ rules: 1000 });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const review = reviewDecisions(input);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const { universe } = review.decisions;
if (universe.requests !== universeSize || universe.capped) throw new Error(`unexpected universe: ${JSON.stringify(universe)}`);
process.stdout.write(
  `${JSON.stringify({ rules: review.stats.changedRules, universe: universe.requests, evaluated: universe.evaluated, groups: review.decisions.groups.length, review_s: seconds, cpu_s: (cpu.user + cpu.system) / 1e6 })}\n`,
);
