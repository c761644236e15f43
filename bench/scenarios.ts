/**
 * The measured scenarios of README.md#performance. Each starts its own emulator process (state written directly or the
 * seeded base), runs the real CLI against it as a remote target, and stops it.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Change } from "../src/plan/model.js";
import { dependencyLayers } from "../src/plan/order.js";
import { generateDesired, type GeneratedCounts } from "./generate.js";
import { median, runCli, serve, targetEnv, type CliRun } from "./proc.js";
import { baseState, liveState, loadDesired, writeState } from "./state.js";

export interface Workspace {
  root: string;
  cleanup(): void;
}

export function workspace(): Workspace {
  const root = mkdtempSync(join(tmpdir(), "accessctl-bench-"));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function check(run: CliRun, expected: number, what: string): void {
  if (run.code !== expected) {
    throw new Error(`${what}: exit ${run.code}, expected ${expected}\n${run.stderr.slice(-2000)}\n${run.stdout.slice(-1000)}`);
  }
}

export interface PlanResult {
  objects: number;
  counts: GeneratedCounts;
  wallS: number;
  runs: number[];
  rssMb: number;
  /** Median CPU seconds (user + system) of the plan process: what the machine's load does not inflate. */
  cpuS: number;
}

/**
 * Plan of `objects` declared objects, all live already (no latency): "No changes", exit 0 with --detailed-exitcode.
 * `companion`, when given, is set up once the files and state exist and runs after each plan run (measures taken
 * interleaved with this one, so that both sides of a ratio see the same machine load); it is stopped at the end.
 */
export async function planAllLive(
  ws: Workspace,
  objects: number,
  repeats: number,
  log: (s: string) => void,
  companion?: () => Promise<{ between(): Promise<void>; stop(): Promise<void> }>,
): Promise<PlanResult> {
  const dir = join(ws.root, `desired-${objects}`);
  const counts = generateDesired(dir, { objects, seed: 7 });
  const statePath = join(ws.root, `state-${objects}.json`);
  writeState(statePath, liveState(loadDesired(dir)));
  log(`plan ${objects}: ${counts.total} objects in ${counts.files} files (${counts.rbacPolicies} policies, ${counts.roles} roles, ${counts.cedarPolicies} Cedar policies, ${counts.cedarRules} rules)`);
  // 200,000 objects take minutes on a loaded machine: the waits grow with the size (they only bound a hang).
  const big = objects >= 100_000;
  const emu = await serve(["--state", statePath], big ? 900_000 : undefined);
  const beside = await companion?.();
  try {
    const env = targetEnv(emu.url);
    const runs: CliRun[] = [];
    for (let i = 0; i < repeats; i++) {
      if (i > 0) await beside?.between();
      const run = await runCli(["plan", dir, "--detailed-exitcode"], { env, ...(big ? { timeoutMs: 3_600_000 } : {}) });
      check(run, 0, `plan of ${objects} live objects`);
      if (!run.stdout.includes("No changes")) throw new Error(`plan of ${objects}: expected "No changes"\n${run.stdout.slice(-500)}`);
      runs.push(run);
      log(`  run ${i + 1}: ${run.wallS.toFixed(2)} s wall, ${run.cpuS?.toFixed(2) ?? "?"} s CPU, ${run.rssMb?.toFixed(0) ?? "?"} MB`);
    }
    await beside?.between();
    return {
      objects,
      counts,
      runs: runs.map((r) => r.wallS),
      wallS: median(runs.map((r) => r.wallS)),
      rssMb: Math.max(...runs.map((r) => r.rssMb ?? 0)),
      cpuS: median(runs.map((r) => r.cpuS ?? 0)),
    };
  } finally {
    await beside?.stop();
    await emu.stop();
  }
}

export interface ApplyResult {
  creates: number;
  layers: number[];
  wallS: number;
  idealS: number;
  /** Σ over layers of the slower API's ⌈n_api / concurrency⌉ × latency: the bound when each API has its own 8. */
  perApiIdealS: number;
  seqWallS: number;
  /** The executor's own time ("Apply complete: … in Xs"), without start-up, validation and the two plans. */
  execS: number;
  seqExecS: number;
}

/** Apply of `objects` creates against an emulator with `latencyMs`, at the default concurrency and at 1. */
export async function apply2k(ws: Workspace, objects: number, latencyMs: number, log: (s: string) => void): Promise<ApplyResult> {
  const dir = join(ws.root, `desired-apply-${objects}`);
  const counts = generateDesired(dir, { objects, seed: 11 });
  const base = join(ws.root, "base.json");
  writeState(base, baseState());
  log(`apply ${counts.total} creates (${counts.rbacPolicies} policies, ${counts.roles} roles, ${counts.cedarPolicies} Cedar policies, ${counts.cedarRules} rules), latency ${latencyMs} ms`);

  const fresh = async () => {
    const state = join(mkdtempSync(join(ws.root, "emu-")), "state.json");
    copyFileSync(base, state);
    return serve(["--state", state, "--latency-ms", String(latencyMs)]);
  };

  // The dependency layers, from the plan itself.
  const emu = await fresh();
  let changes: Change[];
  try {
    const planned = await runCli(["plan", dir, "--json"], { env: targetEnv(emu.url) });
    check(planned, 0, "plan --json before the apply");
    changes = (JSON.parse(planned.stdout) as { changes: Change[] }).changes;
  } finally {
    await emu.stop();
  }
  if (changes.length !== counts.total || changes.some((c) => c.kind !== "create")) {
    throw new Error(`expected ${counts.total} creates, the plan has ${changes.length} changes`);
  }
  const layerOf = dependencyLayers(changes);
  const layers: number[] = [];
  const perApi: { rbac: number; cedar: number }[] = [];
  for (const c of changes) {
    const l = layerOf.get(c.id)!;
    layers[l] = (layers[l] ?? 0) + 1;
    perApi[l] ??= { rbac: 0, cedar: 0 };
    perApi[l]![c.type === "rbac-policy" || c.type === "role" ? "rbac" : "cedar"]++;
  }
  const concurrency = 8;
  const idealS = layers.reduce((s, n) => s + Math.ceil(n / concurrency) * latencyMs, 0) / 1000;
  const perApiIdealS = perApi.reduce((s, p) => s + Math.max(Math.ceil(p.rbac / concurrency), Math.ceil(p.cedar / concurrency)) * latencyMs, 0) / 1000;

  const timed = async (extra: string[]): Promise<{ wallS: number; execS: number }> => {
    const e = await fresh();
    try {
      const run = await runCli(["apply", dir, "--yes", ...extra], { env: targetEnv(e.url), timeoutMs: 600_000 });
      check(run, 0, `apply ${extra.join(" ")}`);
      const done = /Apply complete: (\d+) applied.* in ([\d.]+)s\./.exec(run.stderr);
      if (!done) throw new Error(`apply: no completion line\n${run.stderr.slice(-1000)}`);
      return { wallS: run.wallS, execS: Number(done[2]) };
    } finally {
      await e.stop();
    }
  };
  const conc = await timed([]);
  log(`  concurrency 8: ${conc.wallS.toFixed(2)} s wall, ${conc.execS.toFixed(2)} s executing (ideal ${idealS.toFixed(2)} s, per-API bound ${perApiIdealS.toFixed(2)} s)`);
  const seq = await timed(["--concurrency", "1"]);
  log(`  concurrency 1: ${seq.wallS.toFixed(2)} s wall, ${seq.execS.toFixed(2)} s executing`);
  return { creates: changes.length, layers, wallS: conc.wallS, idealS, perApiIdealS, seqWallS: seq.wallS, execS: conc.execS, seqExecS: seq.execS };
}

export interface RateLimitResult {
  targetRps: number;
  achievedRps: number;
  failed: number;
  writes: number;
  rejected429: number;
  writeSpanS: number;
}

/** An apply of enough creates to last several seconds under `--rate-limit`; writes/s from the emulator's request log. */
export async function rateLimited(ws: Workspace, rps: number, objects: number, log: (s: string) => void): Promise<RateLimitResult> {
  const dir = join(ws.root, `desired-rate-${objects}`);
  generateDesired(dir, { objects, seed: 13 });
  const state = join(ws.root, "rate-state.json");
  writeState(state, baseState());
  const logPath = join(ws.root, "rate-requests.jsonl");
  const emu = await serve(["--state", state, "--rate-limit", String(rps), "--log", logPath]);
  let run: CliRun;
  try {
    run = await runCli(["apply", dir, "--yes"], { env: targetEnv(emu.url), timeoutMs: 600_000 });
  } finally {
    await emu.stop();
  }
  const failedMatch = /(\d+) failed/.exec(run.stderr);
  const failed = run.code === 0 ? 0 : failedMatch ? Number(failedMatch[1]) : Number.NaN;
  const entries = readFileSync(logPath, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { time: string; method: string; status: number; durationMs: number });
  const writes = entries.filter((e) => e.method !== "GET" && e.status >= 200 && e.status < 300);
  const rejected429 = entries.filter((e) => e.status === 429).length;
  // From the arrival of the first successful write to the completion of the last.
  const t0 = Math.min(...writes.map((e) => Date.parse(e.time)));
  const t1 = Math.max(...writes.map((e) => Date.parse(e.time) + e.durationMs));
  const writeSpanS = (t1 - t0) / 1000;
  const achievedRps = writes.length / writeSpanS;
  log(`rate limit ${rps}/s: ${writes.length} writes in ${writeSpanS.toFixed(2)} s = ${achievedRps.toFixed(1)}/s, ${rejected429} answers 429, ${failed} failed (exit ${run.code})`);
  return { targetRps: rps, achievedRps, failed, writes: writes.length, rejected429, writeSpanS };
}

/** Median wall time of cold `validate examples/quickstart` processes. */
export async function validateCold(runs: number, log: (s: string) => void): Promise<{ medianS: number; runs: number[] }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await runCli(["validate", "examples/quickstart"]);
    check(run, 0, "validate examples/quickstart");
    times.push(run.wallS);
  }
  log(`validate (cold): ${times.map((t) => t.toFixed(2)).join(" ")} s`);
  return { medianS: median(times), runs: times };
}

/** `validate` of the directory `planAllLive` generated for `objects` (SPEC section 9: 200,000 must finish). */
export async function validateGenerated(ws: Workspace, objects: number, log: (s: string) => void): Promise<CliRun> {
  const run = await runCli(["validate", join(ws.root, `desired-${objects}`)], { timeoutMs: 3_600_000 });
  check(run, 0, `validate of ${objects} objects`);
  log(`validate ${objects}: ${run.wallS.toFixed(2)} s wall, ${run.cpuS?.toFixed(2) ?? "?"} s CPU, ${run.rssMb?.toFixed(0) ?? "?"} MB`);
  return run;
}
