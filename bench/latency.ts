/**
 * Two measures that compare the 10,000-object plan with something else (README.md#performance), each taken
 * interleaved with the plan's own runs (`planAllLive`'s `between` hook), so that a machine whose load changes
 * during the bench inflates both sides of a ratio alike:
 * - the floor process (`floor.ts`): read and parse the same files and make the one Cedar validation call;
 * - the same plan against an emulator answering after 50 ms, against its bound: the plan with no latency plus
 *   ⌈read calls / 8⌉ × 50 ms (8 requests in flight per API), the read calls counted from that emulator's log.
 */
import { copyFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, median, runCli, serve, targetEnv, type Served } from "./proc.js";
import type { Workspace } from "./scenarios.js";

const FLOOR = join(ROOT, "dist/bench/floor.js");

export interface FloorResult {
  wallS: number;
  cpuS: number;
}

export interface LatencyResult {
  latencyMs: number;
  wallS: number;
  cpuS: number;
  /** GET requests of one plan, from the emulator's log. */
  readCalls: number;
}

export interface Companions {
  /** One floor run and one plan at latency; called after each of the plan's own runs. */
  between(): Promise<void>;
  stop(): Promise<void>;
  floor(): FloorResult;
  latency(): LatencyResult;
}

/** Ready to run beside `planAllLive(ws, objects, …)`, whose desired state and live state file it reuses. */
export async function companions(ws: Workspace, objects: number, latencyMs: number, log: (s: string) => void): Promise<Companions> {
  const dir = join(ws.root, `desired-${objects}`);
  const state = join(ws.root, `state-${objects}-latency.json`);
  copyFileSync(join(ws.root, `state-${objects}.json`), state);
  const logPath = join(ws.root, `requests-${objects}-latency.jsonl`);
  let emu: Served | undefined;
  const floors: { wallS: number; cpuS: number }[] = [];
  const slow: { wallS: number; cpuS: number; reads: number }[] = [];

  const floorRun = async (): Promise<void> => {
    const run = await runCli([dir], { script: FLOOR });
    if (run.code !== 0) throw new Error(`floor process: exit ${run.code}\n${run.stderr.slice(-1500)}${run.stdout}`);
    floors.push({ wallS: run.wallS, cpuS: run.cpuS ?? 0 });
    log(`  floor: ${run.wallS.toFixed(2)} s wall, ${run.cpuS?.toFixed(2) ?? "?"} s CPU (${run.stdout.trim()})`);
  };

  const latencyRun = async (): Promise<void> => {
    emu ??= await serve(["--state", state, "--latency-ms", String(latencyMs), "--log", logPath]);
    const before = existsSync(logPath) ? statSync(logPath).size : 0;
    const run = await runCli(["plan", dir, "--detailed-exitcode"], { env: targetEnv(emu.url) });
    if (run.code !== 0 || !run.stdout.includes("No changes")) throw new Error(`plan at ${latencyMs} ms latency: exit ${run.code}\n${run.stderr.slice(-1500)}`);
    // An entry is logged as its answer goes out, so every request of the run is in the log once the CLI exited.
    const entries = readFileSync(logPath, "utf8").slice(before).split("\n").filter((l) => l.trim() !== "");
    const reads = entries.map((l) => JSON.parse(l) as { method: string }).filter((e) => e.method === "GET").length;
    slow.push({ wallS: run.wallS, cpuS: run.cpuS ?? 0, reads });
    log(`  plan at ${latencyMs} ms latency: ${run.wallS.toFixed(2)} s wall, ${run.cpuS?.toFixed(2) ?? "?"} s CPU, ${reads} read calls`);
  };

  return {
    between: async () => {
      await floorRun();
      await latencyRun();
    },
    stop: async () => {
      await emu?.stop();
    },
    floor: () => ({ wallS: median(floors.map((f) => f.wallS)), cpuS: median(floors.map((f) => f.cpuS)) }),
    latency: () => ({
      latencyMs,
      wallS: median(slow.map((s) => s.wallS)),
      cpuS: median(slow.map((s) => s.cpuS)),
      readCalls: Math.max(...slow.map((s) => s.reads)),
    }),
  };
}

/** The bound of the plan at latency: the plan with no latency + ⌈read calls / 8⌉ × latency. */
export function latencyBoundS(noLatencyS: number, latency: LatencyResult): number {
  return noLatencyS + (Math.ceil(latency.readCalls / 8) * latency.latencyMs) / 1000;
}
