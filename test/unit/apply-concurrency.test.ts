/**
 * The graph walk against the emulator with 25 ms of latency per request: at most `concurrency` requests in flight
 * per API, the two APIs in parallel, and dependents started as soon as their own dependency is done. These are
 * asserted as structure, not time (speed goals live in `npm run bench`); the wall times are logged beside the
 * ideal bound Σ over dependency layers of ⌈n / concurrency⌉ × latency.
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
  rolesStartedBeforeLastPolicy: number;
}

function counting(): { clients: ApplyClients; max: InFlight } {
  const now = { rbac: 0, cedar: 0 };
  const max = { rbac: 0, cedar: 0, both: 0, rolesStartedBeforeLastPolicy: 0 };
  let policiesInFlightOrWaiting = 0;
  const track = async <T>(api: "rbac" | "cedar", call: () => Promise<T>): Promise<T> => {
    max[api] = Math.max(max[api], ++now[api]);
    max.both = Math.max(max.both, now.rbac + now.cedar);
    try {
      return await call();
    } finally {
      now[api]--;
    }
  };
  const policy = <T>(call: () => Promise<T>): Promise<T> => {
    policiesInFlightOrWaiting++;
    return track("rbac", call).finally(() => policiesInFlightOrWaiting--);
  };
  const role = <T>(call: () => Promise<T>): Promise<T> => {
    // A graph walk starts a role as soon as its own policy exists; a layer-by-layer walk waits for all of them.
    if (policiesInFlightOrWaiting > 0) max.rolesStartedBeforeLastPolicy++;
    return track("rbac", call);
  };
  const { rbac, cedar } = clients;
  return {
    max,
    clients: {
      rbac: { ...rbac, createPolicy: (s, b) => policy(() => rbac.createPolicy(s, b)), createRole: (s, b) => role(() => rbac.createRole(s, b)) },
      cedar: { ...cedar, createPolicy: (i) => track("cedar", () => cedar.createPolicy(i)) },
    },
  };
}

interface Timing {
  ms: number;
  ideal: number;
  max: InFlight;
}

/** Plans `state` on a fresh emulator and applies it, logging the wall time beside the ideal bound. */
async function timed(state: DesiredState, label: string): Promise<Timing> {
  {
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
      `${label} : ${ms} ms for ${changes.length} changes; ideal ${ideal} ms (${(ms / ideal).toFixed(2)}×); ` +
        `max in flight rbac ${max.rbac}, cedar ${max.cedar}`,
    );
    return { ms, ideal, max };
  }
}

describe("executePlan throughput (25 ms latency, concurrency 8)", () => {
  it("400 independent creates run with 8 in flight (the time is logged)", async () => {
    const { ideal, max } = await timed(desired(400, 0, 0), "400 RBAC creates");
    expect(ideal).toBe(Math.ceil(400 / 8) * LATENCY);
    expect(max.rbac).toBe(CONCURRENCY);
  });

  it("RBAC and Cedar each have their own limit: 200 + 200 creates run 8 + 8 in flight", async () => {
    const { max } = await timed(desired(200, 0, 200), "200 RBAC + 200 Cedar creates");
    expect(max.rbac).toBe(CONCURRENCY);
    expect(max.cedar).toBe(CONCURRENCY);
    expect(max.both).toBeGreaterThan(CONCURRENCY);
  });

  it("dependent changes start as their own dependency finishes, not when the whole layer has", async () => {
    const { max } = await timed(desired(100, 100, 0), "100 policies → 100 roles");
    expect(max.rolesStartedBeforeLastPolicy).toBeGreaterThan(0);
  });
});
