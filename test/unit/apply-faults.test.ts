/**
 * Never a duplicate (docs/services.md#writes-whose-outcome-is-unknown): a 300-object state applied against the
 * emulator with a quarter of the requests faulting (before and after the commit) under a rate limit, for several
 * seeds. After each apply no scope holds two objects of one name and no policy two rules of one meaning; a couple
 * of re-plans + applies converge.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { executePlan, type ApplyClients } from "../../src/apply/execute.js";
import { summarizeApply } from "../../src/apply/report.js";
import { canonicalRule } from "../../src/cedar/canonical.js";
import { startEmulator } from "../../src/emulator/index.js";
import { createCedarClient } from "../../src/live/cedar-client.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { HttpError } from "../../src/live/http-error.js";
import { fetchLive } from "../../src/live/fetch-live.js";
import { ORGANIZATION, createRbacClient, projectScope } from "../../src/live/rbac-client.js";
import {
  DEFAULT_THRESHOLDS,
  type DesiredCedarPolicy,
  type DesiredProject,
  type DesiredRbacPolicy,
  type DesiredRole,
  type DesiredState,
} from "../../src/desired/types.js";
import { diff } from "../../src/plan/diff.js";
import type { Change } from "../../src/plan/model.js";

const TENANT = "00000000-0000-4000-8000-000000000001";
const SEEDS = [1, 2, 3, 4];
const loc = { file: "test.yaml", line: 1, col: 1 };
const ref = (name: string) => ({ name, loc });

const ORG_PERMISSIONS = ["billing", "sso", "apiKey", "user", "metric", "iam"].flatMap((r) => [`${r}:read`, `${r}:manage`]);
const PROJECT_PERMISSIONS = ["trace", "span", "dataset", "prompt"].flatMap((r) => [`${r}:read`, `${r}:update`]);

interface Shape {
  /** Policies 0..n-1 of the organization; roles i reference policies i and i+1. */
  orgPolicies: number;
  orgRoles: number;
  projectPolicies: number;
  projectRoles: number;
  cedarPolicies: number;
  rulesPerPolicy: number;
  /** Second state: descriptions changed, rules swapped and rewritten, objects removed. */
  changed?: boolean;
}

function desiredState(shape: Shape): DesiredState {
  const rbac = (prefix: string, perms: string[], nPolicies: number, nRoles: number) => {
    const policies: DesiredRbacPolicy[] = [];
    for (let i = 0; i < nPolicies; i++) {
      if (shape.changed && i >= nPolicies - 5) continue;
      policies.push({
        name: `policy ${i}`, address: `${prefix}/policies/policy ${i}`, loc, previousNames: [],
        permissions: [perms[i % perms.length]!, perms[(i * 7 + 3) % perms.length]!].filter((p, k, a) => a.indexOf(p) === k).map(ref),
        description: shape.changed && i < 10 ? `changed ${i}` : `policy number ${i}`,
      });
    }
    const kept = nPolicies - (shape.changed ? 5 : 0);
    const roles: DesiredRole[] = [];
    for (let i = 0; i < nRoles; i++) {
      if (shape.changed && i >= nRoles - 10) continue;
      roles.push({
        name: `role ${i}`, address: `${prefix}/roles/role ${i}`, loc, previousNames: [],
        policies: [`policy ${i % kept}`, `policy ${(i + 1) % kept}`].filter((p, k, a) => a.indexOf(p) === k).map(ref),
      });
    }
    return { policies, roles };
  };
  const project: DesiredProject = { name: "Support Bot", loc, ...rbac("projects/Support Bot", PROJECT_PERMISSIONS, shape.projectPolicies, shape.projectRoles) };
  const cedar: DesiredCedarPolicy[] = [];
  for (let p = 0; p < shape.cedarPolicies; p++) {
    if (shape.changed && p >= shape.cedarPolicies - 2) continue;
    const texts = Array.from({ length: shape.rulesPerPolicy }, (_, i) => `permit (principal == User::"u-${p}-${i}", action == Action::"view", resource);`);
    if (shape.changed && p < 5) [texts[0], texts[1]] = [texts[1]!, texts[0]!];
    if (shape.changed && p >= 5 && p < 10) texts[2] = `forbid (principal == User::"u-${p}-2", action, resource) unless { context has ticket };`;
    const name = `cedar ${p}`;
    cedar.push({
      name, address: `cedar/policies/${name}`, loc, maxDurationSeconds: 3600, previousNames: [],
      priority: shape.changed && p < 3 ? 9 : p % 3,
      rules: texts.map((text, i) => ({ address: `cedar/policies/${name}/rules/${i + 1}`, ordinal: i + 1, form: "cedar", text, loc, locate: () => loc })),
    });
  }
  return {
    dir: ".", sources: [], digest: "",
    settings: { owns: [], ignore: [], protect: [], thresholds: DEFAULT_THRESHOLDS },
    organization: { loc, ...rbac("organization", ORG_PERMISSIONS, shape.orgPolicies, shape.orgRoles) },
    projects: [project],
    cedar: { loc, policies: cedar },
  };
}

// 60 + 60 + 30 + 30 + 20 + 20×5 = 300 objects.
const SHAPE: Shape = { orgPolicies: 60, orgRoles: 60, projectPolicies: 30, projectRoles: 30, cedarPolicies: 20, rulesPerPolicy: 5 };

let dispatcher: Dispatcher;
beforeAll(() => {
  dispatcher = createDispatcher({ env: {} });
});
afterAll(() => dispatcher.close());

async function plan(clients: ApplyClients, desired: DesiredState): Promise<Change[]> {
  const live = await fetchLive(clients, { organization: true, projects: ["Support Bot"], cedar: true });
  const result = diff(desired, live);
  expect(result.diagnostics).toEqual([]);
  expect(result.liveErrors).toEqual([]);
  return result.changes;
}

/** Read raw: no scope holds two objects of one name, no Cedar policy two rules of one meaning. */
async function duplicates(clients: Required<ApplyClients>): Promise<string[]> {
  const found: string[] = [];
  const check = (where: string, keys: string[]) => {
    const seen = new Set<string>();
    for (const k of keys) {
      if (seen.has(k)) found.push(`${where}: ${k.slice(0, 80)}`);
      seen.add(k);
    }
  };
  const projectId = (await clients.rbac.listProjects()).find((p) => p.name === "Support Bot")!.id;
  for (const [where, scope] of [["organization", ORGANIZATION], ["Support Bot", projectScope(projectId)]] as const) {
    check(`${where} policies`, (await clients.rbac.listPolicies(scope)).map((p) => p.name));
    check(`${where} roles`, (await clients.rbac.listRoles(scope)).map((r) => r.name));
  }
  const policies = await clients.cedar.listPolicies();
  check("cedar policies", policies.map((p) => p.name));
  for (const p of policies) check(`cedar ${p.name} rules`, (await clients.cedar.listRules(p.id)).map((r) => canonicalRule(r.text)));
  return found;
}

interface SeedResult {
  seed: number;
  /** Applies needed per state until the plan was empty. */
  applies: number[];
  faults: number;
  rateLimited: number;
  adopted: number;
  failed: number;
  ms: number;
}

async function runSeed(seed: number): Promise<SeedResult> {
  const em = await startEmulator({ port: 0, faultRate: 0.25, seed, rateLimit: 30 });
  const started = Date.now();
  try {
    // More attempts than the default for the client's own retries: at a 25% fault rate, five GETs in a row fail
    // once in a thousand, and a plan reads dozens of lists.
    const retry = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 1000 };
    // A run's clients, as a CLI run has them: fail-fast gives an API up after 5 failed attempts in a row, which a
    // quarter of faults does bring about now and then; the next run starts afresh, as a user's re-run would.
    const fresh = () => ({
      rbac: createRbacClient({ baseUrl: em.url, apiKey: "local-rbac-key", dispatcher, retry }),
      cedar: createCedarClient({ baseUrl: em.url, apiKey: "local-cedar-key", tenantId: TENANT, dispatcher, retry }),
    });
    const givenUp = (e: unknown) => e instanceof HttpError && e.unreachable !== undefined;
    const result: SeedResult = { seed, applies: [], faults: 0, rateLimited: 0, adopted: 0, failed: 0, ms: 0 };
    for (const desired of [desiredState(SHAPE), desiredState({ ...SHAPE, changed: true })]) {
      let applies = 0;
      let runs = 0;
      for (;;) {
        expect(++runs, `seed ${seed}: ${runs - 1} runs without converging`).toBeLessThanOrEqual(8);
        const clients = fresh();
        let changes: Change[];
        try {
          changes = await plan(clients, desired);
        } catch (e) {
          if (givenUp(e)) continue;
          throw e;
        }
        if (changes.length === 0) break;
        applies++;
        expect(applies, `seed ${seed}: still ${changes.length} changes after ${applies - 1} applies`).toBeLessThanOrEqual(5);
        const summary = summarizeApply(await executePlan(changes, clients, { retry: { baseDelayMs: 50, maxDelayMs: 1000 } }));
        result.adopted += summary.counts.adopted;
        result.failed += summary.counts.failed;
        for (;;) {
          try {
            expect(await duplicates(fresh()), `seed ${seed}`).toEqual([]);
            break;
          } catch (e) {
            if (!givenUp(e)) throw e;
          }
        }
      }
      result.applies.push(applies);
    }
    result.faults = em.requestLog.filter((e) => e.fault !== undefined).length;
    result.rateLimited = em.requestLog.filter((e) => e.status === 429).length;
    result.ms = Date.now() - started;
    return result;
  } finally {
    await em.close();
  }
}

describe("executePlan under faults and a rate limit", () => {
  it(
    `converges with no duplicate for seeds ${SEEDS.join(", ")} (fault rate 0.25, 30 req/s)`,
    async () => {
      const first = desiredState(SHAPE);
      const objects =
        first.organization!.policies!.length + first.organization!.roles!.length +
        first.projects[0]!.policies!.length + first.projects[0]!.roles!.length +
        first.cedar!.policies!.reduce((n, p) => n + 1 + p.rules.length, 0);
      expect(objects).toBe(300);
      // Each seed has its own emulator (and rate budget): they run side by side.
      const results = await Promise.all(SEEDS.map(runSeed));
      for (const r of results) {
        console.log(
          `seed ${r.seed}: applies per state ${r.applies.join(" + ")}, ${r.faults} injected faults, ${r.rateLimited} × 429, ` +
            `${r.adopted} adopted, ${r.failed} failed changes (re-planned), ${r.ms} ms`,
        );
        expect(r.applies.every((n) => n >= 1 && n <= 5)).toBe(true);
        expect(r.faults).toBeGreaterThan(0);
      }
      // Lost answers after a commit do happen at this rate: adoption must have been exercised.
      expect(results.reduce((n, r) => n + r.adopted, 0)).toBeGreaterThan(0);
    },
    300_000,
  );
});
