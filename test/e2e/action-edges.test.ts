/**
 * The GitHub Action end to end, its edges: the committed bundle, a wrong key and a closed port, a fork's pull
 * request without secrets. Its own repository, emulator and fake GitHub (`test/helpers/action-harness.ts`).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../helpers/closed-port.js";
import { ActionHarness, BUNDLE, expectOk, ROOT } from "../helpers/action-harness.js";

const h = new ActionHarness();

describe("the GitHub Action at its edges", () => {
  /** The quickstart, committed: a valid desired state (never applied here). */
  let mergeSha: string;
  beforeAll(() => {
    mergeSha = h.commit("base: the quickstart");
  });

  it("is committed next to its wasm", () => {
    expect(existsSync(BUNDLE)).toBe(true);
    expect(existsSync(join(ROOT, "dist-action/cedar_wasm_bg.wasm"))).toBe(true);
  });

  it("a wrong key and a closed port fail the step with the CLI's message and hint, never as a bug", async () => {
    const wrong = "wrong-SECRET-k3y-d00d";
    const unauthorized = await h.runAction({ command: "drift", event: "schedule", sha: mergeSha, env: { CONFIDENT_API_KEY: wrong } });
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stdout).toMatch(/::error::the RBAC API at http:\/\/127\.0\.0\.1:\d+: \[GET\] \/v1\/\S+: 401 Unauthorized/);
    expect(unauthorized.stdout).toContain("hint: check CONFIDENT_API_KEY holds an organization key");
    expect(unauthorized.stdout.split("\n").filter((l) => !l.startsWith("::add-mask::")).join("\n")).not.toContain(wrong);
    const closed = await closedPort();
    const refused = await h.runAction({
      command: "drift",
      event: "schedule",
      sha: mergeSha,
      env: { ACCESSCTL_RBAC_URL: `http://127.0.0.1:${closed}`, ACCESSCTL_CEDAR_URL: `http://127.0.0.1:${closed}` },
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/no response \(ECONNREFUSED\)/);
    expect(refused.stdout).toContain(`ACCESSCTL_RBAC_URL (http://127.0.0.1:${closed})`);
    for (const r of [unauthorized, refused]) {
      expect(r.stdout + r.stderr).not.toContain("this is a bug");
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it("a fork's pull request without secrets is validated only: job summary and annotations, no comment", async () => {
    const before = h.gh.requests.length;
    h.git("checkout", "-q", "-b", "fork");
    h.edit("organization.yaml", "policies: [Audit access]", "policies: [Audit acces]");
    const forkHead = h.commit("a typo from a fork");
    h.gh.readOnly = true;
    try {
      const r = await h.runAction({ command: "plan", event: "pull_request", sha: forkHead, payload: h.prPayload(11, mergeSha, forkHead, true), noSecrets: true });
      expect(r.code).toBe(1);
      expect(r.summary).toContain("Validation only");
      expect(r.summary).toContain("a pull request from a fork");
      expect(r.summary).toContain("❌ The desired state is invalid.");
      expect(r.stdout).toMatch(/::error title=accessctl [a-z-]+,file=access\/organization\.yaml,line=\d+,col=\d+::/);
      expect(r.outputs["has-changes"]).toBe("false");
      expect(h.gh.requests.length).toBe(before); // never called GitHub
      expect(h.gh.commentsOn(11)).toHaveLength(0);

      h.git("checkout", "-q", "main");
      const valid = await h.runAction({ command: "plan", event: "pull_request", sha: mergeSha, payload: h.prPayload(12, mergeSha, mergeSha, true), noSecrets: true });
      expectOk(valid);
      expect(valid.summary).toContain("✅ The desired state is valid.");
      expect(h.gh.requests.length).toBe(before);
    } finally {
      h.gh.readOnly = false;
    }
  });
});
