/**
 * `npm run bench` — the goals of README.md#performance, measured against the emulator on this machine: the real
 * CLI in child processes, the emulator in a process of its own. Progress goes to stderr; stdout gets the table, or
 * with `--json` one JSON object as its last line.
 *
 *   npm run bench                       the table
 *   npm run bench -- --json             the JSON line (the table on stderr)
 *   npm run bench -- --only plan,apply  a subset (plan | scaling | apply | ratelimit | validate | quality | decisions); the rest is 0
 */
import { cpus, loadavg } from "node:os";
import { goalRows, renderTable, roundJson, type BenchJson } from "./report.js";
import { ruleQuality, type QualityResult } from "./quality.js";
import { decisionReview, explainCold, type DecisionReviewResult } from "./decisions.js";
import { companions, latencyBoundS, type Companions, type FloorResult, type LatencyResult } from "./latency.js";
import { apply2k, planAllLive, rateLimited, validateCold, validateGenerated, workspace, type ApplyResult, type PlanResult, type RateLimitResult } from "./scenarios.js";
import type { CliRun } from "./proc.js";

const argv = process.argv.slice(2);
const json = argv.includes("--json");
const onlyArg = argv.find((a) => a.startsWith("--only"));
const onlyValue = onlyArg === undefined ? undefined : onlyArg.includes("=") ? onlyArg.split("=")[1] : argv[argv.indexOf(onlyArg) + 1];
const only = onlyValue === undefined ? undefined : new Set(onlyValue.split(","));
const wants = (s: string): boolean => only === undefined || only.has(s);

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

async function main(): Promise<void> {
  const ws = workspace();
  const load0 = loadavg()[0]!;
  log(`accessctl bench: ${cpus().length} CPUs, node ${process.version}, load average ${load0.toFixed(2)}; scratch in ${ws.root}`);
  const started = performance.now();
  try {
    const plans = new Map<number, PlanResult>();
    let tenK: Companions | undefined;
    if (wants("plan") || wants("scaling")) {
      for (const n of wants("scaling") ? [1000, 5000, 10_000, 50_000, 200_000] : [10_000]) {
        // Beside the 10,000-object plan, interleaved with its runs: the floor process, and the plan at 50 ms latency.
        const beside = n === 10_000 && wants("plan") ? async () => (tenK = await companions(ws, n, 50, log)) : undefined;
        plans.set(n, await planAllLive(ws, n, n === 10_000 ? 5 : n >= 200_000 ? 1 : n >= 50_000 ? 2 : 3, log, beside));
      }
    }
    const validate200k: CliRun | undefined = plans.has(200_000) ? await validateGenerated(ws, 200_000, log) : undefined;
    let latency: LatencyResult | undefined;
    let floor: FloorResult | undefined;
    if (tenK) {
      floor = tenK.floor();
      latency = tenK.latency();
    }
    let apply: ApplyResult | undefined;
    if (wants("apply")) apply = await apply2k(ws, 2000, 25, log);
    let rate: RateLimitResult | undefined;
    if (wants("ratelimit")) rate = await rateLimited(ws, 50, 500, log);
    let validate: number | undefined;
    if (wants("validate")) validate = (await validateCold(10, log)).medianS;
    let quality: QualityResult | undefined;
    if (wants("quality")) quality = ruleQuality(3, log);
    let decisions: DecisionReviewResult | undefined;
    let explain: { medianS: number; cpuS: number } | undefined;
    if (wants("decisions")) {
      decisions = decisionReview(3, log);
      explain = await explainCold(10, log);
    }

    const p = (n: number): number => plans.get(n)?.wallS ?? 0;
    const result: BenchJson = roundJson({
      plan10k_s: p(10_000),
      plan10k_rss_mb: plans.get(10_000)?.rssMb ?? 0,
      plan200k_rss_mb: plans.get(200_000)?.rssMb ?? 0,
      plan10k_cpu_s: plans.get(10_000)?.cpuS ?? 0,
      floor10k_s: floor?.wallS ?? 0,
      plan10k_floor_ratio: floor && p(10_000) ? p(10_000) / floor.wallS : 0,
      plan10k_latency_s: latency?.wallS ?? 0,
      plan10k_latency_bound_s: latency ? latencyBoundS(p(10_000), latency) : 0,
      apply2k_s: apply?.wallS ?? 0,
      apply2k_ideal_s: apply?.idealS ?? 0,
      apply2k_ratio: apply ? apply.wallS / apply.idealS : 0,
      apply2k_seq_s: apply?.seqWallS ?? 0,
      apply2k_speedup: apply ? apply.seqWallS / apply.wallS : 0,
      ratelimit_target_rps: rate?.targetRps ?? 0,
      ratelimit_achieved_rps: rate?.achievedRps ?? 0,
      ratelimit_failed: rate?.failed ?? 0,
      validate_cold_s: validate ?? 0,
      rule_quality_s: quality?.checksS ?? 0,
      decision_review_s: decisions?.reviewS ?? 0,
      decision_universe: decisions?.universe ?? 0,
      decision_requests_per_s: decisions?.requestsPerS ?? 0,
      explain_cold_s: explain?.medianS ?? 0,
      scaling: { "1000": p(1000), "5000": p(5000), "10000": p(10_000), "50000": p(50_000), "200000": p(200_000) },
    });
    const table = renderTable(
      goalRows(result, {
        perApiIdealS: apply?.perApiIdealS ?? 1,
        applyExecS: apply?.execS ?? 0,
        applySeqExecS: apply?.seqExecS ?? 0,
        ratelimitWrites: rate?.writes ?? 0,
        rejected429: rate?.rejected429 ?? 0,
        planCpuS: Object.fromEntries([...plans].map(([n, r]) => [String(n), r.cpuS])),
        floorCpuS: floor?.cpuS ?? 0,
        latencyReadCalls: latency?.readCalls ?? 0,
        decisionCpuS: decisions?.cpuS ?? 0,
        explainCpuS: explain?.cpuS ?? 0,
        validate200k: validate200k ? { wallS: validate200k.wallS, cpuS: validate200k.cpuS ?? 0, rssMb: validate200k.rssMb ?? 0 } : undefined,
      }),
    );
    const footer = `measured on ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), node ${process.version}; load average ${load0.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end; ${((performance.now() - started) / 1000).toFixed(0)} s in all`;
    if (json) {
      log(table);
      log(footer);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      process.stdout.write(`${table}\n\n${footer}\n`);
    }
  } finally {
    ws.cleanup();
  }
}

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
