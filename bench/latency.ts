/**
 * Two measures around the 10,000-object plan (README.md#performance):
 * - the plan against an emulator answering after 50 ms, against its bound: the plan with no latency plus
 *   ⌈read calls / 8⌉ × 50 ms (8 requests in flight per API), the read calls counted from the emulator's log;
 * - the floor process (`floor.ts`): read and parse the same files and make the one Cedar validation call.
 * Both reuse the desired state and live state that `planAllLive` wrote for the same size (or write them).
 */
import { copyFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { generateDesired } from "./generate.js";
import { ROOT, median, runCli, serve, targetEnv } from "./proc.js";
import type { Workspace } from "./scenarios.js";
import { liveState, loadDesired, writeState } from "./state.js";

const FLOOR = join(ROOT, "dist/bench/floor.js");

/** The desired-state directory and live state file of `planAllLive` for this size (same seed), written if missing. */
function inputs(ws: Workspace, objects: number): { dir: string; statePath: string } {
  const dir = join(ws.root, `desired-${objects}`);
  const statePath = join(ws.root, `state-${objects}.json`);
  if (!existsSync(dir)) generateDesired(dir, { objects, seed: 7 });
  if (!existsSync(statePath)) writeState(statePath, liveState(loadDesired(dir)));
  return { dir, statePath };
}

export interface LatencyResult {
  latencyMs: number;
  wallS: number;
  cpuS: number;
  /** GET requests of one plan, from the emulator's log. */
  readCalls: number;
  /** The no-latency plan + ⌈readCalls / 8⌉ × latency. */
  boundS: number;
}

/** Plan of `objects` live objects against an emulator with `latencyMs` on every answer. */
export async function planAtLatency(ws: Workspace, objects: number, latencyMs: number, noLatencyS: number, repeats: number, log: (s: string) => void): Promise<LatencyResult> {
  const { dir, statePath } = inputs(ws, objects);
  const state = join(ws.root, `state-${objects}-latency.json`);
  copyFileSync(statePath, state);
  const logPath = join(ws.root, `requests-${objects}-latency.jsonl`);
  const emu = await serve(["--state", state, "--latency-ms", String(latencyMs), "--log", logPath]);
  const walls: number[] = [];
  const cpus: number[] = [];
  const reads: number[] = [];
  try {
    for (let i = 0; i < repeats; i++) {
      const before = existsSync(logPath) ? statSync(logPath).size : 0;
      const run = await runCli(["plan", dir, "--detailed-exitcode"], { env: targetEnv(emu.url) });
      if (run.code !== 0 || !run.stdout.includes("No changes")) throw new Error(`plan at ${latencyMs} ms latency: exit ${run.code}\n${run.stderr.slice(-1500)}`);
      // The log is appended when the answer goes out, so every request of the run is in it once the CLI exited.
      const lines = readFileSync(logPath, "utf8").slice(before).split("\n").filter((l) => l.trim() !== "");
      reads.push(lines.map((l) => JSON.parse(l) as { method: string }).filter((e) => e.method === "GET").length);
      walls.push(run.wallS);
      cpus.push(run.cpuS ?? 0);
      log(`  latency ${latencyMs} ms, run ${i + 1}: ${run.wallS.toFixed(2)} s wall, ${run.cpuS?.toFixed(2) ?? "?"} s CPU, ${reads.at(-1)} read calls`);
    }
  } finally {
    await emu.stop();
  }
  const readCalls = Math.max(...reads);
  const boundS = noLatencyS + (Math.ceil(readCalls / 8) * latencyMs) / 1000;
  const wallS = median(walls);
  log(`plan ${objects} at ${latencyMs} ms: ${wallS.toFixed(2)} s; bound ${boundS.toFixed(2)} s (${noLatencyS.toFixed(2)} s + ⌈${readCalls}/8⌉ × ${latencyMs} ms): ${(wallS / boundS).toFixed(2)}×`);
  return { latencyMs, wallS, cpuS: median(cpus), readCalls, boundS };
}

export interface FloorResult {
  wallS: number;
  cpuS: number;
}

/** The floor process over the same files, cold, `repeats` times. */
export async function floorProcess(ws: Workspace, objects: number, repeats: number, log: (s: string) => void): Promise<FloorResult> {
  const { dir } = inputs(ws, objects);
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const run = await runCli([dir], { script: FLOOR });
    if (run.code !== 0) throw new Error(`floor process: exit ${run.code}\n${run.stderr.slice(-1500)}${run.stdout}`);
    walls.push(run.wallS);
    cpus.push(run.cpuS ?? 0);
    log(`  floor ${objects}, run ${i + 1}: ${run.wallS.toFixed(2)} s wall, ${run.cpuS?.toFixed(2) ?? "?"} s CPU (${run.stdout.trim()})`);
  }
  return { wallS: median(walls), cpuS: median(cpus) };
}
