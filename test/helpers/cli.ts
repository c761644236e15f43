/**
 * Runs the CLI the way a user does: `runCli` in-process (the real command line, `runCli(argv, ctx)` of
 * src/cli/program.ts, with its own streams, environment and directory — fast, and always the current sources),
 * and `runCliProcess` as a child process of the built `dist-cli/main.js` for the few tests that need a real
 * process (signals, exit status, the executable itself). `npm test` builds first, so the binary matches.
 */
import { spawn } from "node:child_process";
import { PassThrough, Readable } from "node:stream";
import { runCli as runCliInProcess } from "../../src/cli/program.js";
import { mkdtempSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(ROOT, "dist-cli/main.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** A clean environment: no inherited targets or keys, no colour, CI on (as the test runner has it). */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "TMPDIR", "SYSTEMROOT"]) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  Object.assign(env, { CI: "true", NO_COLOR: "1" });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * The command line in this process: stdout and stderr captured, stdin a non-TTY stream of `input`, the
 * environment as `baseEnv` builds it, the directory `cwd`. `timeoutMs` is ignored (nothing to kill).
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const capture = () => {
    const stream = new PassThrough();
    let text = "";
    stream.setEncoding("utf8").on("data", (d: string) => (text += d));
    return { stream, text: () => text };
  };
  const out = capture();
  const err = capture();
  const code = await runCliInProcess(args, {
    stdout: out.stream,
    stderr: err.stream,
    stdin: Readable.from([options.input ?? ""]),
    env: baseEnv(options.env),
    cwd: options.cwd ?? ROOT,
  });
  out.stream.end();
  err.stream.end();
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out.text(), stderr: err.text() };
}

/** The built CLI as a child process, the way a user's shell runs it. */
export function runCliProcess(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: baseEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A fresh temp directory, optionally seeded with a copy of `from` (relative to the repo root) and extra files. */
export function tempDir(from?: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "accessctl-test-"));
  if (from) cpSync(join(ROOT, from), dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** The emulator's default tenant (docs/services.md#the-emulator). */
export const EMULATOR_TENANT = "00000000-0000-4000-8000-000000000001";

/**
 * The target variables that point the CLI at an emulator (tests run with CI=true, so there is no silent embedded
 * emulator). Each test file passes keys of its own, so that a leak check can tell them apart.
 */
export function emulatorTargets(
  url: string,
  keys: { rbac: string; cedar: string },
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    ACCESSCTL_RBAC_URL: url,
    CONFIDENT_API_KEY: keys.rbac,
    ACCESSCTL_CEDAR_URL: url,
    ACCESSCTL_CEDAR_API_KEY: keys.cedar,
    ACCESSCTL_CEDAR_TENANT_ID: EMULATOR_TENANT,
    ...extra,
  };
}
