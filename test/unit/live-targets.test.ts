import { describe, expect, it } from "vitest";
import { requireTargets, resolveTargets, secretsFromEnv, type Env, type Targets } from "../../src/live/targets.js";
import { redact } from "../../src/live/redact.js";

const RBAC = { ACCESSCTL_RBAC_URL: "https://api.confident-ai.com", CONFIDENT_API_KEY: "rk" };
const CEDAR = {
  ACCESSCTL_CEDAR_URL: "https://cedar.example.com/",
  ACCESSCTL_CEDAR_API_KEY: "ck",
  ACCESSCTL_CEDAR_TENANT_ID: "00000000-0000-4000-8000-000000000001",
};
const rbacTarget = { url: "https://api.confident-ai.com", apiKey: "rk" };
const cedarTarget = { url: "https://cedar.example.com", apiKey: "ck", tenantId: "00000000-0000-4000-8000-000000000001" };

/** What a resolution boils down to, for one table row. */
function summary(result: ReturnType<typeof resolveTargets>): string {
  if (result.kind === "error") return `error: ${result.message}`;
  if (result.kind === "local") return "local";
  return `remote:${result.rbac ? " rbac" : ""}${result.cedar ? " cedar" : ""}`;
}

describe("resolveTargets: docs/services.md#targets, row by row", () => {
  const rows: Array<[string, Env, string | undefined, string | RegExp]> = [
    ["RBAC URL + key → the RBAC API", RBAC, undefined, "remote: rbac"],
    ["Cedar URL + key + tenant → the Cedar API", CEDAR, undefined, "remote: cedar"],
    ["both → both", { ...RBAC, ...CEDAR }, undefined, "remote: rbac cedar"],
    ["RBAC URL without its key → error", { ACCESSCTL_RBAC_URL: "https://x" }, undefined, /CONFIDENT_API_KEY is not set/],
    [
      "Cedar URL without key and tenant → error naming both",
      { ACCESSCTL_CEDAR_URL: "https://x" },
      undefined,
      /ACCESSCTL_CEDAR_API_KEY and ACCESSCTL_CEDAR_TENANT_ID are not set/,
    ],
    ["Cedar URL without tenant → error", { ...CEDAR, ACCESSCTL_CEDAR_TENANT_ID: "" }, undefined, /ACCESSCTL_CEDAR_TENANT_ID is not set/],
    ["a key alone never selects a live service", { CONFIDENT_API_KEY: "rk", ACCESSCTL_CEDAR_API_KEY: "ck" }, undefined, "local"],
    ["nothing set → the embedded emulator", {}, undefined, "local"],
    ["empty URL counts as unset", { ACCESSCTL_RBAC_URL: " ", CONFIDENT_API_KEY: "rk" }, undefined, "local"],
    ["CI=true with no target → error", { CI: "true" }, undefined, /CI=true is set: a CI run never falls back/],
    ["GITHUB_ACTIONS=true with no target → error", { GITHUB_ACTIONS: "true" }, undefined, /GITHUB_ACTIONS=true/],
    ["CI=false is not CI", { CI: "false" }, undefined, "local"],
    ["CI with --target local → the emulator", { CI: "true", CONFIDENT_API_KEY: "rk" }, "local", "local"],
    ["CI with a URL → remote", { CI: "true", ...RBAC }, undefined, "remote: rbac"],
    ["--target local ignores the URLs", { ...RBAC, ...CEDAR }, "local", "local"],
    ["--target local even with a URL missing its key", { ACCESSCTL_RBAC_URL: "https://x" }, "local", "local"],
    ["--target remote with a URL → remote", RBAC, "remote", "remote: rbac"],
    ["--target remote with no URL → error", { CONFIDENT_API_KEY: "rk" }, "remote", /--target remote, but no target is configured/],
    ["--target with a bad value → error", {}, "prod", /--target must be "local" or "remote"/],
    ["a URL that is not one → error", { ...RBAC, ACCESSCTL_RBAC_URL: "api.confident-ai.com" }, undefined, /is not a URL/],
    ["a URL with credentials → error", { ...RBAC, ACCESSCTL_RBAC_URL: "https://u:p@x" }, undefined, /must not carry credentials/],
    ["a non-http URL → error", { ...RBAC, ACCESSCTL_RBAC_URL: "ftp://x" }, undefined, /must be an http\(s\) URL/],
  ];
  it.each(rows)("%s", (_, env, target, expected) => {
    const got = summary(resolveTargets(env, target === undefined ? {} : { target }));
    if (typeof expected === "string") expect(got).toBe(expected);
    else expect(got).toMatch(expected);
  });

  it("returns the targets themselves, URLs without a trailing slash", () => {
    expect(resolveTargets({ ...RBAC, ...CEDAR }, {})).toEqual({ kind: "remote", rbac: rbacTarget, cedar: cedarTarget, notices: [] });
  });

  it("every error carries a hint saying what to do next, and never a key", () => {
    for (const [env, target] of [
      [{ ACCESSCTL_CEDAR_URL: "https://x", ACCESSCTL_CEDAR_API_KEY: "ck" }, undefined],
      [{ CI: "1", CONFIDENT_API_KEY: "rk" }, undefined],
      [{ CONFIDENT_API_KEY: "rk" }, "remote"],
    ] as const) {
      const result = resolveTargets(env, target === undefined ? {} : { target });
      expect(result.kind).toBe("error");
      if (result.kind !== "error") continue;
      expect(result.hint.length).toBeGreaterThan(10);
      expect(`${result.message} ${result.hint}`).not.toMatch(/\brk\b|\bck\b/);
    }
    const ci = resolveTargets({ CI: "true" }, {});
    expect(ci.kind === "error" && ci.hint).toMatch(/--target local/);
  });

  it("notes a key that selects nothing, and a plain-http remote", () => {
    const local = resolveTargets({ CONFIDENT_API_KEY: "rk" }, {}) as Targets;
    expect(local.notices).toEqual(["CONFIDENT_API_KEY is set but ACCESSCTL_RBAC_URL is not: a key alone never selects a live service."]);
    const http = resolveTargets({ ...RBAC, ACCESSCTL_RBAC_URL: "http://api.internal" }, {}) as Targets;
    expect(http.notices[0]).toMatch(/plain http/);
    const loopback = resolveTargets({ ...RBAC, ACCESSCTL_RBAC_URL: "http://127.0.0.1:4010" }, {}) as Targets;
    expect(loopback.notices).toEqual([]);
  });
});

describe("requireTargets", () => {
  const rbacOnly = resolveTargets(RBAC, {}) as Targets;
  const cedarOnly = resolveTargets(CEDAR, {}) as Targets;
  const local = resolveTargets({}, {}) as Targets;
  it.each([
    ["rbac target, files manage cedar → error", rbacOnly, { rbac: false, cedar: true }, /no Cedar target/],
    ["cedar target, files manage projects → error", cedarOnly, { rbac: true, cedar: false }, /no RBAC target/],
    ["rbac target, files manage rbac → fine", rbacOnly, { rbac: true, cedar: false }, undefined],
    ["local covers both", local, { rbac: true, cedar: true }, undefined],
  ] as const)("%s", (_, targets, need, expected) => {
    const result = requireTargets(targets, need);
    if (expected === undefined) expect(result).toBeUndefined();
    else expect(result?.message).toMatch(expected);
  });
});

describe("redact", () => {
  it("replaces every key, its URL-encoded form, longest first", () => {
    const secrets = secretsFromEnv({ CONFIDENT_API_KEY: "a/b+c", ACCESSCTL_CEDAR_API_KEY: "a/b+c-long", ACCESSCTL_CEDAR_TENANT_ID: "t" });
    expect(secrets).toEqual(["a/b+c", "a/b+c-long"]);
    expect(redact("k=a/b+c-long; q=a%2Fb%2Bc; a/b+c", secrets)).toBe("k=***; q=***; ***");
    expect(redact("nothing", ["", "zz"])).toBe("nothing");
  });
});
