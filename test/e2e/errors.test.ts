/**
 * Failures read as failures, not as bugs (issue 13): a wrong key, a refused connection and a wrong tenant end with
 * one message naming the target by URL, the status and the next step, exit 1, no stack trace and no key — from
 * the in-process CLI and from the built executable alike. The GitHub Action says the same (action.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { BUG_MESSAGE, describeError } from "../../src/errors/describe-error.js";
import { EXIT } from "../../src/errors/exit-codes.js";
import { InternalError, RefusedError } from "../../src/errors/user-errors.js";
import { closedPort } from "../helpers/closed-port.js";
import { emulatorTargets, runCli, runCliProcess, tempDir, type CliResult } from "../helpers/cli.js";

const RBAC_KEY = "rbac-SECRET-k3y-e770r5";
const CEDAR_KEY = "cedar-SECRET-k3y-e770r5";

let em: EmulatorHandle;
let dir: string;

beforeAll(async () => {
  em = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
  dir = tempDir("examples/quickstart");
});

afterAll(async () => {
  await em?.close();
});

function expectUserFailure(r: CliResult, ...secrets: string[]): void {
  expect(r.code, r.stderr).toBe(EXIT.error);
  expect(r.stderr).not.toContain("this is a bug");
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).toMatch(/^ {2}hint: /m);
  for (const s of [RBAC_KEY, CEDAR_KEY, ...secrets]) expect(r.stdout + r.stderr).not.toContain(s);
}

describe("failures a user can meet", () => {
  it("a wrong RBAC key: 401, naming the API by URL and the variable to fix", async () => {
    const wrong = "wrong-SECRET-rbac-k3y";
    const r = await runCli(["plan", "."], { cwd: dir, env: emulatorTargets(em.url, { rbac: wrong, cedar: CEDAR_KEY }) });
    expectUserFailure(r, wrong);
    expect(r.stderr).toContain(`the RBAC API at ${em.url}: [GET] /v1/`);
    expect(r.stderr).toContain("401 Unauthorized");
    expect(r.stderr).toContain("check CONFIDENT_API_KEY holds an organization key");
  });

  it("a wrong Cedar key: 401, naming ACCESSCTL_CEDAR_API_KEY", async () => {
    const wrong = "wrong-SECRET-cedar-k3y";
    const r = await runCli(["plan", "."], { cwd: dir, env: emulatorTargets(em.url, { rbac: RBAC_KEY, cedar: wrong }) });
    expectUserFailure(r, wrong);
    expect(r.stderr).toContain(`the Cedar policy API at ${em.url}`);
    expect(r.stderr).toContain("check ACCESSCTL_CEDAR_API_KEY");
  });

  it("a wrong tenant: 403 tenant_mismatch names ACCESSCTL_CEDAR_TENANT_ID", async () => {
    const env = emulatorTargets(em.url, { rbac: RBAC_KEY, cedar: CEDAR_KEY }, { ACCESSCTL_CEDAR_TENANT_ID: "00000000-0000-4000-8000-00000000dead" });
    const r = await runCli(["plan", "."], { cwd: dir, env });
    expectUserFailure(r);
    expect(r.stderr).toContain("403");
    expect(r.stderr).toContain("check ACCESSCTL_CEDAR_TENANT_ID");
  });

  it("a refused connection: the URL, the error code and the proxy variables", async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const r = await runCli(["plan", "."], { cwd: dir, env: emulatorTargets(url, { rbac: RBAC_KEY, cedar: CEDAR_KEY }) });
    expectUserFailure(r);
    expect(r.stderr).toContain(`at ${url}`);
    expect(r.stderr).toContain("no response (ECONNREFUSED)");
    expect(r.stderr).toContain(`ACCESSCTL_RBAC_URL (${url})`);
    expect(r.stderr).toContain("requests go directly (no proxy variable applies)");
  });

  it("the built executable says the same (the issue's reproduction)", async () => {
    const port = await closedPort();
    const r = await runCliProcess(["plan", "."], { cwd: dir, env: emulatorTargets(`http://127.0.0.1:${port}`, { rbac: "rbac-SECRET-process-k3y", cedar: "cedar-SECRET-process-k3y" }) });
    expectUserFailure(r);
    expect(r.stderr).toContain("ECONNREFUSED");
  });
});

describe("describeError: one line between user error and bug", () => {
  it("a user error keeps its exit code and hint", () => {
    expect(describeError(new RefusedError("refused", "do this"))).toEqual({ exitCode: EXIT.refused, message: "refused", hint: "do this", internal: false });
  });

  it("anything else is a bug, with its stack kept for ACCESSCTL_DEBUG=1 only", () => {
    for (const e of [new TypeError("x is undefined"), new InternalError("a cycle"), "a string thrown"]) {
      const d = describeError(e);
      expect(d.internal).toBe(true);
      expect(d.exitCode).toBe(EXIT.error);
      expect(d.message.startsWith(BUG_MESSAGE)).toBe(true);
    }
  });
});
