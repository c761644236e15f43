/**
 * When things go wrong (issue 14): a server that never answers, one that trickles, an HTML page, a URL with /v1,
 * a service that dies mid-apply (refusing, or behind a proxy answering 502), paths that cannot be read or written,
 * a corrupt emulator state and held or stale locks. Each ends with one message naming what failed and what to do,
 * exit 1, no stack trace and no key — and in bounded time (the figures are logged; the goals live in bench/).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { htmlServer, silentServer, trickleServer, type BadServer } from "../helpers/bad-servers.js";
import { baseEnv, runCli, tempDir, type CliResult } from "../helpers/cli.js";
import { emulatorsForFile } from "../helpers/emulators.js";
import { CEDAR_KEY, RBAC_KEY, duplicates, show, targetEnv, writeBigState } from "../helpers/apply-fixtures.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});
const emulator = emulatorsForFile();
async function bad(server: Promise<BadServer>): Promise<BadServer> {
  const s = await server;
  cleanups.push(() => s.close());
  return s;
}

function expectUserFailure(r: CliResult): void {
  expect(r.code, show(r)).toBe(1);
  expect(r.stderr).not.toContain("this is a bug");
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).toMatch(/^ {2}hint: /m);
  for (const key of [RBAC_KEY, CEDAR_KEY]) expect(r.stdout + r.stderr).not.toContain(key);
}

async function timed(run: () => Promise<CliResult>): Promise<CliResult & { ms: number }> {
  const t = Date.now();
  const r = await run();
  return { ...r, ms: Date.now() - t };
}

const quickstart = () => tempDir("examples/quickstart");

describe("a target that does not answer properly", () => {
  it("accepts and never answers: the plan ends after about two timeouts, saying the service stopped answering", async () => {
    const s = await bad(silentServer());
    const r = await timed(() => runCli(["plan", ".", "--timeout", "1"], { cwd: quickstart(), env: targetEnv(s.url) }));
    expectUserFailure(r);
    expect(r.stderr).toMatch(/stopped answering|nothing received for 1 s/);
    console.log(`silent server, --timeout 1: plan ended in ${r.ms} ms`);
  });

  it("trickles a byte at a time: no complete answer within twice the timeout ends it too", async () => {
    const s = await bad(trickleServer(200));
    const r = await timed(() => runCli(["plan", "."], { cwd: quickstart(), env: targetEnv(s.url, { ACCESSCTL_TIMEOUT: "1" }) }));
    expectUserFailure(r);
    expect(r.stderr).toContain("stopped answering (no answer at all for 2 s (twice the 1 s timeout))");
    console.log(`trickling server, ACCESSCTL_TIMEOUT=1: plan ended in ${r.ms} ms`);
  });

  it("answers an HTML page: 'is this the API?', naming the content type and the variable", async () => {
    const s = await bad(htmlServer(200));
    const r = await runCli(["plan", "."], { cwd: quickstart(), env: targetEnv(s.url) });
    expectUserFailure(r);
    expect(r.stderr).toContain("not the API's JSON (got text/html)");
    expect(r.stderr).toMatch(/hint: is this the API\? check ACCESSCTL_RBAC_URL|hint: is this the API\? check ACCESSCTL_CEDAR_URL/);
  });

  it("a URL with /v1 on the end: a 404 on a list says the URL must be the API's root", async () => {
    const em = await emulator();
    const r = await runCli(["plan", "."], { cwd: quickstart(), env: targetEnv(`${em.url}/v1`) });
    expectUserFailure(r);
    expect(r.stderr).toContain("404");
    expect(r.stderr).toContain("must be the API's root, without /v1");
  });

  it("a bad --timeout or ACCESSCTL_TIMEOUT is a usage error", async () => {
    const em = await emulator();
    const flag = await runCli(["plan", ".", "--timeout", "0"], { cwd: quickstart(), env: targetEnv(em.url) });
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain("expected a number of seconds greater than 0");
    const variable = await runCli(["plan", "."], { cwd: quickstart(), env: targetEnv(em.url, { ACCESSCTL_TIMEOUT: "soon" }) });
    expectUserFailure(variable);
    expect(variable.stderr).toContain('ACCESSCTL_TIMEOUT="soon" is not a number of seconds');
  });
});

describe("a service that dies during apply", () => {
  it("refusing connections after 40 writes: the rest is 'not started', and the run ends at once", async () => {
    const em = await emulator();
    const dir = tempDir();
    writeBigState(dir);
    const writes = () => em.requestLog.filter((e) => e.method !== "GET").length;
    let killedAt = 0;
    const watcher = setInterval(() => {
      if (killedAt === 0 && writes() >= 40) {
        killedAt = Date.now();
        void em.close();
      }
    }, 5);
    const r = await runCli(["apply", ".", "--yes", "--timeout", "2"], { cwd: dir, env: targetEnv(em.url) });
    clearInterval(watcher);
    const ended = Date.now();
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toMatch(/Apply incomplete: \d+ applied, \d+ failed, \d+ outcome unknown, \d+ skipped, \d+ not started/);
    expect(r.stderr).toMatch(/Not started \(\d+\): the (RBAC|Cedar policy) API stopped answering \(5 attempts in a row failed/);
    const counts = /Apply incomplete: (\d+) applied, (\d+) failed, (\d+) outcome unknown, (\d+) skipped, (\d+) not started/.exec(r.stderr)!.slice(1).map(Number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    expect(counts[4]).toBeGreaterThan(100);
    expect(r.stderr).not.toContain("this is a bug");
    console.log(`service killed after 40 writes: apply ended ${ended - killedAt} ms later (${r.stderr.split("\n").filter((l) => l.startsWith("Apply")).join("")})`);
  });

  it("behind a proxy answering 502 once its upstream is gone: fail-fast counts the 502s", async () => {
    const em = await emulator();
    const proxyPage = await bad(htmlServer(502));
    // Apply through a switchable front: the emulator until 20 writes, then the 502 proxy.
    const { startEmulatorProxy } = await import("../helpers/emulator-proxy.js");
    let down = false;
    const front = await startEmulatorProxy(em.url, async (req, forward) => {
      if (down) {
        const res = await fetch(`${proxyPage.url}${req.path}`);
        return { status: res.status, headers: { "content-type": "text/html" }, text: await res.text() };
      }
      const answer = await forward(req);
      if (req.method !== "GET" && em.requestLog.filter((e) => e.method !== "GET").length >= 20) down = true;
      return answer;
    });
    cleanups.push(() => front.close());
    const dir = tempDir();
    writeBigState(dir);
    const r = await timed(() => runCli(["apply", ".", "--yes"], { cwd: dir, env: targetEnv(front.url) }));
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toMatch(/stopped answering \(5 attempts in a row failed; the last: .*502 Bad Gateway/);
    expect(r.stderr).toMatch(/\d+ not started/);
    console.log(`proxy answering 502: apply ended in ${r.ms} ms`);
    expect(duplicates(em.state)).toEqual([]);
  });
});

describe("paths and local state", () => {
  it("--out into a missing directory, and onto a directory", async () => {
    const em = await emulator();
    const dir = quickstart();
    const missing = await runCli(["plan", ".", "--out", "nope/plan.json"], { cwd: dir, env: targetEnv(em.url) });
    expectUserFailure(missing);
    expect(missing.stderr).toContain("cannot write the plan to nope/plan.json: it does not exist");
    mkdirSync(join(dir, "adir"));
    const onDir = await runCli(["plan", ".", "--out", "adir"], { cwd: dir, env: targetEnv(em.url) });
    expectUserFailure(onDir);
    expect(onDir.stderr).toContain("cannot write the plan to adir: it is a directory (EISDIR)");
  });

  it("export onto a file", async () => {
    const em = await emulator();
    const dir = tempDir(undefined, { "afile.txt": "x" });
    const r = await runCli(["export", "afile.txt"], { cwd: dir, env: targetEnv(em.url) });
    expectUserFailure(r);
    expect(r.stderr).toContain("afile.txt");
    expect(r.stderr).toContain("ENOTDIR");
  });

  it("a --base that does not exist is exit 1", async () => {
    const em = await emulator();
    const r = await runCli(["plan", ".", "--base", "../no-such-base"], { cwd: quickstart(), env: targetEnv(em.url) });
    expectUserFailure(r);
    expect(r.stderr).toContain("cannot read the base directory ../no-such-base");
  });

  it(".accessctl being a file, and a corrupt embedded state, are said with the path", async () => {
    const dir = quickstart();
    writeFileSync(join(dir, ".accessctl"), "not a directory");
    const asFile = await runCli(["plan", ".", "--target", "local"], { cwd: dir });
    expectUserFailure(asFile);
    expect(asFile.stderr).toContain("cannot create the embedded emulator's directory");

    const dir2 = quickstart();
    mkdirSync(join(dir2, ".accessctl"));
    writeFileSync(join(dir2, ".accessctl/emulator.json"), "{ half a snapshot");
    const corrupt = await runCli(["plan", ".", "--target", "local"], { cwd: dir2 });
    expectUserFailure(corrupt);
    expect(corrupt.stderr).toContain("the embedded emulator cannot start");
    expect(corrupt.stderr).toContain(".accessctl/emulator.json");
  });

  it("a lock held by a live process names it; a stale one (dead, or a pid since reused) is taken over with a notice", async () => {
    const holder = spawn("sleep", ["30"], { stdio: "ignore" });
    cleanups.push(async () => void holder.kill("SIGKILL"));
    await new Promise((r) => setTimeout(r, 100));
    const start = Number(readFileSync(`/proc/${holder.pid}/stat`, "utf8").split(") ")[1]!.split(" ")[19]);
    const dir = quickstart();
    mkdirSync(join(dir, ".accessctl"));
    const lock = join(dir, ".accessctl/emulator.json.lock");

    writeFileSync(lock, JSON.stringify({ pid: holder.pid, start, token: "t" }));
    const held = await runCli(["plan", ".", "--target", "local"], { cwd: dir });
    expectUserFailure(held);
    expect(held.stderr).toContain(`in use by process ${holder.pid}`);
    expect(held.stderr).toContain("emulator.json.lock");

    writeFileSync(lock, JSON.stringify({ pid: holder.pid, start: start + 1, token: "t" }));
    const reused = await runCli(["plan", ".", "--target", "local"], { cwd: dir });
    expect(reused.code, show(reused)).toBe(0);
    expect(reused.stderr).toContain(`its holder is gone (pid ${holder.pid} now belongs to another process)`);

    const dead = spawn("true");
    await new Promise((r) => dead.on("close", r));
    writeFileSync(lock, JSON.stringify({ pid: dead.pid, token: "t" }));
    const gone = await runCli(["plan", ".", "--target", "local"], { cwd: dir });
    expect(gone.code, show(gone)).toBe(0);
    expect(gone.stderr).toContain(`its holder is gone (process ${dead.pid} is not running)`);
  });
});

describe("interrupts (the built executable, a real signal)", () => {
  it("SIGINT during apply: nothing new starts, the report says what landed, exit 130; a re-run converges with no duplicate", async () => {
    const em = await emulator({ latencyMs: 40 });
    const dir = tempDir();
    writeBigState(dir);
    const { CLI } = await import("../helpers/cli.js");
    const child = spawn(process.execPath, [CLI, "apply", ".", "--yes"], { cwd: dir, env: baseEnv(targetEnv(em.url)), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.resume();
    const writes = () => em.requestLog.filter((e) => e.method !== "GET" && e.status < 300).length;
    while (writes() < 30) await new Promise((r) => setTimeout(r, 10));
    const sentAt = Date.now();
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("close", r));
    const exitMs = Date.now() - sentAt;
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("SIGINT received: stopping");
    const line = /Apply interrupted: (\d+) applied, (\d+) failed, (\d+) outcome unknown, (\d+) skipped, (\d+) not started/.exec(stderr);
    expect(line, stderr).not.toBeNull();
    const applied = Number(line![1]);
    expect(applied).toBe(writes()); // every write the service acknowledged is reported as applied
    expect(Number(line![5])).toBeGreaterThan(0);
    expect(stderr).not.toContain("this is a bug");
    console.log(`SIGINT after 30 writes: exit 130 ${exitMs} ms later; ${line![0]}`);

    const again = await runCli(["apply", ".", "--yes"], { cwd: dir, env: targetEnv(em.url) });
    expect(again.code, show(again)).toBe(0);
    expect(duplicates(em.state)).toEqual([]);
  });
});
