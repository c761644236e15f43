/**
 * Child processes for the benchmark: the real, built CLI (wall time and peak RSS), and the emulator as a separate
 * `accessctl serve` process whose URL is read from its first stdout line. Every wait is bounded.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINE_V8_FLAGS } from "../src/cedar/engine-flags.js";

/** The repository root (this file runs from dist/bench/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(ROOT, "dist-cli/main.js");
const RSS_WRAPPER = join(ROOT, "dist/bench/rss-wrapper.js");
const GNU_TIME = "/usr/bin/time";

export const TENANT = "00000000-0000-4000-8000-000000000001";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  wallS: number;
  /** Peak resident set size of the CLI process, in MB (undefined when it could not be read). */
  rssMb: number | undefined;
  /** User + system CPU seconds of the CLI process (undefined when they could not be read). */
  cpuS: number | undefined;
}

/** The environment that points the CLI at an emulator URL as a remote target (no CI, no colour). */
export function targetEnv(url: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "TMPDIR"]) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return {
    ...env,
    NO_COLOR: "1",
    ACCESSCTL_RBAC_URL: url,
    CONFIDENT_API_KEY: "local-rbac-key",
    ACCESSCTL_CEDAR_URL: url,
    ACCESSCTL_CEDAR_API_KEY: "local-cedar-key",
    ACCESSCTL_CEDAR_TENANT_ID: TENANT,
  };
}

/** Every child still running, so that an interrupted bench leaves no emulator or CLI behind. */
const children = new Set<ChildProcess>();
function track(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill("SIGKILL");
    process.exit(130);
  });
}

let gnuTime: boolean | undefined;
function haveGnuTime(): boolean {
  return (gnuTime ??= existsSync(GNU_TIME));
}

/** `script`: another entry point than the CLI (the floor process); its RSS and CPU need GNU time. */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; nodeArgs?: string[]; script?: string } = {}): Promise<CliRun> {
  const scratch = mkdtempSync(join(tmpdir(), "accessctl-bench-rss-"));
  const rssFile = join(scratch, "rss");
  const nodeArgs = options.nodeArgs ?? [];
  const [cmd, argv] = haveGnuTime()
    ? [GNU_TIME, ["-f", "%M %U %S", "-o", rssFile, process.execPath, ...nodeArgs, options.script ?? CLI, ...args]]
    : options.script !== undefined
      ? [process.execPath, [...nodeArgs, options.script, ...args]]
      : [process.execPath, [...nodeArgs, RSS_WRAPPER, ...args]];
  const env = { ...(options.env ?? targetEnv("http://127.0.0.1:9")), BENCH_RSS_FILE: rssFile };
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { cwd: options.cwd ?? ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on("close", (code) => {
      const wallS = (performance.now() - started) / 1000;
      clearTimeout(timer);
      let rssMb: number | undefined;
      let cpuS: number | undefined;
      try {
        // "<max RSS KB> <user s> <system s>" on the last line (GNU time may put "Command exited with non-zero
        // status" first).
        const [kb, user, sys] = (readFileSync(rssFile, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number);
        if (kb !== undefined && Number.isFinite(kb) && kb > 0) rssMb = kb / 1024;
        if (user !== undefined && sys !== undefined && Number.isFinite(user + sys)) cpuS = user + sys;
      } catch {
        rssMb = undefined;
      }
      rmSync(scratch, { recursive: true, force: true });
      done({ code: code ?? -1, stdout, stderr, wallS, rssMb, cpuS });
    });
  });
}

export interface Served {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** `accessctl serve --port 0 …` in its own process; resolves with the URL from its first stdout line. */
export function serve(args: string[], timeoutMs = 120_000): Promise<Served> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((done, fail) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`the emulator did not print its URL within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        done({ url: out.slice(0, nl).trim(), child, stderr: () => stderr, stop });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`the emulator exited before printing its URL: ${stderr}`));
    });
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs a bench child script (`dist/bench/<name>.js`) `runs` times, each a cold process with the engine flags the
 * CLI sets for itself, and returns the JSON object each printed on its last line.
 */
export function runJsonChild<T>(script: string, runs: number, what: string): T[] {
  const seen: T[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, [ENGINE_V8_FLAGS, join(ROOT, "dist/bench", script)], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
    if (child.status !== 0) throw new Error(`${what}: exit ${child.status}\n${child.stderr.slice(-2000)}`);
    seen.push(JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}") as T);
  }
  return seen;
}
