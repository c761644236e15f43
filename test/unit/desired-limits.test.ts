/**
 * Limits enforced by `validate` (SPEC section 10; issue 15): names of at most 256 characters (every name: policies,
 * roles, projects, Cedar policies, previous names), `defaultDurationSeconds` ≤ `maxDurationSeconds`, and request
 * bodies of at most 1 MB — each refused offline at its place, and in agreement with the emulator's own limits.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../src/desired/limits.js";
import { validateDesiredState } from "../../src/desired/validate.js";
import { MAX_BODY_BYTES as EMULATOR_MAX_BODY_BYTES } from "../../src/emulator/http-io.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { tempDir } from "../helpers/cli.js";

const errorsOf = (files: Record<string, string>) => validateDesiredState(tempDir(undefined, files), { env: {} }).diagnostics.filter((d) => d.severity === "error");

const long = (n: number): string => "n".repeat(n);

describe("names: 1..256 characters", () => {
  it("every kind of name longer than 256 is refused at its place", () => {
    const errors = errorsOf({
      "org.yaml": `organization:
  policies:
    - name: ${long(257)}
      permissions: []
      previousNames: [${long(300)}]
  roles:
    - name: ${long(256)}
      policies: [${long(257)}]
projects:
  - name: ${long(999)}
    roles: []
cedar:
  policies:
    - name: ${long(400)}
      maxDurationSeconds: 60
      rules: []
`,
    });
    expect(errors.map((e) => [e.code, e.line, e.col])).toEqual([
      ["limit-name", 3, 13],
      ["limit-name", 5, 23],
      ["limit-name", 8, 18],
      ["limit-name", 10, 11],
      ["limit-name", 14, 13],
    ]);
    expect(errors[0]!.message).toBe("`name` is 257 characters long; the services take at most 256");
  });

  it("a blank name is still refused", () => {
    expect(errorsOf({ "org.yaml": 'organization:\n  roles:\n    - name: "   "\n      policies: []\n' }).map((e) => e.code)).toEqual(["schema-format"]);
  });
});

describe("durations", () => {
  it("defaultDurationSeconds above maxDurationSeconds is refused at the default", () => {
    const errors = errorsOf({ "cedar.yaml": "cedar:\n  policies:\n    - name: p\n      maxDurationSeconds: 3600\n      defaultDurationSeconds: 7200\n      rules: []\n" });
    expect(errors.map((e) => [e.code, e.line, e.col, e.address])).toEqual([["limit-duration", 5, 31, "cedar/policies/p"]]);
    expect(errors[0]!.message).toBe("`defaultDurationSeconds` (7200) is greater than `maxDurationSeconds` (3600)");
  });

  it("equal durations, and a null default, are fine; fractions and zero are refused by the schema", () => {
    expect(errorsOf({ "cedar.yaml": "cedar:\n  policies:\n    - name: p\n      maxDurationSeconds: 60\n      defaultDurationSeconds: 60\n      rules: []\n    - name: q\n      maxDurationSeconds: 60\n      defaultDurationSeconds: null\n      rules: []\n" })).toEqual([]);
    expect(errorsOf({ "cedar.yaml": "cedar:\n  policies:\n    - name: p\n      maxDurationSeconds: 1.5\n      rules: []\n    - name: q\n      maxDurationSeconds: 0\n      rules: []\n" }).map((e) => e.code)).toEqual(["schema-type", "schema-range"]);
  });
});

describe("request bodies: at most 1 MB", () => {
  it("a description that makes the body too big is refused at the description", () => {
    const errors = errorsOf({ "org.yaml": `organization:\n  policies:\n    - name: p\n      description: ${"d".repeat(MAX_BODY_BYTES)}\n      permissions: []\n` });
    expect(errors.map((e) => [e.code, e.line, e.col, e.address])).toEqual([["limit-body", 4, 20, "organization/policies/p"]]);
    expect(errors[0]!.message).toMatch(/^the request that writes organization\/policies\/p would be 1,048,6\d\d bytes, over the services' limit of 1 MB \(1,048,576 bytes\); `description` alone is/);
  });

  it("a rule in a .cedar file whose text is too big is refused at the rule, in that file", () => {
    const big = `permit(principal, action, resource) when { context.x == "${"x".repeat(MAX_BODY_BYTES)}" };`;
    const d = tempDir(undefined, { "cedar.yaml": "cedar:\n  policies:\n    - name: p\n      maxDurationSeconds: 60\n      rules: { file: ./p.cedar }\n", "p.cedar": `permit(principal, action, resource);\n${big}\n` });
    const errors = validateDesiredState(d, { env: {} }).diagnostics.filter((x) => x.severity === "error");
    expect(errors.map((e) => [e.code, e.file, e.line, e.col, e.address])).toEqual([["limit-body", join(d, "p.cedar"), 2, 1, "cedar/policies/p/rules/2"]]);
    expect(errors[0]!.message).toContain("`policy_text` alone is");
  });

  it("just under the limit is fine", () => {
    expect(errorsOf({ "org.yaml": `organization:\n  policies:\n    - name: p\n      description: ${"d".repeat(MAX_BODY_BYTES - 200)}\n      permissions: []\n` })).toEqual([]);
  });
});

describe("agreement with the emulator's limits", () => {
  let em: EmulatorHandle;
  beforeAll(async () => {
    em = await startEmulator({ port: 0, rbacKey: "limits-key" });
  });
  afterAll(() => em?.close());

  const create = (name: string, description?: string) =>
    fetch(`${em.url}/v1/organization/policies`, {
      method: "POST",
      headers: { CONFIDENT_API_KEY: "limits-key", "content-type": "application/json" },
      body: JSON.stringify({ name, permissionIds: [], ...(description === undefined ? {} : { description }) }),
    }).then((r) => r.status);
  const validates = (name: string, description = "x") => errorsOf({ "org.yaml": `organization:\n  policies:\n    - name: ${JSON.stringify(name)}\n      description: ${description}\n      permissions: []\n` }).length === 0;

  it("the body limit is the emulator's", () => {
    expect(MAX_BODY_BYTES).toBe(EMULATOR_MAX_BODY_BYTES);
  });

  it.each([
    ["256 ASCII characters", long(256)],
    ["256 emoji (512 UTF-16 code units)", "🔥".repeat(256)],
    ["257 ASCII characters", long(257)],
    ["256 emoji and one letter", `${"🔥".repeat(256)}a`],
    ["256 characters and a trailing space", `${long(256)} `],
  ])("%s: validate and the emulator say the same", async (_what, name) => {
    const status = await create(name);
    const accepted = status >= 200 && status < 300;
    expect(validates(name)).toBe(accepted);
  });

  it("a body validate accepts, the emulator accepts; one it refuses for size, the emulator refuses with 413", async () => {
    const under = "d".repeat(MAX_BODY_BYTES - 200);
    expect(validates("under", under)).toBe(true);
    expect(await create("under", under)).toBe(200);
    const over = "d".repeat(MAX_BODY_BYTES);
    expect(validates("over", over)).toBe(false);
    expect(await create("over", over)).toBe(413);
  });
});
