/**
 * Soak (issue 10): 20 consecutive cycles of seeded random edits to one desired-state directory → `plan` →
 * `apply --yes`, all against ONE emulator that injects faults (before and after the commit) on a fifth of the
 * requests. A faulted change may fail an apply; the apply is then run again (bounded), as a user would. The run
 * must end with `plan --detailed-exitcode` = 0 and the emulator's state — read back over HTTP — equal to the
 * desired state object by object: names, descriptions, permissions, policies, Cedar policy fields, and rules by
 * meaning, in order. Nothing lost, nothing duplicated.
 *
 * The built CLI (dist/) runs as a child process; the emulator runs here, on loopback.
 */
import { writeFileSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalRule } from "../../src/cedar/canonical.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { orgPermissionNames, projectPermissionNames } from "../../src/emulator/seed.js";
import { EMULATOR_TENANT, emulatorTargets, runCli, tempDir, type CliResult } from "../helpers/cli.js";
import { rng } from "../../bench/generate.js";

const TENANT = EMULATOR_TENANT;
const RBAC_KEY = "local-rbac-key";
const CEDAR_KEY = "local-cedar-key";
const CYCLES = 20;
const FAULT_RATE = 0.2;
const SEED = 20_240_601;
const MAX_APPLY_RUNS = 8;
const PROJECTS = ["Support Bot", "Search"];

// ---- the model: what the files say ------------------------------------------------------------------------

interface Policy { name: string; description?: string; permissions: string[]; previousNames?: string[] }
interface Role { name: string; description?: string; policies: string[]; previousNames?: string[] }
interface Scope { policies: Policy[]; roles: Role[] }
interface Rule {
  effect: "permit" | "forbid";
  principal?: Record<string, string>;
  action?: Record<string, string | string[]>;
  resource?: Record<string, string>;
  when: string;
  unless?: string;
  notice?: string;
}
interface CedarPolicy {
  name: string;
  description?: string;
  priority?: number;
  enabled?: boolean;
  maxDurationSeconds: number;
  rules: Rule[];
  previousNames?: string[];
}
interface Model { org: Scope; projects: Record<string, Scope>; cedar: CedarPolicy[] }


const random = rng(SEED);
const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
function sample<T>(xs: readonly T[], n: number): T[] {
  const copy = [...xs];
  const out: T[] = [];
  while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(random() * copy.length), 1)[0]!);
  return out;
}
let counter = 0;
const fresh = (prefix: string): string => `${prefix} ${++counter}`;

/** A rule unique by its condition (a fresh number), in one of the scope forms. */
function newRule(): Rule {
  const n = ++counter;
  const rule: Rule = { effect: random() < 0.75 ? "permit" : "forbid", when: `context.n == ${n}` };
  switch (n % 5) {
    case 1: rule.principal = { eq: `User::"u${n}"` }; break;
    case 2: rule.principal = { in: `Group::"g${n % 7}"` }; break;
    case 3: rule.principal = { is: "User" }; break;
    case 4: rule.principal = { is: "User", in: `Group::"g${n % 3}"` }; break;
    default: break;
  }
  if (n % 3 === 1) rule.action = { eq: "request_access" };
  if (n % 3 === 2) rule.action = { in: ["request_access", "approve"] };
  if (n % 4 === 1) rule.resource = { is: "AwsAccount" };
  if (n % 4 === 2) rule.resource = { in: `Team::"t${n % 5}"` };
  if (n % 6 === 0) rule.unless = "context has ticket";
  if (random() < 0.3) rule.notice = `notice ${n}`;
  return rule;
}

function newPolicy(names: readonly string[]): Policy {
  const p: Policy = { name: fresh("Policy"), permissions: sample(names, int(1, 5)).sort() };
  if (random() < 0.5) p.description = `grants ${p.permissions.length}`;
  return p;
}

function newRole(scope: Scope): Role | undefined {
  if (scope.policies.length === 0) return undefined;
  const r: Role = { name: fresh("Role"), policies: sample(scope.policies, int(1, 3)).map((p) => p.name) };
  if (random() < 0.5) r.description = `role ${counter}`;
  return r;
}

function newCedarPolicy(): CedarPolicy {
  const p: CedarPolicy = { name: `access-${++counter}`, maxDurationSeconds: 3600 * int(1, 8), rules: Array.from({ length: int(1, 5) }, newRule) };
  if (random() < 0.5) p.priority = int(0, 20);
  if (random() < 0.5) p.description = `policy ${counter}`;
  return p;
}

function initialModel(): Model {
  const scope = (names: readonly string[]): Scope => {
    const s: Scope = { policies: Array.from({ length: 4 }, () => newPolicy(names)), roles: [] };
    for (let i = 0; i < 3; i++) s.roles.push(newRole(s)!);
    return s;
  };
  return {
    org: scope(orgPermissionNames()),
    projects: Object.fromEntries(PROJECTS.map((p) => [p, scope(projectPermissionNames())])),
    cedar: [newCedarPolicy(), newCedarPolicy(), newCedarPolicy()],
  };
}

/** One random edit; returns what it did, for the failure message. */
function edit(model: Model): string {
  const scopes: [string, Scope, readonly string[]][] = [
    ["organization", model.org, orgPermissionNames()],
    ...PROJECTS.map((p): [string, Scope, readonly string[]] => [p, model.projects[p]!, projectPermissionNames()]),
  ];
  const [where, scope, names] = pick(scopes);
  const op = int(0, 15);
  switch (op) {
    case 0: {
      if (scope.policies.length >= 10) return "skip";
      scope.policies.push(newPolicy(names));
      return `${where}: add policy`;
    }
    case 1: {
      if (scope.policies.length <= 1) return "skip";
      const victim = pick(scope.policies);
      scope.policies = scope.policies.filter((p) => p !== victim);
      for (const r of scope.roles) r.policies = r.policies.filter((n) => n !== victim.name);
      scope.roles = scope.roles.filter((r) => r.policies.length > 0);
      return `${where}: delete policy ${victim.name}`;
    }
    case 2: {
      const p = pick(scope.policies);
      const old = p.name;
      p.name = fresh("Policy");
      p.previousNames = [old];
      for (const r of scope.roles) r.policies = r.policies.map((n) => (n === old ? p.name : n));
      return `${where}: rename policy ${old} → ${p.name}`;
    }
    case 3: {
      const p = pick(scope.policies);
      p.permissions = sample(names, int(1, 6)).sort();
      return `${where}: permissions of ${p.name}`;
    }
    case 4: {
      const p = pick(scope.policies);
      p.description = random() < 0.8 ? `changed ${++counter}` : undefined;
      return `${where}: description of ${p.name}`;
    }
    case 5: {
      if (scope.roles.length >= 8) return "skip";
      const r = newRole(scope);
      if (r) scope.roles.push(r);
      return `${where}: add role`;
    }
    case 6: {
      if (scope.roles.length === 0) return "skip";
      const victim = pick(scope.roles);
      scope.roles = scope.roles.filter((r) => r !== victim);
      return `${where}: delete role ${victim.name}`;
    }
    case 7: {
      if (scope.roles.length === 0) return "skip";
      const r = pick(scope.roles);
      if (random() < 0.5) {
        const old = r.name;
        r.name = fresh("Role");
        r.previousNames = [old];
        return `${where}: rename role ${old} → ${r.name}`;
      }
      r.policies = sample(scope.policies, int(1, 3)).map((p) => p.name);
      return `${where}: policies of ${r.name}`;
    }
    case 8: {
      if (model.cedar.length >= 6) return "skip";
      model.cedar.push(newCedarPolicy());
      return "cedar: add policy";
    }
    case 9: {
      if (model.cedar.length <= 1) return "skip";
      const victim = pick(model.cedar);
      model.cedar = model.cedar.filter((p) => p !== victim);
      return `cedar: delete policy ${victim.name}`;
    }
    case 10: {
      const p = pick(model.cedar);
      const what = int(0, 3);
      if (what === 0) {
        const old = p.name;
        p.name = `access-${++counter}`;
        p.previousNames = [old];
        return `cedar: rename ${old} → ${p.name}`;
      }
      if (what === 1) p.priority = int(0, 20);
      if (what === 2) p.enabled = random() < 0.5;
      if (what === 3) p.description = `changed ${++counter}`;
      return `cedar: fields of ${p.name}`;
    }
    case 11: {
      const p = pick(model.cedar);
      if (p.rules.length >= 8) return "skip";
      p.rules.splice(int(0, p.rules.length), 0, newRule());
      return `cedar: insert a rule into ${p.name}`;
    }
    case 12: {
      const p = pick(model.cedar);
      if (p.rules.length <= 1) return "skip";
      p.rules.splice(int(0, p.rules.length - 1), 1);
      return `cedar: delete a rule of ${p.name}`;
    }
    case 13: {
      const p = pick(model.cedar);
      if (p.rules.length < 2) return "skip";
      const i = int(0, p.rules.length - 1);
      const j = int(0, p.rules.length - 1);
      [p.rules[i], p.rules[j]] = [p.rules[j]!, p.rules[i]!];
      return `cedar: swap rules ${i + 1} and ${j + 1} of ${p.name}`;
    }
    case 14: {
      const p = pick(model.cedar);
      const r = pick(p.rules);
      r.when = `context.n == ${++counter}`;
      return `cedar: change a rule's condition in ${p.name}`;
    }
    default: {
      const p = pick(model.cedar);
      const r = pick(p.rules);
      r.notice = `notice ${++counter}`;
      return `cedar: change a rule's notice in ${p.name}`;
    }
  }
}

// ---- files --------------------------------------------------------------------------------------------------

const HEADER = "# soak test desired state\n";

function writeModel(dir: string, model: Model): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "projects"), { recursive: true });
  mkdirSync(join(dir, "cedar"), { recursive: true });
  const clean = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
  writeFileSync(
    join(dir, "organization.yaml"),
    HEADER + stringify({ organization: clean(model.org), accessctl: { thresholds: { updatePercent: 100, deletePercent: 100, minExisting: 10 } } }),
  );
  PROJECTS.forEach((name, i) => {
    writeFileSync(join(dir, "projects", `p${i}.yaml`), HEADER + stringify({ projects: [{ name, ...clean(model.projects[name]!) }] }));
  });
  // Cedar policies spread over two files (collections merge).
  const half = Math.ceil(model.cedar.length / 2);
  const parts = [model.cedar.slice(0, half), model.cedar.slice(half)];
  parts.forEach((policies, i) => {
    writeFileSync(join(dir, "cedar", `part-${i}.yaml`), HEADER + stringify({ cedar: { policies: clean(policies) } }));
  });
}

/** After a successful apply, renames are done: the files stop naming the old names. */
function settleRenames(model: Model): void {
  for (const s of [model.org, ...Object.values(model.projects)]) {
    for (const p of s.policies) delete p.previousNames;
    for (const r of s.roles) delete r.previousNames;
  }
  for (const p of model.cedar) delete p.previousNames;
}

// ---- reading the emulator back over HTTP (faults on: every GET is retried, bounded) --------------------------

async function get(url: string, headers: Record<string, string>): Promise<any> {
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      const res = await fetch(url, { headers });
      const text = await res.text();
      if (res.status === 200) return JSON.parse(text);
      if (res.status < 500 && res.status !== 429) throw new Error(`GET ${url}: ${res.status} ${text}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("GET ")) throw error;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`GET ${url}: still failing after 40 attempts`);
}

interface Snapshot {
  scopes: Record<string, { policies: { name: string; description: string | null; permissions: string[] }[]; roles: { name: string; description: string | null; policies: string[] }[] }>;
  cedar: { name: string; description: string | null; priority: number; enabled: boolean; max: number; rules: { ordinal: number; meaning: string; notice: string | null }[] }[];
}

async function readLive(base: string): Promise<Snapshot> {
  const rbac = { CONFIDENT_API_KEY: RBAC_KEY };
  const cedar = { "x-api-key": CEDAR_KEY, "x-tenant-id": TENANT };
  const projects: { id: string; name: string }[] = (await get(`${base}/v1/projects`, rbac)).data.projects;
  const scopes: Snapshot["scopes"] = {};
  for (const [label, prefix] of [["organization", "/v1/organization"], ...PROJECTS.map((p) => [p, `/v1/projects/${projects.find((x) => x.name === p)!.id}`])] as [string, string][]) {
    const perms: { id: string; name: string }[] = (await get(`${base}${prefix}/permissions`, rbac)).data.permissions;
    const permName = new Map(perms.map((p) => [p.id, p.name]));
    const policies: any[] = (await get(`${base}${prefix}/policies`, rbac)).data.policies;
    const roles: any[] = (await get(`${base}${prefix}/roles`, rbac)).data.roles;
    const policyName = new Map(policies.map((p) => [p.id as string, p.name as string]));
    scopes[label] = {
      policies: policies
        .map((p) => ({
          name: p.name as string,
          description: (p.description ?? null) as string | null,
          permissions: (p.permissions as any[]).map((x) => (typeof x === "string" ? permName.get(x) ?? x : x.name ?? permName.get(x.id))).sort(),
        }))
        .sort(byName),
      roles: roles
        // System roles answer with a null owner.
        .filter((r) => ("organizationId" in r ? r.organizationId : r.projectId) !== null)
        .map((r) => ({
          name: r.name as string,
          description: (r.description ?? null) as string | null,
          policies: (r.policies as any[]).map((x) => (typeof x === "string" ? policyName.get(x) ?? x : x.name)).sort(),
        }))
        .sort(byName),
    };
  }
  const summaries: any[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const body: any = await get(`${base}/v1/policies?limit=50${cursor ? `&cursor=${cursor}` : ""}`, cedar);
    summaries.push(...body.data);
    if (!body.has_more) break;
    cursor = body.next_cursor;
  }
  const out: Snapshot["cedar"] = [];
  for (const s of summaries) {
    const full: any = await get(`${base}/v1/policies/${s.id}`, cedar);
    const rules: any[] = full.rules ?? [];
    out.push({
      name: full.name,
      description: full.description ?? null,
      priority: full.priority,
      enabled: full.enabled,
      max: full.max_duration_seconds,
      rules: rules
        .map((r) => ({ ordinal: r.ordinal as number, meaning: canonicalRule(r.policy_text as string), notice: (r.notice ?? null) as string | null }))
        .sort((a, b) => a.ordinal - b.ordinal),
    });
  }
  return { scopes, cedar: out.sort(byName) };
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** What the emulator must hold for `model`; `live` supplies the values of fields the files leave out. */
function expected(model: Model, live: Snapshot): Snapshot {
  const scopes: Snapshot["scopes"] = {};
  for (const [label, scope] of [["organization", model.org], ...PROJECTS.map((p) => [p, model.projects[p]!])] as [string, Scope][]) {
    const liveScope = live.scopes[label];
    const liveDesc = (kind: "policies" | "roles", name: string) => liveScope?.[kind].find((x) => x.name === name)?.description ?? null;
    scopes[label] = {
      policies: scope.policies
        .map((p) => ({ name: p.name, description: p.description ?? liveDesc("policies", p.name), permissions: [...p.permissions].sort() }))
        .sort(byName),
      roles: scope.roles.map((r) => ({ name: r.name, description: r.description ?? liveDesc("roles", r.name), policies: [...r.policies].sort() })).sort(byName),
    };
  }
  const cedar = model.cedar
    .map((p) => {
      const l = live.cedar.find((x) => x.name === p.name);
      return {
        name: p.name,
        description: p.description ?? l?.description ?? null,
        priority: p.priority ?? l?.priority ?? 0,
        enabled: p.enabled ?? l?.enabled ?? true,
        max: p.maxDurationSeconds,
        rules: p.rules.map((r, i) => {
          const liveRule = l?.rules[i];
          return { ordinal: i + 1, meaning: canonicalRule(ruleText(r)), notice: r.notice ?? liveRule?.notice ?? null };
        }),
      };
    })
    .sort(byName);
  return { scopes, cedar };
}

/** The Cedar text of a structured rule, written independently of the product's assembler. */
function ruleText(r: Rule): string {
  const ent = (v: string, s?: Record<string, string>): string =>
    !s ? v : s.eq ? `${v} == ${s.eq}` : s.is && s.in ? `${v} is ${s.is} in ${s.in}` : s.is ? `${v} is ${s.is}` : `${v} in ${s.in}`;
  const act = !r.action ? "action" : typeof r.action.eq === "string" ? `action == Action::"${r.action.eq}"` : `action in [${(r.action.in as string[]).map((a) => `Action::"${a}"`).join(", ")}]`;
  return `${r.effect}(${ent("principal", r.principal)}, ${act}, ${ent("resource", r.resource)}) when { ${r.when} }${r.unless ? ` unless { ${r.unless} }` : ""};`;
}

// ---- the run ------------------------------------------------------------------------------------------------

describe("soak: 20 cycles of edits → plan → apply against one faulty emulator", () => {
  let em: EmulatorHandle;
  let dir: string;
  const env = (): Record<string, string | undefined> => emulatorTargets(em.url, { rbac: RBAC_KEY, cedar: CEDAR_KEY });

  beforeAll(async () => {
    em = await startEmulator({ port: 0, faultRate: FAULT_RATE, seed: SEED });
    dir = join(tempDir(), "desired");
  });
  afterAll(async () => {
    await em?.close();
  });

  it("converges every cycle, ends with an empty plan and the live state equal to the files", { timeout: 240_000 }, async () => {
    const model = initialModel();
    const history: string[] = [];
    let applyRuns = 0;
    let failedRuns = 0;
    const started = performance.now();

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      if (cycle > 1) {
        const n = int(2, 4);
        for (let i = 0; i < n; i++) history.push(`cycle ${cycle}: ${edit(model)}`);
      }
      writeModel(dir, model);

      // plan: reads are retried by the client; a run that still meets a fault is run again.
      let plan: CliResult | undefined;
      for (let i = 0; i < 4 && (plan === undefined || plan.code === 1); i++) plan = await runCli(["plan", dir, "--detailed-exitcode"], { env: env() });
      expect(plan!.code, `cycle ${cycle}: plan\n${plan!.stderr}\n${history.slice(-6).join("\n")}`).toBe(2);

      let applied: CliResult | undefined;
      for (let i = 0; i < MAX_APPLY_RUNS; i++) {
        applied = await runCli(["apply", dir, "--yes", "--force"], { env: env(), timeoutMs: 90_000 });
        applyRuns++;
        if (applied.code === 0) break;
        failedRuns++;
        // Only faults may stop an apply: never a guard, never an invalid desired state.
        expect(applied.code, `cycle ${cycle}: apply\n${applied.stderr}`).toBe(1);
      }
      expect(applied!.code, `cycle ${cycle}: apply never succeeded in ${MAX_APPLY_RUNS} runs\n${applied!.stderr}\n${history.slice(-6).join("\n")}`).toBe(0);
      expect(applied!.stdout).toMatch(/No changes\. Live state matches the desired state\./);
      settleRenames(model);
    }

    let final: CliResult | undefined;
    for (let i = 0; i < 4 && (final === undefined || final.code === 1); i++) final = await runCli(["plan", dir, "--detailed-exitcode"], { env: env() });
    expect(final!.code, final!.stderr + final!.stdout).toBe(0);
    expect(final!.stdout).toContain("No changes");

    const live = await readLive(em.url);
    expect(live).toEqual(expected(model, live));
    // Faults really happened, and some of them really failed an apply run.
    const faults = em.requestLog.filter((e) => "fault" in e).length;
    expect(faults).toBeGreaterThan(20);
    console.log(
      `soak: ${CYCLES} cycles, ${history.filter((h) => !h.endsWith("skip")).length} edits, ${applyRuns} apply runs (${failedRuns} stopped by faults), ` +
        `${em.requestLog.length} requests, ${faults} faults, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
