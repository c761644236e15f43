/**
 * The one apply flow (`applyPlan`, src/flow/apply-flow.ts) that the CLI and the GitHub Action both call: each
 * outcome, decided in one place — nothing to do, no review, a stale review, guards (and `force`), a refused
 * confirmation, applied and converged. Against the emulator over HTTP, with a real session.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { RefusedError } from "../../src/errors/user-errors.js";
import { applyPlan } from "../../src/flow/apply-flow.js";
import { loadDesired, planFor } from "../../src/flow/plan-flow.js";
import { targetsDigest } from "../../src/flow/binding.js";
import { digestChanges } from "../../src/flow/review.js";
import type { DesiredState } from "../../src/desired/types.js";
import { openSession, type Session } from "../../src/session/open-session.js";
import { emulatorTargets, tempDir } from "../helpers/cli.js";

let em: EmulatorHandle;
let session: Session;
let dir: string;

const load = (): DesiredState => loadDesired(dir, { env: {} }).desired;
const writes = (from: number) => em.requestLog.slice(from).filter((e) => e.method !== "GET");

beforeAll(async () => {
  em = await startEmulator({ port: 0, rbacKey: "rk", cedarKey: "ck" });
  dir = tempDir("examples/quickstart");
  session = await openSession({ env: emulatorTargets(em.url, { rbac: "rk", cedar: "ck" }), cwd: dir, need: { rbac: true, cedar: true }, target: "remote" });
});

afterAll(async () => {
  await session?.close();
  await em?.close();
});

describe("applyPlan", () => {
  it("a required review that does not exist: unreviewed, nothing written", async () => {
    const desired = load();
    const plan = await planFor(session, desired);
    const from = em.requestLog.length;
    const outcome = await applyPlan(plan, session, { desired, review: { missing: "no pull request" } });
    expect(outcome.kind).toBe("unreviewed");
    expect(writes(from)).toEqual([]);
  });

  it("a review of another plan: stale, with the differences change by change, nothing written", async () => {
    const desired = load();
    const plan = await planFor(session, desired);
    const [first, ...rest] = plan.changes;
    const reviewed = digestChanges(rest).concat([["update:organization/roles/Gone", "0000000000000000"]]);
    const from = em.requestLog.length;
    const outcome = await applyPlan(plan, session, { desired, review: { checksum: "sha256:reviewed", changes: reviewed } });
    expect(outcome.kind).toBe("stale");
    if (outcome.kind !== "stale") return;
    expect(outcome.differences).toEqual([
      { how: "added", id: first!.id, change: first },
      { how: "removed", id: "update:organization/roles/Gone" },
    ]);
    expect(writes(from)).toEqual([]);
  });

  it("a review made against other targets: retargeted, even when nothing would change, nothing written", async () => {
    const desired = load();
    const plan = await planFor(session, desired);
    const from = em.requestLog.length;
    const elsewhere = targetsDigest({ local: true });
    const outcome = await applyPlan(plan, session, { desired, review: { checksum: plan.checksum, targets: elsewhere } });
    expect(outcome.kind).toBe("retargeted");
    expect(writes(from)).toEqual([]);
    const same = await applyPlan(plan, session, { desired, review: { checksum: "sha256:other", targets: targetsDigest(plan.targets) } });
    expect(same.kind).toBe("stale");
  });

  it("a refused confirmation stops before any write", async () => {
    const desired = load();
    const plan = await planFor(session, desired);
    const from = em.requestLog.length;
    const no = async () => {
      throw new RefusedError("apply cancelled");
    };
    await expect(applyPlan(plan, session, { desired, confirm: no })).rejects.toThrow("apply cancelled");
    expect(writes(from)).toEqual([]);
  });

  it("the reviewed plan applies and converges; then there is nothing to do", async () => {
    const desired = load();
    const plan = await planFor(session, desired);
    const outcome = await applyPlan(plan, session, { desired, review: { checksum: plan.checksum, changes: digestChanges(plan.changes) } });
    expect(outcome.kind).toBe("applied");
    if (outcome.kind !== "applied") return;
    expect(outcome.summary.counts.applied).toBe(plan.changes.length);
    expect(outcome.after.changes).toEqual([]);
    const again = await planFor(session, desired);
    expect((await applyPlan(again, session, { desired })).kind).toBe("no-changes");
  });

  it("a threshold guard refuses; force overrides it; protection is never overridden", async () => {
    // Deleting both custom roles (one protected) of a scope holding 4 objects, with the threshold at any scope size.
    const org = join(dir, "organization.yaml");
    writeFileSync(
      org,
      [
        "organization:",
        "  policies:",
        "    - { name: Manage billing, description: Grants access to billing settings, permissions: [billing:read, billing:manage] }",
        "    - { name: Audit access, description: 'Read who can do what, change nothing', permissions: [organization:read, user:read, iam:read] }",
        "  roles: []",
        "accessctl:",
        "  thresholds: { minExisting: 1 }",
        "",
      ].join("\n"),
    );
    const desired = load();
    const plan = await planFor(session, desired);
    expect(plan.changes.filter((c) => c.kind === "delete")).toHaveLength(2);
    const from = em.requestLog.length;
    const refused = await applyPlan(plan, session, { desired });
    expect(refused.kind).toBe("refused");
    if (refused.kind === "refused") expect(refused.guards.map((g) => g.kind)).toEqual(["threshold-delete"]);
    expect(writes(from)).toEqual([]);

    writeFileSync(org, `${readFileSync(org, "utf8")}  protect: ["organization/roles/Billing Manager"]\n`);
    const protectedDesired = load();
    const protectedPlan = await planFor(session, protectedDesired);
    const forced = await applyPlan(protectedPlan, session, { desired: protectedDesired, force: true });
    expect(forced.kind).toBe("refused");
    if (forced.kind === "refused") expect(forced.guards.map((g) => g.kind)).toEqual(["protected"]);
    expect(writes(from)).toEqual([]);
  });
});
