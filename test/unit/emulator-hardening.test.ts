import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { cedarCaller, rbacCaller, type Caller } from "../helpers/emulator-client.js";

let em: EmulatorHandle;
let rbac: Caller;
let cedar: Caller;

beforeAll(async () => {
  em = await startEmulator({ port: 0 });
  rbac = rbacCaller(em.url);
  cedar = cedarCaller(em.url);
});
afterAll(() => em.close());

function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let out = "";
    socket.on("data", (d) => (out += d.toString()));
    socket.on("close", () => resolve(out));
    socket.on("error", () => resolve(out));
    socket.write(bytes);
    setTimeout(() => socket.end(), 200);
  });
}

describe("emulator hardening", () => {
  it("binds 127.0.0.1 by default", () => {
    expect(new URL(em.url).hostname).toBe("127.0.0.1");
  });

  it("413 for bodies over 1 MB, in each API's envelope", async () => {
    const big = JSON.stringify({ name: "x".repeat(1024 * 1024), permissionIds: [] });
    const r = await rbac("POST", "/v1/organization/policies", big);
    expect(r).toMatchObject({ status: 413, body: { success: false, error: expect.any(String) } });
    const c = await cedar("POST", "/v1/policies", JSON.stringify({ name: "x".repeat(1024 * 1024), max_duration_seconds: 1 }));
    expect(c).toMatchObject({ status: 413, body: { code: "payload_too_large" } });
    expect((await rbac("GET", "/v1/projects")).status).toBe(200);
  });

  it("400 for malformed JSON, in each API's envelope, and for pathological JSON", async () => {
    expect(await rbac("POST", "/v1/organization/roles", "{")).toMatchObject({ status: 400, body: { success: false } });
    expect(await cedar("POST", "/v1/policies", "{")).toMatchObject({ status: 400, body: { code: "invalid_request" } });
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    expect((await cedar("POST", "/v1/policies", deep)).status).toBe(400);
    expect((await rbac("POST", "/v1/organization/policies", "null")).status).toBe(400);
    expect((await cedar("POST", "/v1/policies/evaluate", '"str"')).status).toBe(400);
  });

  it("never crashes on odd input", async () => {
    expect((await rbac("GET", "/v1/projects/%E0%A4%A/roles")).status).toBe(404);
    expect((await cedar("GET", "/v1/policies/%ZZ")).status).toBe(404);
    expect((await rbac("GET", "/v1/organization/members?page=1e309")).status).toBe(400);
    expect((await cedar("POST", "/v1/policies", { name: { a: 1 }, max_duration_seconds: 5 })).status).toBe(400);
    expect((await cedar("POST", "/v1/policies", { name: "n", max_duration_seconds: 5, cedar_policy_set: 42 })).status).toBe(400);
    const garbage = await rawRequest(em.port, "NOT HTTP AT ALL\r\n\r\n");
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    const truncated = await rawRequest(em.port, "POST /v1/policies HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"na");
    // The client half-closes mid-body: no answer, or a 400; never a crash.
    expect(truncated === "" || truncated.startsWith("HTTP/1.1 400")).toBe(true);
    // Still serving.
    expect((await rbac("GET", "/v1/organization/permissions")).status).toBe(200);
  });

  it("keys of any length are refused without error (constant-time compare of digests)", async () => {
    for (const key of ["", "l", "local-rbac-ke", "local-rbac-keyy", "x".repeat(5000)]) {
      expect((await rbacCaller(em.url, key)("GET", "/v1/projects")).status).toBe(401);
    }
  });

  it("keeps connections alive between requests", async () => {
    const a = await fetch(`${em.url}/v1/projects`, { headers: { CONFIDENT_API_KEY: "local-rbac-key" } });
    await a.text();
    expect(a.headers.get("connection") ?? "keep-alive").toBe("keep-alive");
  });
});
