/**
 * The GitHub Action end to end, the harness shared by the `action-*.test.ts` files: the committed bundle
 * `dist-action/index.js` runs as a child process with the environment GitHub gives a JavaScript action, over a real
 * temporary git repository, against the emulator (the services, via the URL variables) and a fake GitHub REST API.
 * Each file gets its own repository, emulator and fake GitHub, so the files run in parallel workers; within a file
 * the tests run in order and share the live state, like a repository's history.
 */
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { startFakeGithub, type FakeGithub } from "./fake-github.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BUNDLE = join(ROOT, "dist-action/index.js");
export const TENANT = "00000000-0000-4000-8000-000000000001";
// Distinctive, so that a search of any output for them cannot match by accident.
export const RBAC_KEY = "rbac-SECRET-k3y-a11ce";
export const CEDAR_KEY = "cedar-SECRET-k3y-b0b";
export const PATH = "access";
export const MARKER = `<!-- accessctl:path=${PATH} -->`;
export const APPLY_MARKER = `<!-- accessctl:apply:path=${PATH} -->`;

export interface ActionResult {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface RunOptions {
  command: "plan" | "apply" | "drift";
  event: string;
  sha: string;
  payload?: unknown;
  inputs?: Record<string, string>;
  /** Leave out the target variables (a fork's run gets no secrets). */
  noSecrets?: boolean;
  /** Overrides of the environment (e.g. a wrong key, a closed port). */
  env?: Record<string, string>;
  /** Cancel the job: send this signal once `when()` holds (polled). */
  cancel?: { when: () => boolean; signal: NodeJS.Signals };
}

/** `name<<delimiter\nvalue\ndelimiter` blocks, as @actions/core writes GITHUB_OUTPUT. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

/** A body as a reader sees it: the renderer writes user text and punctuation as HTML entities. */
export function text(body: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"' };
  return body.replace(/&#(\d+);|&(amp|lt|gt|quot);/g, (_, code: string | undefined, name: string | undefined) => (code ? String.fromCharCode(Number(code)) : named[name!]!));
}

/**
 * A repository holding the quickstart under `access/` (not committed yet), an emulator and a fake GitHub, made
 * before the file's tests and removed after them. The fields are set once `beforeAll` has run.
 */
export class ActionHarness {
  gh!: FakeGithub;
  em!: EmulatorHandle;
  repo = "";
  scratch = "";
  private runNo = 0;

  constructor() {
    beforeAll(async () => {
      this.scratch = mkdtempSync(join(tmpdir(), "accessctl-action-"));
      this.repo = join(this.scratch, "repo");
      mkdirSync(this.repo);
      this.gh = await startFakeGithub({ pageSize: 2 });
      this.em = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY, tenant: TENANT });
      this.git("init", "-q", "-b", "main");
      this.git("config", "user.name", "Test");
      this.git("config", "user.email", "test@example.com");
      this.git("config", "commit.gpgsign", "false");
      cpSync(join(ROOT, "examples/quickstart"), join(this.repo, PATH), { recursive: true });
      // The quickstart's `$schema` lines point into this repository; they are comments, harmless elsewhere.
      writeFileSync(join(this.repo, "README.md"), "access as code\n");
    }, 60_000);
    afterAll(async () => {
      await this.gh?.close();
      await this.em?.close();
      if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    });
  }

  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.repo, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: this.scratch } }).trim();
  }

  commit(message: string): string {
    this.git("add", "-A");
    this.git("commit", "-q", "-m", message);
    return this.git("rev-parse", "HEAD");
  }

  edit(rel: string, from: string, to: string): void {
    const file = join(this.repo, PATH, rel);
    const content = readFileSync(file, "utf8");
    if (!content.includes(from)) throw new Error(`${rel} has no ${JSON.stringify(from)}`);
    writeFileSync(file, content.replace(from, to));
  }

  async runAction(o: RunOptions): Promise<ActionResult> {
    const { gh, em } = this;
    const n = ++this.runNo;
    const dir = join(this.scratch, `run-${n}`);
    mkdirSync(join(dir, "temp"), { recursive: true });
    const eventPath = join(dir, "event.json");
    const outputPath = join(dir, "output.txt");
    const summaryPath = join(dir, "summary.md");
    writeFileSync(eventPath, JSON.stringify(o.payload ?? {}));
    writeFileSync(outputPath, "");
    writeFileSync(summaryPath, "");
    const env: Record<string, string> = {
      PATH: process.env["PATH"] ?? "",
      HOME: this.scratch,
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: o.event,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: "https://github.example",
      GITHUB_RUN_ID: String(4200 + n),
      GITHUB_SHA: o.sha,
      GITHUB_WORKSPACE: this.repo,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      RUNNER_TEMP: join(dir, "temp"),
      INPUT_COMMAND: o.command,
      INPUT_PATH: PATH,
      "INPUT_GITHUB-TOKEN": gh.token,
      INPUT_COMMENT: "true",
      "INPUT_REQUIRE-REVIEWED-PLAN": "true",
      INPUT_CONCURRENCY: "",
      INPUT_FORCE: "false",
      ...Object.fromEntries(Object.entries(o.inputs ?? {}).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    };
    if (!o.noSecrets) {
      Object.assign(env, {
        ACCESSCTL_RBAC_URL: em.url,
        CONFIDENT_API_KEY: RBAC_KEY,
        ACCESSCTL_CEDAR_URL: em.url,
        ACCESSCTL_CEDAR_API_KEY: CEDAR_KEY,
        ACCESSCTL_CEDAR_TENANT_ID: TENANT,
      });
    }
    Object.assign(env, o.env ?? {});
    // What actions/checkout does: the workspace holds the commit the run is about.
    const branch = this.git("rev-parse", "--abbrev-ref", "HEAD");
    this.git("checkout", "-q", "--detach", o.sha);
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolvePromise, reject) => {
      const child = spawn(process.execPath, [BUNDLE], { cwd: this.repo, env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
      const cancel = o.cancel;
      const poll = cancel
        ? setInterval(() => {
            if (cancel.when()) {
              clearInterval(poll);
              child.kill(cancel.signal);
            }
          }, 5)
        : undefined;
      child.on("error", reject);
      child.on("close", (c) => {
        clearTimeout(timer);
        if (poll) clearInterval(poll);
        resolvePromise({ code: c ?? -1, stdout: out, stderr: err });
      });
    });
    this.git("checkout", "-q", branch);
    const result: ActionResult = { code, stdout, stderr, outputs: parseOutputs(readFileSync(outputPath, "utf8")), summary: readFileSync(summaryPath, "utf8") };
    // `::add-mask::<secret>` is how a step asks the runner to hide a secret: the runner consumes those lines.
    const logged = stdout.split("\n").filter((l) => !l.startsWith("::add-mask::")).join("\n");
    if (!o.noSecrets && !o.env?.["CONFIDENT_API_KEY"]) expect(stdout).toContain(`::add-mask::${RBAC_KEY}`);
    this.expectNoSecrets(logged, stderr, result.summary, JSON.stringify(result.outputs));
    return result;
  }

  expectNoSecrets(...texts: string[]): void {
    for (const t of texts) {
      for (const s of [RBAC_KEY, CEDAR_KEY, this.gh.token]) expect(t).not.toContain(s);
    }
  }

  prPayload(number: number, baseSha: string, headSha: string, fork = false): unknown {
    const base = `${this.gh.owner}/${this.gh.repo}`;
    return {
      action: "synchronize",
      number,
      pull_request: {
        number,
        base: { sha: baseSha, ref: "main", repo: { full_name: base, fork: false } },
        head: { sha: headSha, ref: "feature", repo: { full_name: fork ? `mallory/${this.gh.repo}` : base, fork } },
      },
    };
  }

  markedComments(issue: number, marker = MARKER) {
    return this.gh.commentsOn(issue).filter((c) => c.body.includes(marker));
  }

  writes() {
    return this.gh.requests.filter((r) => r.method !== "GET");
  }

  orgPolicy(name: string) {
    const p = this.em.state.list("policies").find((x) => x.name === name && x.scope === "org");
    if (!p) throw new Error(`no live organization policy ${name}`);
    return p;
  }

  /** A change made outside Git (someone in the web console). */
  async editLiveDescription(name: string, description: string): Promise<void> {
    await this.em.state.put("policies", { ...this.orgPolicy(name), description });
  }
}

export function expectOk(r: ActionResult): void {
  if (r.code !== 0) throw new Error(`the action failed (${r.code})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}
