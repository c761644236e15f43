import { appendFile, copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StateFileError, startEmulator } from "../../src/emulator/index.js";
import { buildEmulatorChild, spawnEmulatorChild } from "../helpers/emulator-child-process.js";
import { cedarCaller, rbacCaller } from "../helpers/emulator-client.js";

let dir: string;
let n = 0;
const statePath = () => join(dir, `state-${++n}`, "emulator.json");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "accessctl-emulator-durability-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A few writes of every kind; answers the ids. */
async function populate(url: string) {
  const rbac = rbacCaller(url);
  const cedar = cedarCaller(url);
  const perms = (await rbac("GET", "/v1/organization/permissions")).body.data.permissions;
  const pol = (await rbac("POST", "/v1/organization/policies", { name: "P", permissionIds: [perms[0].id], description: "d" })).body.data.policy;
  const role = (await rbac("POST", "/v1/organization/roles", { name: "R", policyIds: [pol.id] })).body.data.role;
  await rbac("PUT", `/v1/organization/policies/${pol.id}`, { name: "P2", permissionIds: [perms[1].id], description: null });
  const tmp = (await rbac("POST", "/v1/organization/policies", { name: "gone", permissionIds: [] })).body.data.policy;
  await rbac("DELETE", `/v1/organization/policies/${tmp.id}`);
  const cp = (await cedar("POST", "/v1/policies", { name: "C", max_duration_seconds: 60, cedar_policy_set: '@id("a") permit(principal, action, resource);' })).body;
  const rule = (await cedar("POST", `/v1/policies/${cp.id}/rules`, { effect: "forbid", conditions: "unless { context has ticket }" })).body;
  await cedar("PATCH", `/v1/policies/${cp.id}/rules/${rule.id}`, { ordinal: 0 });
  return { pol, role, cp, rule };
}

async function view(url: string) {
  const rbac = rbacCaller(url);
  const cedar = cedarCaller(url);
  const policies = (await cedar("GET", "/v1/policies?limit=250")).body.data;
  return {
    policies: (await rbac("GET", "/v1/organization/policies")).body.data,
    roles: (await rbac("GET", "/v1/organization/roles")).body.data,
    members: (await rbac("GET", "/v1/organization/members?pageSize=100")).body.data,
    cedar: await Promise.all(policies.map(async (p: { id: string }) => (await cedar("GET", `/v1/policies/${p.id}`)).body)),
  };
}

describe("emulator durability", () => {
  it("stop and restart on the same state: same objects and ids; the journal is compacted", async () => {
    const path = statePath();
    const a = await startEmulator({ port: 0, statePath: path });
    const ids = await populate(a.url);
    await a.state.assignOrganizationRole("ops@example.com", ids.role.id);
    const before = await view(a.url);
    await a.close();
    expect((await stat(`${path}.journal`)).size).toBe(0);
    await expect(stat(`${path}.lock`)).rejects.toThrow();

    const b = await startEmulator({ port: 0, statePath: path });
    expect(await view(b.url)).toEqual(before);
    // The id counter survives too: new objects never reuse an id.
    const next = (await rbacCaller(b.url)("POST", "/v1/organization/policies", { name: "after", permissionIds: [] })).body.data.policy;
    expect([ids.pol.id, ids.role.id]).not.toContain(next.id);
    await b.close();
  });

  it("replays the journal of a process that never closed (acknowledged = in the journal)", async () => {
    const path = statePath();
    const a = await startEmulator({ port: 0, statePath: path });
    await populate(a.url);
    const before = await view(a.url);
    // Copy the files as a crash would leave them: the snapshot from start-up plus the journal.
    const crashed = statePath();
    await mkdir(dirname(crashed), { recursive: true });
    await copyFile(path, crashed);
    await copyFile(`${path}.journal`, `${crashed}.journal`);
    expect((await stat(`${crashed}.journal`)).size).toBeGreaterThan(0);
    await a.close();

    // A torn last line (crash mid-append) is the one tolerated defect.
    await appendFile(`${crashed}.journal`, '{"s":99,"e":99,"n":1,"c":[{"op":"put","c":"poli');
    const b = await startEmulator({ port: 0, statePath: crashed });
    expect(b.notices.join("\n")).toMatch(/torn last line/);
    expect(await view(b.url)).toEqual(before);
    await b.close();
    expect((await stat(`${crashed}.journal`)).size).toBe(0);
  });

  it("a corrupt snapshot or journal is a clear startup error and is left untouched", async () => {
    const path = statePath();
    const a = await startEmulator({ port: 0, statePath: path });
    await a.close();

    const good = await readFile(path, "utf8");
    await writeFile(path, good.slice(0, good.length / 2));
    const half = await readFile(path, "utf8");
    await expect(startEmulator({ port: 0, statePath: path })).rejects.toThrow(StateFileError);
    await expect(startEmulator({ port: 0, statePath: path })).rejects.toThrow(/not valid JSON.*left untouched/);
    expect(await readFile(path, "utf8")).toBe(half);
    await writeFile(path, JSON.stringify({ hello: "world" }));
    await expect(startEmulator({ port: 0, statePath: path })).rejects.toThrow(/not an accessctl emulator state/);

    await writeFile(path, good);
    const line = (s: number) => `${JSON.stringify({ s, e: s, n: s, c: [] })}\n`;
    await writeFile(`${path}.journal`, `${line(1)}garbage in the middle\n${line(2)}`);
    await expect(startEmulator({ port: 0, statePath: path })).rejects.toThrow(/journal.*:2: corrupt journal line/);
    await writeFile(`${path}.journal`, `${line(1)}${line(3)}`);
    await expect(startEmulator({ port: 0, statePath: path })).rejects.toThrow(/sequence gap/);
    expect(await readFile(path, "utf8")).toBe(good);

    await rm(path);
    await expect(startEmulator({ port: 0, statePath: path })).rejects.toThrow(/journal exists but/);
  });

  it("refuses a state file another running emulator holds", async () => {
    const path = statePath();
    const a = await startEmulator({ port: 0, statePath: path });
    await expect(startEmulator({ port: 0, statePath: path })).rejects.toThrow(StateFileError);
    await a.close();
  });
});

describe("emulator durability across SIGKILL (child process)", () => {
  beforeAll(async () => {
    await buildEmulatorChild();
  }, 120_000);

  it("SIGKILL during a burst of 200 concurrent writes: a restart holds every acknowledged write", async () => {
    const path = statePath();
    const child = await spawnEmulatorChild(["--state", path]);
    const rbac = rbacCaller(child.url);
    const cedar = cedarCaller(child.url);
    const acked: string[] = [];
    let attempted = 0;
    let killed = false;
    // 200 concurrent writers, each writing again as soon as it is answered, so that ~200 writes are in flight
    // (some mid-journal-append) when the process is killed.
    const writer = async (w: number) => {
      for (let k = 0; ; k++) {
        const name = `burst-${w}-${k}`;
        attempted++;
        const res =
          (w + k) % 2 === 0
            ? await rbac("POST", "/v1/organization/policies", { name, permissionIds: [] })
            : await cedar("POST", "/v1/policies", { name, max_duration_seconds: 60, cedar_policy_set: "permit(principal, action, resource);" });
        if (res.status !== 200 && res.status !== 201) return;
        acked.push(name);
        if (acked.length >= 600 && !killed) {
          killed = true;
          child.child.kill("SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: 200 }, (_, w) => writer(w)));
    await child.exited;
    console.log(`SIGKILL with ${attempted - acked.length} writes in flight; ${acked.length} acknowledged before it`);
    expect(killed).toBe(true);
    expect(attempted - acked.length).toBeGreaterThan(100);

    // The restart takes over the dead process's lock, replays the journal and compacts.
    const b = await startEmulator({ port: 0, statePath: path });
    const names = [...b.state.list("policies"), ...b.state.list("cedarPolicies")].map((p) => p.name);
    for (const name of acked) expect(names).toContain(name);
    expect(new Set(names).size).toBe(names.length);
    const cedarPolicies = b.state.list("cedarPolicies");
    const rules = b.state.list("cedarRules");
    for (const p of cedarPolicies) expect(rules.filter((r) => r.policy_id === p.id)).toHaveLength(1);
    await b.close();
    const snapshot = JSON.parse(await readFile(path, "utf8"));
    expect(snapshot.format).toBe("accessctl-emulator-state");

    // And the CLI's graceful stop compacts too.
    const again = await spawnEmulatorChild(["--state", path]);
    const list = (await rbacCaller(again.url)("GET", "/v1/organization/policies")).body.data.policies;
    expect(list.length).toBe(b.state.list("policies").length);
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);
    expect((await stat(`${path}.journal`)).size).toBe(0);
    expect(again.stderr()).toMatch(/SIGTERM/);
  });
});

// In this file, after the SIGKILL test, so that the child build and the 200-writer burst (both heavy on CPU and
// on the disk's journal) are not running at the same time as the measurement.
describe("journal speed", () => {
  it("2,000 sequential creates with --state are all kept (the time is logged)", async () => {
    const em = await startEmulator({ port: 0, statePath: statePath() });
    // undici's request() over one keep-alive connection, as the accessctl client talks: global fetch adds
    // ~0.5 ms of its own per call (WHATWG streams), which would measure the client rather than the emulator.
    const dispatcher = new Agent({ connections: 1 });
    const t = performance.now();
    for (let i = 0; i < 2000; i++) {
      const res = await request(`${em.url}/v1/organization/policies`, {
        method: "POST",
        dispatcher,
        headers: { CONFIDENT_API_KEY: "local-rbac-key", "content-type": "application/json" },
        body: JSON.stringify({ name: `sequential-${i}`, permissionIds: [] }),
      });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`create ${i}: ${res.statusCode}`);
    }
    const ms = performance.now() - t;
    await dispatcher.close();
    console.log(`2,000 sequential creates with --state: ${Math.round(ms)} ms (${(ms / 2000).toFixed(2)} ms each, one fsync per write)`);
    expect(em.state.list("policies")).toHaveLength(2000);
    const t2 = performance.now();
    await em.close();
    const server = em.requestLog.reduce((s, e) => s + e.durationMs, 0) / em.requestLog.length;
    console.log(`server-side ${server.toFixed(2)} ms per request (from arrival to answer, fsync included)`);
    console.log(`close (compaction of 2,000 objects): ${Math.round(performance.now() - t2)} ms`);
    // The time is a figure, not an assertion: speed goals live in `npm run bench`.
  });
});
