/**
 * The GitHub Action end to end (issue 9, acceptance 1): the committed bundle `dist-action/index.js` runs as a
 * child process with the environment GitHub gives a JavaScript action, over a real temporary git repository with
 * a base and a head commit, against the emulator (the services, via the URL variables) and a fake GitHub REST API.
 *
 * The tests run in order and share the live state, like a repository's history: a push applies the base; a pull
 * request is planned (one comment, updated on a second run); its merge is applied (comment on the PR); a second
 * pull request is refused at merge because live changed after the review, then forced; the nightly drift run
 * opens, updates and closes one issue; a fork's pull request is validated only.
 */
import { spawn, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import type { Plan } from "../../src/plan/model.js";
import { HUMAN, startFakeGithub, type FakeGithub } from "../helpers/fake-github.js";
import { closedPort } from "../helpers/closed-port.js";
import { writeBigState } from "../helpers/apply-fixtures.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BUNDLE = join(ROOT, "dist-action/index.js");
const TENANT = "00000000-0000-4000-8000-000000000001";
/** Distinctive secrets: any appearance in an output, comment or file is a leak. */
const RBAC_KEY = "rbac-SECRET-k3y-a11ce";
const CEDAR_KEY = "cedar-SECRET-k3y-b0b";
const PATH = "access";
const MARKER = `<!-- accessctl:path=${PATH} -->`;
const APPLY_MARKER = `<!-- accessctl:apply:path=${PATH} -->`;

interface ActionResult {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

let gh: FakeGithub;
let em: EmulatorHandle;
let repo: string;
let scratch: string;
let runNo = 0;

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: scratch } }).trim();
}

function commit(message: string): string {
  git("add", "-A");
  git("commit", "-q", "-m", message);
  return git("rev-parse", "HEAD");
}

function edit(rel: string, from: string, to: string): void {
  const file = join(repo, PATH, rel);
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`${rel} has no ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
}

/** `name<<delimiter\nvalue\ndelimiter` blocks, as @actions/core writes GITHUB_OUTPUT. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

interface RunOptions {
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

async function runAction(o: RunOptions): Promise<ActionResult> {
  const n = ++runNo;
  const dir = join(scratch, `run-${n}`);
  mkdirSync(join(dir, "temp"), { recursive: true });
  const eventPath = join(dir, "event.json");
  const outputPath = join(dir, "output.txt");
  const summaryPath = join(dir, "summary.md");
  writeFileSync(eventPath, JSON.stringify(o.payload ?? {}));
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    HOME: scratch,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: o.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_RUN_ID: String(4200 + n),
    GITHUB_SHA: o.sha,
    GITHUB_WORKSPACE: repo,
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
  const branch = git("rev-parse", "--abbrev-ref", "HEAD");
  git("checkout", "-q", "--detach", o.sha);
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BUNDLE], { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"] });
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
  git("checkout", "-q", branch);
  const result: ActionResult = { code, stdout, stderr, outputs: parseOutputs(readFileSync(outputPath, "utf8")), summary: readFileSync(summaryPath, "utf8") };
  // `::add-mask::<secret>` is how a step asks the runner to hide a secret: the runner consumes those lines.
  const logged = stdout.split("\n").filter((l) => !l.startsWith("::add-mask::")).join("\n");
  if (!o.noSecrets && !o.env?.["CONFIDENT_API_KEY"]) expect(stdout).toContain(`::add-mask::${RBAC_KEY}`);
  expectNoSecrets(logged, stderr, result.summary, JSON.stringify(result.outputs));
  return result;
}

function expectNoSecrets(...texts: string[]): void {
  for (const t of texts) {
    for (const s of [RBAC_KEY, CEDAR_KEY, gh.token]) expect(t).not.toContain(s);
  }
}

function expectOk(r: ActionResult): void {
  if (r.code !== 0) throw new Error(`the action failed (${r.code})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

function prPayload(number: number, baseSha: string, headSha: string, fork = false): unknown {
  const base = `${gh.owner}/${gh.repo}`;
  return {
    action: "synchronize",
    number,
    pull_request: {
      number,
      base: { sha: baseSha, ref: "main", repo: { full_name: base, fork: false } },
      head: { sha: headSha, ref: "feature", repo: { full_name: fork ? `mallory/${gh.repo}` : base, fork } },
    },
  };
}

const markedComments = (issue: number, marker = MARKER) => gh.commentsOn(issue).filter((c) => c.body.includes(marker));

/** A body as a reader sees it: the renderer writes user text and punctuation as HTML entities. */
function text(body: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"' };
  return body.replace(/&#(\d+);|&(amp|lt|gt|quot);/g, (_, code: string | undefined, name: string | undefined) => (code ? String.fromCharCode(Number(code)) : named[name!]!));
}
const writes = () => gh.requests.filter((r) => r.method !== "GET");

async function orgPolicy(name: string) {
  const p = em.state.list("policies").find((x) => x.name === name && x.scope === "org");
  if (!p) throw new Error(`no live organization policy ${name}`);
  return p;
}

/** A change made outside Git (someone in the web console). */
async function editLiveDescription(name: string, description: string): Promise<void> {
  await em.state.put("policies", { ...(await orgPolicy(name)), description });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "accessctl-action-"));
  repo = join(scratch, "repo");
  mkdirSync(repo);
  gh = await startFakeGithub({ pageSize: 2 });
  em = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY, tenant: TENANT });
  git("init", "-q", "-b", "main");
  git("config", "user.name", "Test");
  git("config", "user.email", "test@example.com");
  git("config", "commit.gpgsign", "false");
  cpSync(join(ROOT, "examples/quickstart"), join(repo, PATH), { recursive: true });
  // The quickstart's `$schema` lines point into this repository; they are comments, harmless elsewhere.
  writeFileSync(join(repo, "README.md"), "access as code\n");
}, 60_000);

afterAll(async () => {
  await gh?.close();
  await em?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the GitHub Action bundle", () => {
  let baseSha: string;
  let headSha: string;
  let mergeSha: string;
  let reviewedChecksum: string;

  it("is committed next to its wasm", () => {
    expect(existsSync(BUNDLE)).toBe(true);
    expect(existsSync(join(ROOT, "dist-action/cedar_wasm_bg.wasm"))).toBe(true);
  });

  it("apply on a push with no pull request refuses without a reviewed plan, and applies with force", async () => {
    baseSha = commit("base: the quickstart");
    const refused = await runAction({ command: "apply", event: "push", sha: baseSha });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("::error::Refusing to apply");
    expect(refused.summary).toContain("No merged pull request was found");
    expect(em.state.list("policies").some((p) => p.name === "Manage billing")).toBe(false);

    const forced = await runAction({ command: "apply", event: "workflow_dispatch", sha: baseSha, inputs: { force: "true" } });
    expectOk(forced);
    expect(forced.outputs["has-changes"]).toBe("true");
    expect(forced.outputs["summary"]).toMatch(/^Applied 14 change\(s\)\.$/);
    expect(forced.summary).toContain("✅ applied");
    expect(writes()).toHaveLength(0); // no pull request: nothing to comment on
    expect((await orgPolicy("Manage billing")).description).toBe("Grants access to billing settings");
  });

  it("plan on a pull request creates one comment with the plan, the drift and the checksum, and writes the outputs", async () => {
    // The pull request: a new role in the files. Meanwhile someone edits a policy in the console (drift).
    git("checkout", "-q", "-b", "feature");
    edit("organization.yaml", "  roles:\n", "  roles:\n    - name: Finance Viewer\n      policies: [Manage billing]\n");
    headSha = commit("add Finance Viewer");
    await editLiveDescription("Audit access", "edited in the console");
    // Other people's comments come first, so finding ours means paging (the fake serves 2 per page).
    for (let i = 0; i < 5; i++) gh.comments.push({ id: 10 + i, issue: 7, body: `looks good ${i}${i === 3 ? ` (quoting ${MARKER})` : ""}`, user: HUMAN });

    const r = await runAction({ command: "plan", event: "pull_request", sha: headSha, payload: prPayload(7, baseSha, headSha) });
    expectOk(r);
    const ours = markedComments(7).filter((c) => c.user.type === "Bot");
    expect(ours).toHaveLength(1);
    const raw = ours[0]!.body;
    const body = text(raw);
    expect(raw.startsWith(MARKER)).toBe(true);
    expect(body).toContain("Plan: 1 to create, 1 to update, 0 to delete.");
    expect(body).toContain("Finance Viewer");
    expect(body).toContain("#### Drift");
    expect(body).toMatch(/drift \(changed outside Git/);
    expect(r.outputs["has-changes"]).toBe("true");
    expect(r.outputs["checksum"]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(raw).toContain(`<!-- accessctl:checksum=${r.outputs["checksum"]} -->`);
    expect(body).toContain(`checksum <code>${r.outputs["checksum"]}</code>`);
    expect(r.outputs["summary"]).toBe("Plan: 1 to create, 1 to update, 0 to delete.");
    const planFile = r.outputs["plan-file"]!;
    const saved = JSON.parse(readFileSync(planFile, "utf8")) as Plan;
    expect(saved.checksum).toBe(r.outputs["checksum"]);
    expect(r.summary).toContain("### accessctl plan: access");
    expect(r.summary).toContain("Finance Viewer");
    expectNoSecrets(raw, readFileSync(planFile, "utf8"));
    // Found by paging: the list was read past the first page.
    expect(gh.requests.some((q) => q.method === "GET" && q.path.endsWith("/issues/7/comments") && q.query.get("page") === "3")).toBe(true);
    reviewedChecksum = r.outputs["checksum"]!;
  });

  it("a second run updates the same comment, never a second one; \"No changes\" updates it too", async () => {
    edit("organization.yaml", "    - name: Finance Viewer\n", "    - name: Finance Viewer\n      description: Reads invoices\n");
    headSha = commit("describe Finance Viewer");
    const r = await runAction({ command: "plan", event: "pull_request", sha: headSha, payload: prPayload(7, baseSha, headSha) });
    expectOk(r);
    const ours = markedComments(7).filter((c) => c.user.type === "Bot");
    expect(ours).toHaveLength(1);
    expect(text(ours[0]!.body)).toContain("Reads invoices");
    expect(gh.requests.filter((q) => q.method === "POST" && q.path.endsWith("/issues/7/comments"))).toHaveLength(1);
    expect(gh.requests.filter((q) => q.method === "PATCH" && q.path === `/repos/${gh.owner}/${gh.repo}/issues/comments/${ours[0]!.id}`)).toHaveLength(1);
    reviewedChecksum = r.outputs["checksum"]!;
    expect(ours[0]!.body).toContain(reviewedChecksum);

    // A pull request whose files change nothing on a live state that matches: "No changes", same comment.
    const noop = await runAction({ command: "plan", event: "pull_request", sha: baseSha, payload: prPayload(8, baseSha, baseSha) });
    expectOk(noop);
    await editLiveDescription("Audit access", "Read who can do what, change nothing"); // undo the drift for PR 8 …
    const again = await runAction({ command: "plan", event: "pull_request", sha: baseSha, payload: prPayload(8, baseSha, baseSha) });
    expectOk(again);
    expect(markedComments(8)).toHaveLength(1);
    expect(text(markedComments(8)[0]!.body)).toContain("No changes. Live state matches the desired state.");
    expect(again.outputs["has-changes"]).toBe("false");
    await editLiveDescription("Audit access", "edited in the console"); // … and put it back: PR 7 was reviewed with it
  });

  it("apply on the merge applies the reviewed plan and comments the outcome on the pull request", async () => {
    git("checkout", "-q", "main");
    git("merge", "-q", "--no-ff", "-m", "Merge pull request #7", "feature");
    mergeSha = git("rev-parse", "HEAD");
    gh.pullsByCommit.set(mergeSha, [{ number: 7, merged_at: "2025-01-01T00:00:00Z", merge_commit_sha: mergeSha }]);

    const r = await runAction({ command: "apply", event: "push", sha: mergeSha });
    expectOk(r);
    expect(r.outputs["checksum"]).toBe(reviewedChecksum);
    const outcome = markedComments(7, APPLY_MARKER);
    expect(outcome).toHaveLength(1);
    expect(outcome[0]!.body).toContain("✅ applied");
    expect(outcome[0]!.body).toContain("| 2 | 0 | 0 |");
    expect(outcome[0]!.body).toContain("A fresh plan after the apply is empty");
    expect(markedComments(7).filter((c) => c.user.type === "Bot")).toHaveLength(1); // the reviewed plan stays as it was
    expect(em.state.list("roles").some((x) => x.name === "Finance Viewer" && x.description === "Reads invoices")).toBe(true);
    expect((await orgPolicy("Audit access")).description).toBe("Read who can do what, change nothing");
  });

  it("apply refuses, change by change, when live changed after the review; force applies", async () => {
    git("checkout", "-q", "-b", "feature-2");
    edit("organization.yaml", "Can manage billing only", "Manages billing, nothing else");
    const head2 = commit("reword Billing Manager");
    const plan = await runAction({ command: "plan", event: "pull_request", sha: head2, payload: prPayload(9, mergeSha, head2) });
    expectOk(plan);
    expect(text(markedComments(9)[0]!.body)).toContain("Plan: 0 to create, 1 to update, 0 to delete.");

    await editLiveDescription("Manage billing", "changed after the review");
    git("checkout", "-q", "main");
    git("merge", "-q", "--no-ff", "-m", "Merge pull request #9", "feature-2");
    const merge2 = git("rev-parse", "HEAD");
    gh.pullsByCommit.set(merge2, [{ number: 9, merged_at: "2025-01-02T00:00:00Z", merge_commit_sha: merge2 }]);

    const refused = await runAction({ command: "apply", event: "push", sha: merge2 });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("::error::Refusing to apply");
    const why = markedComments(9, APPLY_MARKER);
    expect(why).toHaveLength(1);
    expect(why[0]!.body).toContain("⛔ refused: not the reviewed plan");
    expect(text(why[0]!.body)).toMatch(/new since the review \| ~ organization\/policies\/Manage billing\b/);
    expect(text(why[0]!.body)).not.toMatch(/Billing Manager.*since the review/);
    expect(em.state.list("roles").find((x) => x.name === "Billing Manager")!.description).toBe("Can manage billing only");

    const forced = await runAction({ command: "apply", event: "workflow_dispatch", sha: merge2, inputs: { force: "true" } });
    expectOk(forced);
    expect(markedComments(9, APPLY_MARKER)).toHaveLength(1);
    expect(markedComments(9, APPLY_MARKER)[0]!.body).toContain("✅ applied");
    expect(em.state.list("roles").find((x) => x.name === "Billing Manager")!.description).toBe("Manages billing, nothing else");
    mergeSha = merge2;
  });

  it("drift opens one issue, updates it, and closes it when the drift is gone", async () => {
    // Unrelated issues and a pull request (the issues list holds both) push ours past the first page.
    gh.issues.push({ number: 7, title: "PR", body: MARKER, state: "open", user: HUMAN, pull_request: { url: "x" } });
    for (let i = 0; i < 3; i++) gh.issues.push({ number: 50 + i, title: `question ${i}`, body: "hello", state: "open", user: HUMAN });
    const issuesOf = () => gh.issues.filter((i) => i.user.type === "Bot" && i.body.includes(MARKER));

    const clean = await runAction({ command: "drift", event: "schedule", sha: mergeSha });
    expectOk(clean);
    expect(clean.outputs["has-changes"]).toBe("false");
    expect(issuesOf()).toHaveLength(0);

    await editLiveDescription("Manage billing", "drifted once");
    const first = await runAction({ command: "drift", event: "schedule", sha: mergeSha });
    expectOk(first);
    expect(first.outputs["has-changes"]).toBe("true");
    expect(issuesOf()).toHaveLength(1);
    const issue = issuesOf()[0]!;
    expect(issue.state).toBe("open");
    expect(issue.title).toBe("accessctl: drift in access");
    expect(text(issue.body)).toContain("drifted once");

    await editLiveDescription("Audit access", "drifted twice");
    const second = await runAction({ command: "drift", event: "schedule", sha: mergeSha });
    expectOk(second);
    expect(issuesOf()).toHaveLength(1);
    expect(text(issuesOf()[0]!.body)).toContain("drifted twice");
    expect(text(issuesOf()[0]!.body)).toContain("Plan: 0 to create, 2 to update, 0 to delete.");

    expectOk(await runAction({ command: "apply", event: "workflow_dispatch", sha: mergeSha, inputs: { force: "true" } }));
    const gone = await runAction({ command: "drift", event: "schedule", sha: mergeSha });
    expectOk(gone);
    expect(issue.state).toBe("closed");
    expect(gh.commentsOn(issue.number)).toHaveLength(1);
    expect(text(gh.commentsOn(issue.number)[0]!.body)).toContain("No drift any more");
    expect(issuesOf().filter((i) => i.state === "open")).toHaveLength(0);
  });

  it("a wrong key and a closed port fail the step with the CLI's message and hint, never as a bug", async () => {
    const wrong = "wrong-SECRET-k3y-d00d";
    const unauthorized = await runAction({ command: "drift", event: "schedule", sha: mergeSha, env: { CONFIDENT_API_KEY: wrong } });
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stdout).toMatch(/::error::the RBAC API at http:\/\/127\.0\.0\.1:\d+: \[GET\] \/v1\/\S+: 401 Unauthorized/);
    expect(unauthorized.stdout).toContain("hint: check CONFIDENT_API_KEY holds an organization key");
    expect(unauthorized.stdout.split("\n").filter((l) => !l.startsWith("::add-mask::")).join("\n")).not.toContain(wrong);
    const closed = await closedPort();
    const refused = await runAction({
      command: "drift",
      event: "schedule",
      sha: mergeSha,
      env: { ACCESSCTL_RBAC_URL: `http://127.0.0.1:${closed}`, ACCESSCTL_CEDAR_URL: `http://127.0.0.1:${closed}` },
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/no response \(ECONNREFUSED\)/);
    expect(refused.stdout).toContain(`ACCESSCTL_RBAC_URL (http://127.0.0.1:${closed})`);
    for (const r of [unauthorized, refused]) {
      expect(r.stdout + r.stderr).not.toContain("this is a bug");
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it("a cancelled apply (SIGINT) starts nothing new, comments what was applied, and fails the job", async () => {
    const slow = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY, tenant: TENANT, latencyMs: 40 });
    try {
      writeBigState(join(repo, "big"));
      const sha = commit("a big change");
      gh.pullsByCommit.set(sha, [{ number: 21, merged_at: "2025-01-02T00:00:00Z", merge_commit_sha: sha }]);
      const writes = () => slow.requestLog.filter((e) => e.method !== "GET" && e.status < 300).length;
      const r = await runAction({
        command: "apply",
        event: "push",
        sha,
        inputs: { path: "big", force: "true" },
        env: { ACCESSCTL_RBAC_URL: slow.url, ACCESSCTL_CEDAR_URL: slow.url },
        cancel: { when: () => writes() >= 30, signal: "SIGINT" },
      });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.stdout).toContain("SIGINT received");
      expect(r.stdout).toMatch(/::error::Apply interrupted: \d+ applied, \d+ failed, \d+ outcome unknown, \d+ skipped, \d+ not started/);
      const outcome = gh.commentsOn(21).filter((c) => c.body.includes("<!-- accessctl:apply:path=big -->"));
      expect(outcome).toHaveLength(1);
      expect(outcome[0]!.body).toContain("⏹️ interrupted");
      expect(outcome[0]!.body).toContain("no convergence check followed");
      expect(outcome[0]!.body).toMatch(/\| applied \| failed \| outcome unknown \| skipped \| not started \|/);
      expect(r.stdout).not.toContain("this is a bug");
    } finally {
      await slow.close();
    }
  });

  it("a fork's pull request without secrets is validated only: job summary and annotations, no comment", async () => {
    const before = gh.requests.length;
    git("checkout", "-q", "-b", "fork");
    edit("organization.yaml", "policies: [Audit access]", "policies: [Audit acces]");
    const forkHead = commit("a typo from a fork");
    gh.readOnly = true;
    try {
      const r = await runAction({ command: "plan", event: "pull_request", sha: forkHead, payload: prPayload(11, mergeSha, forkHead, true), noSecrets: true });
      expect(r.code).toBe(1);
      expect(r.summary).toContain("Validation only");
      expect(r.summary).toContain("a pull request from a fork");
      expect(r.summary).toContain("❌ The desired state is invalid.");
      expect(r.stdout).toMatch(/::error title=accessctl [a-z-]+,file=access\/organization\.yaml,line=\d+,col=\d+::/);
      expect(r.outputs["has-changes"]).toBe("false");
      expect(gh.requests.length).toBe(before); // never called GitHub
      expect(gh.commentsOn(11)).toHaveLength(0);

      git("checkout", "-q", "main");
      const valid = await runAction({ command: "plan", event: "pull_request", sha: mergeSha, payload: prPayload(12, mergeSha, mergeSha, true), noSecrets: true });
      expectOk(valid);
      expect(valid.summary).toContain("✅ The desired state is valid.");
      expect(gh.requests.length).toBe(before);
    } finally {
      gh.readOnly = false;
    }
  });
});
