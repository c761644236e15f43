/**
 * The adapters against the real emulator (src/emulator), over HTTP on loopback: writes with the documented
 * shapes, pagination followed to the end one item per page, and a fetch under injected faults that reads the
 * same live state as a fault-free one.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { createRbacClient, ORGANIZATION } from "../../src/live/rbac-client.js";
import { createCedarClient } from "../../src/live/cedar-client.js";
import { fetchLive, type LiveClients, type LiveNeed } from "../../src/live/fetch-live.js";
import type { LiveState } from "../../src/live/types.js";

const RBAC_KEY = "emulator-rbac-key-1234";
const CEDAR_KEY = "emulator-cedar-key-5678";
const TENANT = "00000000-0000-4000-8000-0000000000aa";
const NEED: LiveNeed = { organization: true, projects: ["Search", "Analytics"], members: true, cedar: true };

let dir: string;
let dispatcher: Dispatcher;

function clients(url: string): LiveClients {
  let clock = 0;
  // Retries wait on a clock of their own: the fault test runs at full speed.
  const timing = { now: () => clock, sleep: async (ms: number) => void (clock += ms), random: () => 0.5 };
  return {
    rbac: createRbacClient({ baseUrl: url, apiKey: RBAC_KEY, dispatcher, membersPageSize: 1, retry: { maxAttempts: 8 }, ...timing }),
    cedar: createCedarClient({ baseUrl: url, apiKey: CEDAR_KEY, tenantId: TENANT, dispatcher, pageLimit: 1, retry: { maxAttempts: 8 }, ...timing }),
  };
}

function start(extra: Parameters<typeof startEmulator>[0] = {}): Promise<EmulatorHandle> {
  return startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY, tenant: TENANT, statePath: join(dir, "state.json"), ...extra });
}

let reference: LiveState;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "accessctl-live-"));
  dispatcher = createDispatcher({ env: {} });
});
afterAll(async () => {
  await dispatcher.close();
  await rm(dir, { recursive: true, force: true });
});

describe("against the emulator", () => {
  it("writes with the documented shapes and reads everything back, one item per page", async () => {
    const emulator = await start();
    try {
      const { rbac, cedar } = clients(emulator.url);
      if (!rbac || !cedar) throw new Error("clients");
      const permissions = await rbac.listPermissions(ORGANIZATION);
      const billingRead = permissions.find((p) => p.name === "billing:read");
      expect(billingRead).toBeDefined();
      const policy = await rbac.createPolicy(ORGANIZATION, { name: "Billing readers", permissionIds: [billingRead?.id ?? ""], description: null });
      const role = await rbac.createRole(ORGANIZATION, { name: "Finance", policyIds: [policy.id], description: "money" });
      expect(role).toMatchObject({ name: "Finance", system: false, policyIds: [policy.id], description: "money" });
      const renamed = await rbac.updateRole(ORGANIZATION, role.id, { name: "Finance team", policyIds: [policy.id], description: null });
      expect(renamed).toMatchObject({ id: role.id, name: "Finance team", description: null });

      const cp = await cedar.createPolicy({
        name: "Break glass",
        description: null,
        enabled: true,
        priority: 10,
        maxDurationSeconds: 3600,
        defaultDurationSeconds: null,
        notificationChannel: null,
      });
      for (const id of ["alice", "bob", "carol"]) {
        await cedar.createRule(cp.id, { text: `permit (principal == User::"${id}", action, resource);` });
      }
      const extra = await cedar.createPolicy({ ...{ name: "Empty", description: "x", enabled: false, priority: 0 }, maxDurationSeconds: 60, defaultDurationSeconds: 30, notificationChannel: "#x" });
      expect(extra.rules).toEqual([]);

      reference = await fetchLive(clients(emulator.url), NEED);
      expect(reference.organization?.permissions).toHaveLength(permissions.length);
      expect(reference.organization?.policies.map((p) => p.name)).toEqual(["Billing readers"]);
      expect(reference.organization?.roles.filter((r) => !r.system).map((r) => r.name)).toEqual(["Finance team"]);
      expect(reference.organization?.roles.filter((r) => r.system).map((r) => r.name).sort()).toEqual(["Admin", "Member", "Owner"]);
      expect(reference.organization?.members).toHaveLength(4);
      expect(reference.projects?.map((p) => [p.name, p.scope !== undefined])).toEqual(
        expect.arrayContaining([
          ["Search", true],
          ["Analytics", true],
          ["Support Bot", false],
        ]),
      );
      const search = reference.projects?.find((p) => p.name === "Search");
      expect(search?.scope?.members).toHaveLength(4);
      expect(search?.scope?.roles.map((r) => r.name).sort()).toEqual(["Manager", "Member", "Owner"]);
      const breakGlass = reference.cedar?.policies.find((p) => p.name === "Break glass");
      expect(breakGlass?.rules.map((r) => r.fields?.principal_entity_id)).toEqual(["alice", "bob", "carol"]);
      expect(reference.cedar?.policies).toHaveLength(2);

      // Pagination really was followed one item at a time.
      const memberPages = emulator.requestLog.filter((e) => e.path.startsWith("/v1/organization/members"));
      expect(memberPages.length).toBeGreaterThanOrEqual(4);
      expect(emulator.requestLog.filter((e) => e.path.startsWith("/v1/policies?")).length).toBe(2);
    } finally {
      await emulator.close();
    }
  });

  it("reads the same live state while 30% of requests fault", async () => {
    const emulator = await start({ faultRate: 0.3, seed: 7 });
    try {
      const live = await fetchLive(clients(emulator.url), NEED);
      expect(live).toEqual(reference);
      expect(emulator.requestLog.some((e) => e.status >= 500)).toBe(true);
    } finally {
      await emulator.close();
    }
  });

  it("keeps the keys out of the error of a wrong key", async () => {
    const emulator = await start();
    try {
      const rbac = createRbacClient({ baseUrl: emulator.url, apiKey: "wrong-key-abcdef", dispatcher });
      const error = (await rbac.listRoles(ORGANIZATION).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/^\[GET\] \/v1\/organization\/roles: 401 Unauthorized/);
      expect(error.message).not.toContain("wrong-key-abcdef");
    } finally {
      await emulator.close();
    }
  });
});
