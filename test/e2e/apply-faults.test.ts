/**
 * `accessctl apply` under faults (issue 7, acceptance 3 and 5): ten seeds, each with its own emulator injecting
 * faults on a quarter of the requests (before and after the commit) and rate-limited to 30 requests per second,
 * apply a generated 300-object desired state. A run may stop with exit 1 (changes that failed after retries); it is
 * run again, as a user would, at most five times. Each seed must converge — checked by `plan --detailed-exitcode`
 * against a clean emulator restarted on the same state file, and by reading the state back — and no scope may ever
 * hold two objects of one name, nor a Cedar policy two rules of one meaning (polled during the runs).
 * The seeds run in parallel.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { tempDir, type CliResult } from "../helpers/cli.js";
import {
  CEDAR_KEY,
  RBAC_KEY,
  cli,
  duplicates,
  expectBigStateLive,
  expectTranscriptClean,
  show,
  targetEnv,
  transcriptForFile,
  watchDuplicates,
  writeBigState,
  type BigState,
} from "../helpers/apply-fixtures.js";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const FAULT_RATE = 0.25;
const RATE_LIMIT = 30;
const MAX_RUNS = 5;

transcriptForFile();

interface SeedResult {
  seed: number;
  runs: CliResult[];
  /** Violations seen while the applies ran (polled from the emulator's state). */
  duplicatesDuring: string[];
  faults: number;
  /** Writes that committed and then lost their answer: the "outcome unknown" path. */
  afterCommitWrites: number;
  rateLimited: number;
  requests: number;
  seconds: number;
  /** Against a clean emulator on the same state file, after the runs. */
  finalPlan?: CliResult;
  em: EmulatorHandle;
  clean?: EmulatorHandle;
  big: BigState;
  error?: unknown;
}

async function runSeed(seed: number): Promise<SeedResult> {
  const started = performance.now();
  const statePath = join(mkdtempSync(join(tmpdir(), "accessctl-faults-")), "state.json");
  const options = { port: 0, statePath, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY };
  const em = await startEmulator({ ...options, faultRate: FAULT_RATE, seed, rateLimit: RATE_LIMIT });
  const dir = join(tempDir(), "desired");
  const big = writeBigState(dir, seed);
  const result: SeedResult = { seed, runs: [], duplicatesDuring: [], faults: 0, afterCommitWrites: 0, rateLimited: 0, requests: 0, seconds: 0, em, big };
  const watch = watchDuplicates(em.state);
  try {
    for (let i = 0; i < MAX_RUNS; i++) {
      const r = await cli(dir, ["apply", ".", "--yes"], targetEnv(em.url));
      result.runs.push(r);
      if (r.code !== 1) break;
    }
  } catch (error) {
    result.error = error;
  } finally {
    result.duplicatesDuring = watch.stop();
    result.faults = em.requestLog.filter((e) => e.fault !== undefined).length;
    result.afterCommitWrites = em.requestLog.filter((e) => e.method !== "GET" && e.fault?.startsWith("after-")).length;
    result.rateLimited = em.requestLog.filter((e) => e.status === 429).length;
    result.requests = em.requestLog.length;
    await em.close();
  }
  if (result.error === undefined) {
    // A fault-free view of the same state.
    result.clean = await startEmulator(options);
    result.finalPlan = await cli(dir, ["plan", ".", "--detailed-exitcode"], targetEnv(result.clean.url));
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

describe(`faults: ${SEEDS.length} seeded applies of 300 objects (fault rate ${FAULT_RATE}, rate limit ${RATE_LIMIT}/s)`, () => {
  const results = new Map<number, SeedResult>();
  let seconds = 0;

  beforeAll(async () => {
    const started = performance.now();
    const all = await Promise.all(SEEDS.map(runSeed));
    for (const r of all) results.set(r.seed, r);
    seconds = (performance.now() - started) / 1000;
    const line = all
      .map((r) => `seed ${r.seed}: ${r.runs.length} run(s) [${r.runs.map((x) => x.code).join(",")}], ${r.requests} requests, ${r.faults} faults (${r.afterCommitWrites} writes after commit), ${r.rateLimited} × 429, ${r.seconds.toFixed(1)} s`)
      .join("\n  ");
    console.log(`faults: ${seconds.toFixed(1)} s in all\n  ${line}`);
  }, 600_000);

  afterAll(async () => {
    await Promise.all([...results.values()].map((r) => r.clean?.close()));
  });

  it("the generated state has 300 objects", () => {
    expect(results.get(SEEDS[0]!)!.big.objects).toBe(300);
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: converges within ${MAX_RUNS} runs, never a duplicate`, () => {
      const r = results.get(seed)!;
      expect(r.error).toBeUndefined();
      const last = r.runs.at(-1)!;
      const history = r.runs.map((x, i) => `run ${i + 1}: ${show(x).slice(-3000)}`).join("\n\n");
      // Only faults may stop a run: exit 1, never a guard or an invalid state.
      for (const x of r.runs.slice(0, -1)) expect(x.code, history).toBe(1);
      expect(last.code, history).toBe(0);
      expect(last.stdout.trimEnd().split("\n").at(-1)).toBe("No changes. Live state matches the desired state.");
      expect(r.faults, "faults were injected").toBeGreaterThan(20);
      expect(r.afterCommitWrites, "writes faulted after their commit").toBeGreaterThan(0);
      expect(r.duplicatesDuring, "duplicates seen during the runs").toEqual([]);
      expect(r.finalPlan!.code, show(r.finalPlan!)).toBe(0);
      expect(duplicates(r.clean!.state)).toEqual([]);
      expectBigStateLive(r.clean!.state, r.big);
    });
  }

  it("no output of these runs holds a key", () => {
    expectTranscriptClean(SEEDS.length * 2);
  });
});
