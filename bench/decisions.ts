/**
 * The decision review and `explain` at the goals of README.md#performance: the review of a change to 1,000 Cedar
 * rules over a universe of 10,000 requests in a cold process of its own (≤ 5 s), and `explain` of one request as a
 * fresh CLI process (≤ 1 s).
 */
import { median, runCli, runJsonChild } from "./proc.js";

export interface DecisionReviewResult {
  /** Median wall seconds of the review, in a cold process. */
  reviewS: number;
  cpuS: number;
  universe: number;
  evaluated: number;
  /** Requests decided (with both sides) per second of wall time. */
  requestsPerS: number;
}

export function decisionReview(runs: number, log: (s: string) => void): DecisionReviewResult {
  const seen = runJsonChild<{ rules: number; universe: number; evaluated: number; groups: number; review_s: number; cpu_s: number }>("decisions-child.js", runs, "decision review");
  const first = seen[0]!;
  const reviewS = median(seen.map((s) => s.review_s));
  log(
    `decision review: ${first.rules} changed rules, universe ${first.universe} requests, ${first.evaluated} evaluated, ${first.groups} groups: ` +
      `${seen.map((s) => s.review_s.toFixed(2)).join(" ")} s wall (CPU ${seen.map((s) => s.cpu_s.toFixed(2)).join(" ")} s)`,
  );
  return { reviewS, cpuS: median(seen.map((s) => s.cpu_s)), universe: first.universe, evaluated: first.evaluated, requestsPerS: first.evaluated / reviewS };
}

/** Median wall time of cold `explain` processes on the quickstart (one request, the desired rules). */
export async function explainCold(runs: number, log: (s: string) => void): Promise<{ medianS: number; cpuS: number }> {
  const args = ["explain", "examples/quickstart", 'User::"bob"', "request_access", 'AwsAccount::"prod"', "--context", '{"duration_seconds": 1800, "ticket": "INC-2"}'];
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await runCli(args);
    if (run.code !== 0 || !run.stdout.includes("ALLOW")) throw new Error(`explain: exit ${run.code}\n${run.stderr.slice(-1000)}\n${run.stdout.slice(-500)}`);
    times.push(run.wallS);
    if (run.cpuS !== undefined) cpu.push(run.cpuS);
  }
  log(`explain (cold): ${times.map((t) => t.toFixed(2)).join(" ")} s`);
  return { medianS: median(times), cpuS: cpu.length ? median(cpu) : 0 };
}
