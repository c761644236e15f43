import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { cedarCaller, rbacCaller, type Answer } from "../helpers/emulator-client.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "accessctl-emulator-knobs-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("--rate-limit", () => {
  it("a burst of 200 at 50 req/s gets 429s with Retry-After, in each API's envelope", async () => {
    const em = await startEmulator({ port: 0, rateLimit: 50 });
    try {
      const rbac = rbacCaller(em.url);
      const cedar = cedarCaller(em.url);
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? rbac("GET", "/v1/projects") : cedar("GET", "/v1/policies"))),
      );
      const limited = answers.filter((a) => a.status === 429);
      const ok = answers.filter((a) => a.status === 200);
      // The bucket starts with one second's worth (50): those always go through, whatever the machine's speed.
      // (How much it refills while the burst is served depends on that speed, so no upper bound is drawn from it.)
      expect(ok.length).toBeGreaterThanOrEqual(50);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited.length + ok.length).toBe(200);
      expect(em.requestLog.filter((e) => e.status === 429)).toHaveLength(limited.length);
      for (const a of limited) expect(Number(a.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Each 429 in the envelope of its API (even requests RBAC, odd ones Cedar).
      const envelopes = new Set<string>();
      answers.forEach((a, i) => {
        if (a.status !== 429) return;
        if (i % 2 === 0) expect(a.body).toEqual({ success: false, error: expect.any(String) });
        else expect(a.body.code).toBe("rate_limited");
        envelopes.add(i % 2 === 0 ? "rbac" : "cedar");
      });
      expect(envelopes).toEqual(new Set(["rbac", "cedar"]));
      // After waiting as told, requests go through again.
      const retryAfter = Math.max(...limited.map((a) => Number(a.headers.get("retry-after"))));
      await new Promise((r) => setTimeout(r, retryAfter * 1000));
      expect((await rbac("GET", "/v1/projects")).status).toBe(200);
    } finally {
      await em.close();
    }
  });
});

/** A fixed list of requests: RBAC and Cedar creates, a few reads. */
function workload(url: string): (() => Promise<Answer>)[] {
  const rbac = rbacCaller(url);
  const cedar = cedarCaller(url);
  const calls: (() => Promise<Answer>)[] = [];
  for (let i = 0; i < 40; i++) {
    calls.push(() => rbac("POST", "/v1/organization/policies", { name: `fault-pol-${i}`, permissionIds: [] }));
    calls.push(() => cedar("POST", "/v1/policies", { name: `fault-cedar-${i}`, max_duration_seconds: 60 }));
  }
  for (let i = 0; i < 10; i++) calls.push(() => rbac("GET", `/v1/organization/members?page=${i + 1}`));
  return calls;
}

async function faultRun(options: EmulatorOptions, parallel: boolean) {
  const em = await startEmulator({ port: 0, ...options });
  try {
    const calls = workload(em.url);
    const answers = parallel ? await Promise.all(calls.map((c) => c())) : [];
    if (!parallel) for (const c of calls) answers.push(await c());
    const policies = em.state.list("policies").map((p) => p.name);
    const cedarPolicies = em.state.list("cedarPolicies").map((p) => p.name);
    return { statuses: answers.map((a) => a.status), policies, cedarPolicies, log: [...em.requestLog] };
  } finally {
    await em.close();
  }
}

describe("--fault-rate with --seed", () => {
  it("the same requests fail the same way on two runs, whatever the arrival order; some after the commit", async () => {
    const first = await faultRun({ faultRate: 0.3, seed: 1 }, false);
    const second = await faultRun({ faultRate: 0.3, seed: 1 }, true);
    expect(second.statuses).toEqual(first.statuses);
    expect(new Set(second.policies)).toEqual(new Set(first.policies));
    expect(new Set(second.cedarPolicies)).toEqual(new Set(first.cedarPolicies));

    const failed = first.statuses.filter((s) => s !== 200 && s !== 201);
    expect(failed.length).toBeGreaterThan(10);
    expect(failed.length).toBeLessThan(45);
    expect(first.statuses).toContain(0); // connection resets
    expect(first.statuses).toContain(500);
    const kinds = new Set(first.log.map((e) => e.fault).filter(Boolean));
    expect([...kinds].some((k) => k?.startsWith("after-"))).toBe(true);
    expect([...kinds].some((k) => k?.startsWith("before-"))).toBe(true);

    // After-commit faults: the client saw an error, yet the object exists.
    const createdDespiteError = first.statuses
      .map((s, i) => ({ s, i }))
      .filter(({ s, i }) => s !== 200 && s !== 201 && i < 80)
      .filter(({ i }) => {
        const n = Math.floor(i / 2);
        return i % 2 === 0 ? first.policies.includes(`fault-pol-${n}`) : first.cedarPolicies.includes(`fault-cedar-${n}`);
      });
    expect(createdDespiteError.length).toBeGreaterThan(0);
    // Before-commit faults changed nothing: every successful create exists, every missing one failed.
    expect(first.policies.length + first.cedarPolicies.length).toBe(
      first.statuses.slice(0, 80).filter((s) => s === 200 || s === 201).length + createdDespiteError.length,
    );

    const otherSeed = await faultRun({ faultRate: 0.3, seed: 2 }, false);
    expect(otherSeed.statuses).not.toEqual(first.statuses);
  });

  it("a retry of the same request draws again (attempt number), so it can succeed", async () => {
    const em = await startEmulator({ port: 0, faultRate: 0.5, seed: 7 });
    try {
      const rbac = rbacCaller(em.url);
      let tries = 0;
      let answer: Answer;
      do answer = await rbac("GET", "/v1/projects");
      while (answer.status !== 200 && ++tries < 30);
      expect(answer.status).toBe(200);
    } finally {
      await em.close();
    }
  });
});

describe("--latency-ms", () => {
  it("every answer, errors included, takes at least the latency", async () => {
    const em = await startEmulator({ port: 0, latencyMs: 50 });
    try {
      const rbac = rbacCaller(em.url);
      const cedar = cedarCaller(em.url);
      const calls = [
        () => rbac("GET", "/v1/projects"),
        () => rbac("POST", "/v1/organization/policies", { name: "slow", permissionIds: [] }),
        () => rbacCaller(em.url, "bad")("GET", "/v1/projects"),
        () => rbac("GET", "/v1/nothing"),
        () => cedar("POST", "/v1/policies", "{"),
        () => cedar("GET", "/v1/policies"),
      ];
      for (const call of calls) await call();
      await Promise.all(Array.from({ length: 20 }, () => rbac("GET", "/v1/projects")));
      // The server's own measure, from arrival to answer: not the client's clock.
      expect(em.requestLog.slice(0, calls.length).map((e) => `${e.method} ${e.status}`)).toEqual([
        "GET 200",
        "POST 200",
        "GET 401",
        "GET 404",
        "POST 400",
        "GET 200",
      ]);
      expect(em.requestLog).toHaveLength(calls.length + 20);
      for (const entry of em.requestLog) expect(entry.durationMs).toBeGreaterThanOrEqual(50);
    } finally {
      await em.close();
    }
  });
});

describe("--log", () => {
  it("appends one JSON line per request: time, method, path, status, duration", async () => {
    const logPath = join(dir, "requests.log");
    const em = await startEmulator({ port: 0, logPath });
    await rbacCaller(em.url)("GET", "/v1/projects");
    await cedarCaller(em.url)("GET", "/v1/policies?limit=1");
    await rbacCaller(em.url, "nope")("GET", "/v1/projects");
    await em.close();
    const lines = (await readFile(logPath, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { time: expect.any(String), method: "GET", path: "/v1/projects", status: 200, durationMs: expect.any(Number) },
      { time: expect.any(String), method: "GET", path: "/v1/policies?limit=1", status: 200, durationMs: expect.any(Number) },
      { time: expect.any(String), method: "GET", path: "/v1/projects", status: 401, durationMs: expect.any(Number) },
    ]);
    expect(em.requestLog).toHaveLength(3);
    const text = await readFile(logPath, "utf8");
    expect(text).not.toContain("local-rbac-key");
  });
});
