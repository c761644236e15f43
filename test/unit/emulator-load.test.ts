import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { cedarCaller, rbacCaller } from "../helpers/emulator-client.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "accessctl-emulator-load-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("emulator under load", () => {
  it("200 parallel creates: no lost writes, no duplicate names, every answer correct", async () => {
    const statePath = join(dir, "parallel.json");
    const em = await startEmulator({ port: 0, statePath });
    const rbac = rbacCaller(em.url);
    const cedar = cedarCaller(em.url);
    const t = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => rbac("POST", "/v1/organization/policies", { name: `parallel-${i}`, permissionIds: [] })),
    );
    console.log(`200 parallel RBAC creates with --state: ${Math.round(performance.now() - t)} ms`);
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      expect(a.body.data.policy.name).toBe(`parallel-${i}`);
    });
    expect(new Set(answers.map((a) => a.body.data.policy.id)).size).toBe(200);

    // 200 parallel creates of ONE name: exactly one wins.
    const same = await Promise.all(Array.from({ length: 200 }, () => cedar("POST", "/v1/policies", { name: "contended", max_duration_seconds: 60 })));
    expect(same.filter((a) => a.status === 201)).toHaveLength(1);
    expect(same.filter((a) => a.status === 409 && a.body.code === "conflict")).toHaveLength(199);

    // 200 parallel rule appends to one policy: each gets its own ordinal.
    const policyId = same.find((a) => a.status === 201)?.body.id;
    const rules = await Promise.all(
      Array.from({ length: 200 }, (_, i) => cedar("POST", `/v1/policies/${policyId}/rules`, { effect: "permit", conditions: `when { context.n == ${i} }` })),
    );
    expect(rules.every((r) => r.status === 201)).toBe(true);
    expect(new Set(rules.map((r) => r.body.ordinal)).size).toBe(200);
    await em.close();

    const again = await startEmulator({ port: 0, statePath });
    const listed = (await rbacCaller(again.url)("GET", "/v1/organization/policies")).body.data.policies;
    expect(listed.map((p: { name: string }) => p.name).sort()).toEqual(answers.map((a) => a.body.data.policy.name).sort());
    expect(again.state.list("cedarRules")).toHaveLength(200);
    await again.close();
  });
});
