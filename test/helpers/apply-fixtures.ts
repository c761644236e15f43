/**
 * Shared by the `apply` end-to-end tests (issue 7): distinctive keys and the target environment, a transcript of
 * every CLI output (checked for the keys), a killable CLI child, a recording proxy (the emulator's request log
 * has no bodies), a generated 300-object desired state, and a duplicate check over the emulator's state that can
 * poll while an apply runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { stringify } from "yaml";
import { beforeAll, expect } from "vitest";
import { canonicalRule } from "../../src/cedar/canonical.js";
import type { EmulatorHandle, EmulatorState } from "../../src/emulator/index.js";
import { ruleText } from "../../src/emulator/cedar-rules.js";
import { orgPermissionNames, projectPermissionNames } from "../../src/emulator/seed.js";
import { CLI, EMULATOR_TENANT, ROOT, baseEnv, emulatorTargets, runCli, type CliResult } from "./cli.js";

export const TENANT = EMULATOR_TENANT;
/** Distinctive, non-default keys: any appearance in an output or a file is a leak. */
export const RBAC_KEY = "rbac-APPLY-s3cr3t-9d41c7";
export const CEDAR_KEY = "cedar-APPLY-s3cr3t-5e20ab";

export function targetEnv(url: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return emulatorTargets(url, { rbac: RBAC_KEY, cedar: CEDAR_KEY }, extra);
}

// ---- the transcript: every output of every run, and every plan file ------------------------------------------

export interface Transcript {
  /** label → text */
  entries: { label: string; text: string }[];
}

export const transcript: Transcript = { entries: [] };

/**
 * Call at the top of a test file that checks the transcript: it is emptied before the file's tests, so that
 * `expectTranscriptClean` counts this file's entries only (test files share a worker's modules).
 */
export function transcriptForFile(): void {
  beforeAll(() => {
    transcript.entries.length = 0;
  });
}

export function record(label: string, text: string): void {
  transcript.entries.push({ label, text });
}

export function recordFile(path: string): string {
  const text = readFileSync(path, "utf8");
  record(`file ${path}`, text);
  return text;
}

export function keyLeaks(text: string): string[] {
  const out: string[] = [];
  for (const key of [RBAC_KEY, CEDAR_KEY]) {
    for (const form of [key, encodeURIComponent(key), Buffer.from(key).toString("base64")]) if (text.includes(form)) out.push(form);
  }
  return out;
}

export function expectNoKeys(label: string, text: string): void {
  expect(keyLeaks(text), `${label} leaks a key`).toEqual([]);
}

/** Every recorded output is free of the keys; and there really were outputs to check. */
export function expectTranscriptClean(minEntries: number): void {
  expect(transcript.entries.length).toBeGreaterThanOrEqual(minEntries);
  const leaking = transcript.entries.filter((e) => keyLeaks(e.text).length > 0).map((e) => e.label);
  expect(leaking).toEqual([]);
}

/** Runs the built CLI in `cwd`, records its output, and checks it at once for the keys. */
export async function cli(cwd: string, args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const r = await runCli(args, { cwd, env });
  const label = `accessctl ${args.join(" ")} (in ${cwd})`;
  record(`${label} stdout`, r.stdout);
  record(`${label} stderr`, r.stderr);
  expectNoKeys(label, r.stdout + r.stderr);
  return r;
}

export const show = (r: CliResult): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

// ---- a killable CLI child -------------------------------------------------------------------------------------

export interface Child {
  child: ChildProcess;
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** `node dist-cli/main.js …` directly (no wrapper), so that SIGKILL hits the CLI itself. */
export function spawnCli(cwd: string, args: string[], env: Record<string, string | undefined>): Child {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: baseEnv(env), stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin!.end("");
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const label = `accessctl ${args.join(" ")} (child ${child.pid}, in ${cwd})`;
      record(`${label} stdout`, stdout);
      record(`${label} stderr`, stderr);
      resolve({ code: code ?? -1, signal, stdout, stderr });
    });
  });
  return { child, done };
}

// ---- a recording proxy: method, path and body of every request ----------------------------------------------

export interface Recorded {
  method: string;
  path: string;
  body: string;
}

export interface Proxy {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<Proxy> {
  const to = new URL(target);
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? "", path: req.url ?? "", body: body.toString("utf8") });
      const headers = { ...req.headers, host: to.host };
      const up = request({ hostname: to.hostname, port: to.port, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on("error", () => res.destroy());
      up.end(body);
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- writes in the emulator's request log ---------------------------------------------------------------------

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Writes logged since index `from`; `POST /v1/policies/evaluate` is a read. */
export function writesSince(em: EmulatorHandle, from: number): string[] {
  return em.requestLog
    .slice(from)
    .filter((e) => WRITE_METHODS.has(e.method) && !(e.method === "POST" && e.path.startsWith("/v1/policies/evaluate")))
    .map((e) => `${e.method} ${e.path} → ${e.status}`);
}

// ---- a generated 300-object desired state ---------------------------------------------------------------------

export const BIG_PROJECT = "Search";

export interface BigState {
  /** Objects the files declare: policies + roles + Cedar policies + rules. */
  objects: number;
  orgPolicies: string[];
  orgRoles: string[];
  projectPolicies: string[];
  projectRoles: string[];
  cedar: { name: string; rules: string[] }[];
}

/**
 * 300 objects: the organization (50 policies, 40 roles), the project `Search` (50 policies, 40 roles) and 30
 * Cedar policies of 3 rules each (30 + 90). Each rule is unique by its condition. Deterministic per `variant`.
 */
export function writeBigState(dir: string, variant = 0): BigState {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "cedar"), { recursive: true });
  const orgPerms = orgPermissionNames();
  const projPerms = projectPermissionNames();
  const pickN = (names: string[], i: number, n: number): string[] => [...new Set(Array.from({ length: n }, (_, k) => names[(i * 7 + k * 13 + variant) % names.length]!))];
  const scope = (label: string, perms: string[]) => {
    const policies = Array.from({ length: 50 }, (_, i) => ({
      name: `${label} policy ${String(i).padStart(2, "0")}`,
      ...(i % 2 === 0 ? { description: `${label} policy number ${i}` } : {}),
      permissions: pickN(perms, i, 1 + (i % 4)),
    }));
    const roles = Array.from({ length: 40 }, (_, i) => ({
      name: `${label} role ${String(i).padStart(2, "0")}`,
      ...(i % 3 === 0 ? { description: `${label} role number ${i}` } : {}),
      policies: [...new Set([policies[i]!.name, policies[(i * 3 + 1) % 50]!.name, ...(i % 2 ? [policies[49 - i]!.name] : [])])],
    }));
    return { policies, roles };
  };
  const org = scope("Org", orgPerms);
  const project = scope("Search", projPerms);
  let n = 0;
  const cedar = Array.from({ length: 30 }, (_, i) => ({
    name: `bulk-access-${String(i).padStart(2, "0")}`,
    ...(i % 2 === 0 ? { description: `bulk Cedar policy ${i}`, priority: i % 5 } : {}),
    maxDurationSeconds: 3600 * (1 + (i % 4)),
    rules: Array.from({ length: 3 }, (_, j) => {
      n++;
      return {
        effect: j === 2 ? "forbid" : "permit",
        ...(j === 0 ? { principal: { in: `Group::"team-${i}"` } } : j === 1 ? { principal: { is: "User" } } : {}),
        action: { in: ["request_access"] },
        ...(j !== 2 ? { resource: { is: "AwsAccount" } } : {}),
        when: `context.n == ${n * 10 + variant}`,
        ...(j === 1 ? { notice: `rule ${n} is recorded` } : {}),
      };
    }),
  }));
  const header = "# generated by the apply tests\n";
  writeFileSync(
    join(dir, "organization.yaml"),
    header + stringify({ organization: org, accessctl: { thresholds: { updatePercent: 100, deletePercent: 100, minExisting: 10 } } }),
  );
  writeFileSync(join(dir, "project.yaml"), header + stringify({ projects: [{ name: BIG_PROJECT, ...project }] }));
  writeFileSync(join(dir, "cedar", "a.yaml"), header + stringify({ cedar: { policies: cedar.slice(0, 15) } }));
  writeFileSync(join(dir, "cedar", "b.yaml"), header + stringify({ cedar: { policies: cedar.slice(15) } }));
  const state: BigState = {
    objects: 0,
    orgPolicies: org.policies.map((p) => p.name),
    orgRoles: org.roles.map((r) => r.name),
    projectPolicies: project.policies.map((p) => p.name),
    projectRoles: project.roles.map((r) => r.name),
    cedar: cedar.map((p) => ({ name: p.name, rules: p.rules.map((r) => r.when) })),
  };
  state.objects = state.orgPolicies.length + state.orgRoles.length + state.projectPolicies.length + state.projectRoles.length + state.cedar.reduce((k, p) => k + 1 + p.rules.length, 0);
  return state;
}

// ---- duplicates and contents, read from the emulator's state (no HTTP, no faults, no rate limit) --------------

const meaningCache = new Map<string, string>();
function meaning(text: string): string {
  let m = meaningCache.get(text);
  if (m === undefined) {
    m = canonicalRule(text);
    meaningCache.set(text, m);
  }
  return m;
}

/** Every scope holding two objects of one name, and every Cedar policy holding two rules of one meaning. */
export function duplicates(state: EmulatorState): string[] {
  const out: string[] = [];
  const count = (label: string, keys: string[]): void => {
    const seen = new Map<string, number>();
    for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
    for (const [k, n] of seen) if (n > 1) out.push(`${label}: ${n} × ${k}`);
  };
  count("RBAC policies", state.list("policies").map((p) => `${p.scope} / ${p.name}`));
  count("roles", state.list("roles").map((r) => `${r.scope} / ${r.name}`));
  count("Cedar policies", state.list("cedarPolicies").map((p) => p.name));
  count("Cedar rules", state.list("cedarRules").map((r) => `${r.policy_id} / ${meaning(ruleText(r))}`));
  return out;
}

/** Polls `duplicates` every `everyMs` until stopped; remembers every violation seen. */
export function watchDuplicates(state: EmulatorState, everyMs = 100): { stop(): string[] } {
  const seen = new Set<string>();
  const check = (): void => {
    for (const d of duplicates(state)) seen.add(d);
  };
  const timer = setInterval(check, everyMs);
  return {
    stop() {
      clearInterval(timer);
      check();
      return [...seen];
    },
  };
}

/** The emulator holds exactly what `writeBigState` declared (names per scope; rules by condition, in order). */
export function expectBigStateLive(state: EmulatorState, big: BigState): void {
  const projectId = state.list("projects").find((p) => p.name === BIG_PROJECT)!.id;
  const names = (c: "policies" | "roles", scope: string) =>
    state
      .list(c)
      .filter((x) => x.scope === scope && !("system" in x && x.system))
      .map((x) => x.name)
      .sort();
  expect(names("policies", "org")).toEqual([...big.orgPolicies].sort());
  expect(names("roles", "org")).toEqual([...big.orgRoles].sort());
  expect(names("policies", projectId)).toEqual([...big.projectPolicies].sort());
  expect(names("roles", projectId)).toEqual([...big.projectRoles].sort());
  const rules = state.list("cedarRules");
  const live = state
    .list("cedarPolicies")
    .map((p) => ({
      name: p.name,
      rules: rules
        .filter((r) => r.policy_id === p.id)
        .sort((a, b) => a.ordinal - b.ordinal)
        .map((r) => `${r.ordinal}: ${/when\s*\{\s*(.*?)\s*\}/s.exec(ruleText(r))?.[1] ?? ruleText(r)}`),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  expect(live).toEqual(big.cedar.map((p) => ({ name: p.name, rules: p.rules.map((w, i) => `${i + 1}: ${w}`) })).sort((a, b) => (a.name < b.name ? -1 : 1)));
}

export { ROOT };
