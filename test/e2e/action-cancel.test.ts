/**
 * The GitHub Action end to end, cancelled: SIGINT during a long apply. Its own repository, emulator and fake GitHub
 * (`test/helpers/action-harness.ts`), so it runs beside the other Action files.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { writeBigState } from "../helpers/apply-fixtures.js";
import { ActionHarness, CEDAR_KEY, RBAC_KEY, TENANT } from "../helpers/action-harness.js";

const h = new ActionHarness();

describe("the GitHub Action, cancelled", () => {
  it("a cancelled apply (SIGINT) starts nothing new, comments what was applied, and fails the job", async () => {
    const slow = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY, tenant: TENANT, latencyMs: 40 });
    try {
      writeBigState(join(h.repo, "big"));
      const sha = h.commit("a big change");
      h.gh.pullsByCommit.set(sha, [{ number: 21, merged_at: "2025-01-02T00:00:00Z", merge_commit_sha: sha }]);
      const writes = () => slow.requestLog.filter((e) => e.method !== "GET" && e.status < 300).length;
      const r = await h.runAction({
        command: "apply",
        event: "push",
        sha,
        inputs: { path: "big", force: "true" },
        env: { ACCESSCTL_RBAC_URL: slow.url, ACCESSCTL_CEDAR_URL: slow.url },
        cancel: { when: () => writes() >= 30, signal: "SIGINT" },
      });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.stdout).toContain("SIGINT received");
      expect(r.stdout).toMatch(/::error::Apply interrupted: \d+ applied, \d+ failed, \d+ outcome unknown, \d+ skipped, \d+ not started/);
      const outcome = h.gh.commentsOn(21).filter((c) => c.body.includes("<!-- accessctl:apply:path=big -->"));
      expect(outcome).toHaveLength(1);
      expect(outcome[0]!.body).toContain("⏹️ interrupted");
      expect(outcome[0]!.body).toContain("no convergence check followed");
      expect(outcome[0]!.body).toMatch(/\| applied \| failed \| outcome unknown \| skipped \| not started \|/);
      expect(r.stdout).not.toContain("this is a bug");
    } finally {
      await slow.close();
    }
  });
});
