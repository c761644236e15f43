/**
 * The benchmark's outputs: the JSON object (exactly the keys of issue 10) and a human table with each goal of
 * README.md#performance and whether it holds.
 */

export interface BenchJson {
  plan10k_s: number;
  plan10k_rss_mb: number;
  /** CPU seconds (user + sys) of the 10,000-object plan process (median). */
  plan10k_cpu_s: number;
  /** The floor process: read and parse the same 10,000-object files, one Cedar validation call (median wall). */
  floor10k_s: number;
  /** plan10k_s / floor10k_s (goal ≤ 1.6). */
  plan10k_floor_ratio: number;
  /** The 10,000-object plan against 50 ms of latency, and its bound: plan10k_s + ⌈read calls / 8⌉ × 50 ms. */
  plan10k_latency_s: number;
  plan10k_latency_bound_s: number;
  apply2k_s: number;
  apply2k_ideal_s: number;
  apply2k_ratio: number;
  apply2k_seq_s: number;
  apply2k_speedup: number;
  ratelimit_target_rps: number;
  ratelimit_achieved_rps: number;
  ratelimit_failed: number;
  validate_cold_s: number;
  /** Coverage + invariants + hygiene for 1,000 Cedar rules over 10,000 requests, cold process (median). */
  rule_quality_s: number;
  /** The decision review of a change to 1,000 Cedar rules, cold process (median wall), and its universe's size. */
  decision_review_s: number;
  decision_universe: number;
  /** Requests of the review decided before and after, per second of wall time. */
  decision_requests_per_s: number;
  /** `explain` of one request on the quickstart, cold process (median of 10). */
  explain_cold_s: number;
  scaling: Record<"1000" | "5000" | "10000" | "50000" | "200000", number>;
  /** Peak RSS of the plan of 200,000 declared objects (SPEC section 9: ≤ 2 GB). */
  plan200k_rss_mb: number;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

export function roundJson(j: BenchJson): BenchJson {
  return {
    plan10k_s: r2(j.plan10k_s),
    plan10k_rss_mb: Math.round(j.plan10k_rss_mb),
    plan200k_rss_mb: Math.round(j.plan200k_rss_mb),
    plan10k_cpu_s: r2(j.plan10k_cpu_s),
    floor10k_s: r2(j.floor10k_s),
    plan10k_floor_ratio: r2(j.plan10k_floor_ratio),
    plan10k_latency_s: r2(j.plan10k_latency_s),
    plan10k_latency_bound_s: r2(j.plan10k_latency_bound_s),
    apply2k_s: r2(j.apply2k_s),
    apply2k_ideal_s: r2(j.apply2k_ideal_s),
    apply2k_ratio: r2(j.apply2k_ratio),
    apply2k_seq_s: r2(j.apply2k_seq_s),
    apply2k_speedup: r2(j.apply2k_speedup),
    ratelimit_target_rps: j.ratelimit_target_rps,
    ratelimit_achieved_rps: r2(j.ratelimit_achieved_rps),
    ratelimit_failed: j.ratelimit_failed,
    validate_cold_s: r2(j.validate_cold_s),
    rule_quality_s: r2(j.rule_quality_s),
    decision_review_s: r2(j.decision_review_s),
    decision_universe: j.decision_universe,
    decision_requests_per_s: Math.round(j.decision_requests_per_s),
    explain_cold_s: r2(j.explain_cold_s),
    scaling: {
      "1000": r2(j.scaling["1000"]),
      "5000": r2(j.scaling["5000"]),
      "10000": r2(j.scaling["10000"]),
      "50000": r2(j.scaling["50000"]),
      "200000": r2(j.scaling["200000"]),
    },
  };
}

export interface Row {
  measure: string;
  value: string;
  goal: string;
  ok: boolean | undefined;
  /** False when the scenario was not run (`--only`): the row then says "not run", never "yes" or "NO". */
  measured?: boolean;
}

export interface Extra {
  perApiIdealS: number;
  ratelimitWrites: number;
  rejected429: number;
  applyExecS: number;
  applySeqExecS: number;
  /** Median CPU seconds of the floor process. */
  floorCpuS: number;
  /** GET requests of one 10,000-object plan, from the emulator's log. */
  latencyReadCalls: number;
  /** Median CPU seconds of the decision review and of the cold `explain` process (0 when not measured). */
  decisionCpuS?: number;
  explainCpuS?: number;
  /** Median CPU seconds of the plan processes, by size. */
  planCpuS: Partial<Record<"1000" | "5000" | "10000" | "50000" | "200000", number>>;
  /** `validate` of the 200,000-object directory, when the scaling runs were measured. */
  validate200k?: { wallS: number; cpuS: number; rssMb: number };
}

export function goalRows(j: BenchJson, extra: Extra): Row[] {
  const s = (x: number): string => `${x.toFixed(2)} s`;
  return [
    { measure: "plan, 10,000 objects all live (wall)", value: s(j.plan10k_s), goal: "≈ 3 s quiet (info)", ok: undefined },
    { measure: "  CPU time of that process (user + sys)", value: s(extra.planCpuS["10000"] ?? 0), goal: "(info)", ok: undefined },
    { measured: j.plan10k_rss_mb > 0, measure: "plan, 10,000 objects: peak RSS", value: `${j.plan10k_rss_mb.toFixed(0)} MB`, goal: "≤ 400 MB", ok: j.plan10k_rss_mb <= 400 },
    { measure: "floor: read + parse the same files, 1 Cedar validation", value: `${s(j.floor10k_s)} (CPU ${s(extra.floorCpuS)})`, goal: "", ok: undefined },
    { measured: j.floor10k_s > 0, measure: "  plan / floor (wall)", value: j.plan10k_floor_ratio.toFixed(2), goal: "≤ 1.6", ok: j.plan10k_floor_ratio <= 1.6 },
    { measure: "plan, 10,000 objects, 50 ms latency", value: s(j.plan10k_latency_s), goal: "", ok: undefined },
    {
      measure: `  bound: plan + ⌈${extra.latencyReadCalls} reads / 8⌉ × 50 ms`,
      value: s(j.plan10k_latency_bound_s),
      goal: "",
      ok: undefined,
    },
    {
      measured: j.plan10k_latency_s > 0, measure: "  ratio to the bound",
      value: (j.plan10k_latency_s / (j.plan10k_latency_bound_s || 1)).toFixed(2),
      goal: "≤ 1.3",
      ok: j.plan10k_latency_s <= 1.3 * j.plan10k_latency_bound_s,
    },
    { measure: "apply, 2,000 creates, 25 ms latency", value: s(j.apply2k_s), goal: "", ok: undefined },
    { measure: "  ideal bound Σ⌈n_layer/8⌉×25 ms", value: s(j.apply2k_ideal_s), goal: "", ok: undefined },
    { measured: j.apply2k_s > 0, measure: "  ratio to the ideal bound", value: j.apply2k_ratio.toFixed(2), goal: "≤ 1.25", ok: j.apply2k_ratio <= 1.25 },
    { measure: "  of which executing the changes", value: s(extra.applyExecS), goal: "(info)", ok: undefined },
    { measure: "  executing, ratio to the per-API bound", value: (extra.applyExecS / extra.perApiIdealS).toFixed(2), goal: "(info)", ok: undefined },
    { measure: "apply, 2,000 creates, --concurrency 1", value: s(j.apply2k_seq_s), goal: "", ok: undefined },
    { measure: "  of which executing the changes", value: s(extra.applySeqExecS), goal: "(info)", ok: undefined },
    { measured: j.apply2k_seq_s > 0, measure: "  speed-up of concurrency 8 (wall)", value: `${j.apply2k_speedup.toFixed(2)}×`, goal: "≥ 6×", ok: j.apply2k_speedup >= 6 },
    { measure: "  speed-up, executing only", value: `${(extra.applySeqExecS / (extra.applyExecS || 1)).toFixed(2)}×`, goal: "(info)", ok: undefined },
    {
      measured: j.ratelimit_target_rps > 0, measure: `apply under --rate-limit ${j.ratelimit_target_rps}`,
      value: `${j.ratelimit_achieved_rps.toFixed(1)} writes/s`,
      goal: `≥ ${(0.9 * j.ratelimit_target_rps).toFixed(1)}/s`,
      ok: j.ratelimit_achieved_rps >= 0.9 * j.ratelimit_target_rps,
    },
    { measured: j.ratelimit_target_rps > 0, measure: `  failed changes (${extra.ratelimitWrites} writes, ${extra.rejected429} × 429)`, value: String(j.ratelimit_failed), goal: "0", ok: j.ratelimit_failed === 0 },
    { measured: j.validate_cold_s > 0, measure: "validate quickstart, cold process (median of 10)", value: s(j.validate_cold_s), goal: "≤ 0.5 s", ok: j.validate_cold_s <= 0.5 },
    { measured: j.rule_quality_s > 0, measure: "coverage + invariants + hygiene, 1,000 rules, 10,000 requests", value: s(j.rule_quality_s), goal: "≤ 5 s", ok: j.rule_quality_s <= 5 },
    { measured: j.decision_review_s > 0, measure: `decision review, 1,000 changed rules, universe of ${j.decision_universe.toLocaleString("en-US")}`, value: `${s(j.decision_review_s)} (CPU ${s(extra.decisionCpuS ?? 0)})`, goal: "≤ 5 s", ok: j.decision_review_s <= 5 },
    { measure: "  requests decided before and after, per second", value: `${Math.round(j.decision_requests_per_s).toLocaleString("en-US")}/s`, goal: "(info)", ok: undefined },
    { measured: j.explain_cold_s > 0, measure: "explain one request, cold process (median of 10)", value: `${s(j.explain_cold_s)} (CPU ${s(extra.explainCpuS ?? 0)})`, goal: "≤ 1 s", ok: j.explain_cold_s <= 1 },
    { measure: "plan scaling: 1,000 objects", value: `${s(j.scaling["1000"])} (CPU ${s(extra.planCpuS["1000"] ?? 0)})`, goal: "", ok: undefined },
    { measure: "plan scaling: 5,000 objects", value: `${s(j.scaling["5000"])} (CPU ${s(extra.planCpuS["5000"] ?? 0)})`, goal: "", ok: undefined },
    { measure: "plan scaling: 10,000 objects", value: `${s(j.scaling["10000"])} (CPU ${s(extra.planCpuS["10000"] ?? 0)})`, goal: "", ok: undefined },
    {
      measured: j.scaling["50000"] > 0, measure: "plan scaling: 50,000 objects",
      value: `${s(j.scaling["50000"])} (CPU ${s(extra.planCpuS["50000"] ?? 0)}; ${(j.scaling["50000"] / j.scaling["10000"]).toFixed(2)}× 10k)`,
      goal: "≤ 6× 10k",
      ok: j.scaling["50000"] <= 6 * j.scaling["10000"],
    },
    {
      measured: j.scaling["200000"] > 0, measure: "plan scaling: 200,000 objects",
      value: `${s(j.scaling["200000"])} (CPU ${s(extra.planCpuS["200000"] ?? 0)}; ${(j.scaling["200000"] / (j.scaling["10000"] || 1)).toFixed(2)}× 10k)`,
      goal: "finishes, ≤ 25× 10k",
      ok: j.scaling["200000"] > 0 && j.scaling["200000"] <= 25 * j.scaling["10000"],
    },
    { measured: j.plan200k_rss_mb > 0, measure: "plan, 200,000 objects: peak RSS", value: `${j.plan200k_rss_mb.toFixed(0)} MB`, goal: "≤ 2048 MB", ok: j.plan200k_rss_mb > 0 && j.plan200k_rss_mb <= 2048 },
    {
      measure: "validate, 200,000 objects",
      value: extra.validate200k ? `${s(extra.validate200k.wallS)} (CPU ${s(extra.validate200k.cpuS)}; ${extra.validate200k.rssMb.toFixed(0)} MB)` : "not run",
      goal: "finishes, ≤ 2048 MB",
      ok: extra.validate200k === undefined ? undefined : extra.validate200k.rssMb <= 2048,
    },
  ];
}

export function renderTable(rows: readonly Row[]): string {
  const head: Row = { measure: "measure", value: "value", goal: "goal", ok: undefined };
  const w = [0, 0, 0];
  for (const r of [head, ...rows]) {
    w[0] = Math.max(w[0]!, r.measure.length);
    w[1] = Math.max(w[1]!, r.value.length);
    w[2] = Math.max(w[2]!, r.goal.length);
  }
  const line = (r: Row, mark: string): string => `| ${r.measure.padEnd(w[0]!)} | ${r.value.padStart(w[1]!)} | ${r.goal.padEnd(w[2]!)} | ${mark.padEnd(4)} |`;
  const out = [line(head, "met"), `|${"-".repeat(w[0]! + 2)}|${"-".repeat(w[1]! + 2)}:|${"-".repeat(w[2]! + 2)}|------|`];
  for (const r of rows) {
    if (r.measured === false) out.push(line({ ...r, value: "not run" }, ""));
    else out.push(line(r, r.ok === undefined ? "" : r.ok ? "yes" : "NO"));
  }
  return out.join("\n");
}
