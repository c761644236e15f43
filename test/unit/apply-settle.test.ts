/**
 * Settling a create whose outcome is unknown (SPEC section 5: never a duplicate, never a guess), through the
 * executor and the real clients, against the emulator behind a proxy that loses chosen answers:
 * - the create's answer is lost (a 500 or a reset after the commit) and listing again finds TWO live objects of
 *   that name: the change fails naming both ids, and adopts neither;
 * - the create's answer is lost before the server acted, the create is sent again and answers 409 "already
 *   exists" (the first one landed late): the object is adopted;
 * - a 409 on a first create (an object someone else made) is a plain failure, never an adoption.
 * For an RBAC policy, a role and a Cedar policy: each has its own create, list and adoption.
 */
import type { Dispatcher } from "undici";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { executePlan, type ApplyClients } from "../../src/apply/execute.js";
import type { DesiredState } from "../../src/desired/types.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { createCedarClient } from "../../src/live/cedar-client.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { fetchLive, type LiveNeed } from "../../src/live/fetch-live.js";
import { createRbacClient } from "../../src/live/rbac-client.js";
import { diff } from "../../src/plan/diff.js";
import type { Change } from "../../src/plan/model.js";
import { dCedarPolicy, dPolicy, dRole, dScope, desired } from "../helpers/builders.js";
import { CEDAR_KEY, RBAC_KEY, TENANT } from "../helpers/emulator-client.js";
import { startEmulatorProxy, type EmulatorProxy, type ProxyScript } from "../helpers/emulator-proxy.js";
import type { FakeRequest, FakeResponse } from "../helpers/fake-http.js";

const FAST = { baseDelayMs: 1, maxDelayMs: 1 };
const noSleep = async () => undefined;
const NAME = "Twin";

interface Kind {
  label: string;
  api: "rbac" | "cedar";
  /** The create's path. */
  post: string;
  collection: "policies" | "roles" | "cedarPolicies";
  /** For `state.newId`: the kind of id the emulator mints for it. */
  idKind: string;
  desired: () => DesiredState;
  need: LiveNeed;
}

const KINDS: Kind[] = [
  {
    label: "an RBAC policy",
    api: "rbac",
    post: "/v1/organization/policies",
    collection: "policies",
    idKind: "pol",
    desired: () => desired({ organization: dScope({ policies: [dPolicy(NAME, ["billing:read"])] }) }),
    need: { organization: true },
  },
  {
    label: "a role",
    api: "rbac",
    post: "/v1/organization/roles",
    collection: "roles",
    idKind: "role",
    desired: () => desired({ organization: dScope({ roles: [dRole(NAME, [])] }) }),
    need: { organization: true },
  },
  {
    label: "a Cedar policy",
    api: "cedar",
    post: "/v1/policies",
    collection: "cedarPolicies",
    idKind: "uuid",
    desired: () => desired({ cedar: [dCedarPolicy(NAME, [])] }),
    need: { cedar: true },
  },
];

/** How an answer is lost; the 500 in the envelope of the API. */
type Loss = "a 500" | "a reset";
const LOSSES: Loss[] = ["a 500", "a reset"];
function lost(kind: Kind, loss: Loss): FakeResponse {
  if (loss === "a reset") return { reset: true };
  const message = "injected: the answer was lost";
  return { status: 500, json: kind.api === "rbac" ? { success: false, error: message } : { code: "internal", message } };
}

let dispatcher: Dispatcher;
let em: EmulatorHandle;
let proxy: EmulatorProxy | undefined;

beforeAll(() => {
  dispatcher = createDispatcher({ env: {} });
});
afterAll(() => dispatcher.close());
beforeEach(async () => {
  em = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
});
afterEach(async () => {
  const errors = proxy?.errors ?? [];
  await proxy?.close();
  proxy = undefined;
  await em.close();
  // An assertion that failed inside a proxy script only reached the client as a 599: fail the test here.
  expect(errors).toEqual([]);
});

/** Clients talking to `url` (the emulator, or the proxy in front of it). */
function clientsFor(url: string): ApplyClients {
  return {
    rbac: createRbacClient({ baseUrl: url, apiKey: RBAC_KEY, dispatcher, retry: FAST }),
    cedar: createCedarClient({ baseUrl: url, apiKey: CEDAR_KEY, tenantId: TENANT, dispatcher, retry: FAST }),
  };
}

/** The plan for `kind`: one create, read against the emulator directly. */
async function planCreate(kind: Kind): Promise<Change[]> {
  const live = await fetchLive(clientsFor(em.url), kind.need);
  const result = diff(kind.desired(), live);
  expect(result.diagnostics).toEqual([]);
  expect(result.changes.map((c) => c.kind)).toEqual(["create"]);
  return result.changes;
}

/** The live objects of `kind` named NAME, read from the emulator's state (not through any API). */
const named = (kind: Kind) => em.state.list(kind.collection).filter((r) => r.name === NAME);

async function startProxy(script: ProxyScript): Promise<EmulatorProxy> {
  proxy = await startEmulatorProxy(em.url, script);
  return proxy;
}

/** A 2xx from the emulator (RBAC creates answer 200, Cedar creates 201). */
const created = (answer: FakeResponse) => answer.status !== undefined && answer.status >= 200 && answer.status < 300;
const isCreate = (kind: Kind, req: FakeRequest) => req.method === "POST" && req.path === kind.post;
const writes = (requests: FakeRequest[]) => requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

describe("settling a lost create: two live objects of that name", () => {
  for (const kind of KINDS) {
    it.each(LOSSES)(`${kind.label}: after %s after the commit, listing finds two → the change fails naming both ids`, async (loss) => {
      const changes = await planCreate(kind);
      let twinId: string | undefined;
      const { url, requests } = await startProxy(async (req, forward) => {
        if (!isCreate(kind, req) || twinId !== undefined) return forward(req);
        expect(created(await forward(req))).toBe(true);
        // Between the commit and the lost answer, a second object of that name appears (another writer, or a
        // replica catching up): a list can no longer say which one this create made.
        const [made] = named(kind);
        twinId = em.state.newId(kind.idKind);
        await em.state.put(kind.collection, { ...made!, id: twinId });
        return lost(kind, loss);
      });
      const report = await executePlan(changes, clientsFor(url), { retry: FAST, sleep: noSleep });

      const ids = named(kind).map((r) => r.id);
      expect(ids).toHaveLength(2);
      expect(ids).toContain(twinId);
      expect(report.applied).toEqual([]);
      expect(report.failed).toHaveLength(1);
      for (const id of ids) expect(report.failed[0]!.error).toContain(id);
      // One create, never repeated blindly, and nothing written to either object afterwards.
      expect(writes(requests)).toEqual([`POST ${kind.post}`]);
    });
  }
});

describe("settling a lost create: a 409 on the create sent again", () => {
  for (const kind of KINDS) {
    it(`${kind.label}: the first create lands late, the second answers 409 → the object is adopted`, async () => {
      const changes = await planCreate(kind);
      let held: FakeRequest | undefined;
      const answered: number[] = [];
      const { url, requests } = await startProxy(async (req, forward) => {
        if (!isCreate(kind, req)) return forward(req);
        if (held === undefined) {
          // The first create is stuck on its way (nothing is committed yet) and the client sees a 500.
          held = req;
          answered.push(500);
          return lost(kind, "a 500");
        }
        // The list found nothing, so the create is sent again; the stuck one lands just before it.
        expect(named(kind)).toEqual([]);
        expect(created(await forward(held))).toBe(true);
        const again = await forward(req);
        answered.push(again.status);
        return again;
      });
      const report = await executePlan(changes, clientsFor(url), { retry: FAST, sleep: noSleep });

      expect(answered).toEqual([500, 409]);
      expect(report.failed).toEqual([]);
      const live = named(kind);
      expect(live).toHaveLength(1);
      expect(report.applied.map((a) => [a.adopted, a.liveId])).toEqual([[true, live[0]!.id]]);
      // Two creates, then nothing: the adopted object already has the wanted fields.
      expect(writes(requests)).toEqual([`POST ${kind.post}`, `POST ${kind.post}`]);
    });
  }

  it("a 409 on a first create (no outcome was lost) is a failure: someone else's object is never adopted", async () => {
    const kind = KINDS[0]!;
    const changes = await planCreate(kind);
    // Someone else creates the object between plan and apply.
    const before = await fetch(`${em.url}${kind.post}`, {
      method: "POST",
      headers: { confident_api_key: RBAC_KEY, "content-type": "application/json" },
      body: JSON.stringify({ name: NAME, permissionIds: [] }),
    });
    expect(before.ok).toBe(true);
    const { url, requests } = await startProxy((req, forward) => forward(req));
    const report = await executePlan(changes, clientsFor(url), { retry: FAST, sleep: noSleep });

    expect(report.applied).toEqual([]);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]!.error).toMatch(/409/);
    expect(writes(requests)).toEqual([`POST ${kind.post}`]);
    expect(named(kind)).toHaveLength(1);
  });
});
