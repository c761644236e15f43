/**
 * Envelopes and statuses as the vendors document them (docs/services.md#authentication-and-envelope): RBAC creates
 * answered 200 or 201 (any 2xx), `"deprecated": true` told once per endpoint through the injected `notice`, the
 * endpoint named by its path template; and the emulator refusing a body without `Content-Type: application/json`
 * on the RBAC side too.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { ORGANIZATION, createRbacClient, endpointOf, projectScope, type RbacClient } from "../../src/live/rbac-client.js";
import { routes, startFakeHttp, type FakeServer } from "../helpers/fake-http.js";
import { RBAC_KEY } from "../helpers/emulator-client.js";

const KEY = "confident-org-key-envelopes";

let server: FakeServer;
let dispatcher: Dispatcher;
let rbac: RbacClient;
const notices: string[] = [];

beforeAll(async () => {
  server = await startFakeHttp();
  dispatcher = createDispatcher({ env: {} });
  rbac = createRbacClient({ baseUrl: server.url, apiKey: KEY, dispatcher, sleep: async () => {}, random: () => 0, notice: (t) => notices.push(t) });
});
afterAll(async () => {
  await dispatcher.close();
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
  notices.length = 0;
});

const policy = { id: "po1", name: "P", description: null, permissions: [] };

describe("RBAC envelopes", () => {
  it.each([200, 201])("a create answered %i is a success", async (status) => {
    server.handle(routes({ "POST /v1/organization/policies": () => ({ status, json: { success: true, data: { policy } } }) }));
    expect(await rbac.createPolicy(ORGANIZATION, { name: "P", permissionIds: [], description: null })).toEqual({ id: "po1", name: "P", description: null, permissionIds: [] });
  });

  it('"deprecated": true is told once per endpoint, named by its template (no ids), with the link when given', async () => {
    server.handle((req) => ({
      json: { success: true, deprecated: req.path.endsWith("/roles"), ...(req.path.startsWith("/v1/projects") ? {} : { link: "https://docs.example/roles-v2" }), data: { roles: [] } },
    }));
    await rbac.listRoles(ORGANIZATION);
    await rbac.listRoles(ORGANIZATION);
    await rbac.listRoles(projectScope("proj-1"));
    await rbac.listRoles(projectScope("proj-2"));
    expect(notices).toEqual([
      'the RBAC API marks GET /v1/organization/roles as deprecated ("deprecated": true); see https://docs.example/roles-v2. accessctl still uses it; a newer accessctl may move to its replacement.',
      'the RBAC API marks GET /v1/projects/{projectId}/roles as deprecated ("deprecated": true). accessctl still uses it; a newer accessctl may move to its replacement.',
    ]);
  });

  it('"deprecated": false, or absent, says nothing; a client without `notice` stays silent', async () => {
    server.handle(() => ({ json: { success: true, deprecated: false, data: { roles: [] } } }));
    await rbac.listRoles(ORGANIZATION);
    expect(notices).toEqual([]);
    const quiet = createRbacClient({ baseUrl: server.url, apiKey: KEY, dispatcher });
    server.handle(() => ({ json: { success: true, deprecated: true, data: { roles: [] } } }));
    await expect(quiet.listRoles(ORGANIZATION)).resolves.toEqual([]);
  });

  it("endpoint templates hide ids", () => {
    expect(endpointOf("/v1/organization/policies/pol_1")).toBe("/v1/organization/policies/{policyId}");
    expect(endpointOf("/v1/projects/proj_1/roles/role_9")).toBe("/v1/projects/{projectId}/roles/{roleId}");
    expect(endpointOf("/v1/projects")).toBe("/v1/projects");
    expect(endpointOf("/v1/organization/members")).toBe("/v1/organization/members");
  });
});

describe("the emulator's RBAC side: Content-Type", () => {
  let em: EmulatorHandle;
  beforeAll(async () => {
    em = await startEmulator({ port: 0 });
  });
  afterAll(() => em.close());

  it("a body without Content-Type: application/json is a 400 in the RBAC envelope; nothing is created", async () => {
    const send = (headers: Record<string, string>) =>
      fetch(`${em.url}/v1/organization/policies`, {
        method: "POST",
        headers: { CONFIDENT_API_KEY: RBAC_KEY, ...headers },
        body: JSON.stringify({ name: "Content type", permissionIds: [] }),
      });
    const res = await send({});
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ success: false, error: expect.stringContaining("Content-Type: application/json") });
    expect((await send({ "content-type": "text/plain;charset=UTF-8" })).status).toBe(400);
    expect(em.state.list("policies").filter((p) => p.name === "Content type")).toEqual([]);
    expect((await send({ "content-type": "application/json" })).status).toBe(200);
    // A DELETE without a body needs no Content-Type.
    const created = em.state.list("policies").find((p) => p.name === "Content type")!;
    const del = await fetch(`${em.url}/v1/organization/policies/${created.id}`, { method: "DELETE", headers: { CONFIDENT_API_KEY: RBAC_KEY } });
    expect(del.status).toBe(200);
  });
});
