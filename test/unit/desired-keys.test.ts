/**
 * Keys are never interpolated (SPEC section 1, "Variables"; issue 15): after `${env:…}` replacement, a string that
 * contains the value of a configured target key is an invalid desired state, reported by its place and the
 * variable's name — never the value. And `escapeInterpolation` (what export writes) reads back as the same text.
 */
import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { escapeInterpolation, interpolate } from "../../src/desired/interpolate.js";
import { parseYamlFile } from "../../src/desired/yaml-file.js";
import { rng } from "../../bench/generate.js";
import { tempDir } from "../helpers/cli.js";

const KEY = "ck_live_5f2e9a1b";
const CEDAR_KEY = "cedar-key-77aa";

const ORG = `organization:
  policies:
    - name: Manage billing
      description: "\${env:CONFIDENT_API_KEY}"
      permissions: [billing:read]
  roles:
    - name: "role \${env:SOMETHING} here"
      policies: []
`;

describe("a key in a value", () => {
  it("${env:CONFIDENT_API_KEY} in a description is an error at its place, naming the variable, never the value", () => {
    const d = tempDir(undefined, { "org.yaml": ORG });
    const r = loadDesiredState(d, { env: { CONFIDENT_API_KEY: ` ${KEY} `, SOMETHING: "x" } });
    expect(r.desired).toBeUndefined();
    const errors = r.diagnostics.filter((x) => x.severity === "error");
    expect(errors.map((e) => [e.code, e.line, e.col])).toEqual([["key-in-value", 4, 20]]);
    expect(errors[0]!.message).toBe("this value contains the value of CONFIDENT_API_KEY: a key is never written to the service");
    expect(JSON.stringify(r.diagnostics)).not.toContain(KEY);
  });

  it("any variable whose value holds a key, and a key written literally, are refused too", () => {
    const d = tempDir(undefined, { "org.yaml": ORG.replace("${env:CONFIDENT_API_KEY}", `pasted ${CEDAR_KEY}`) });
    const r = loadDesiredState(d, { env: { ACCESSCTL_CEDAR_API_KEY: CEDAR_KEY, SOMETHING: `prefix-${CEDAR_KEY}` } });
    expect(r.diagnostics.map((e) => [e.code, e.line, e.message.includes("ACCESSCTL_CEDAR_API_KEY")])).toEqual([
      ["key-in-value", 4, true],
      ["key-in-value", 7, true],
    ]);
    expect(JSON.stringify(r.diagnostics)).not.toContain(CEDAR_KEY);
  });

  it("a referenced .cedar file holding a key is refused at the key that names it", () => {
    const d = tempDir(undefined, {
      "cedar.yaml": "cedar:\n  policies:\n    - name: p\n      maxDurationSeconds: 60\n      rules: { file: ./p.cedar }\n",
      "p.cedar": `permit(principal, action, resource) when { context.token == "${CEDAR_KEY}" };`,
    });
    const r = loadDesiredState(d, { env: { ACCESSCTL_CEDAR_API_KEY: CEDAR_KEY } });
    expect(r.diagnostics.map((e) => [e.code, e.line, e.col])).toEqual([["key-in-value", 5, 22]]);
    expect(JSON.stringify(r.diagnostics)).not.toContain(CEDAR_KEY);
  });

  it("unset or empty keys select nothing: the same files load", () => {
    const d = tempDir(undefined, { "org.yaml": ORG.replace("${env:CONFIDENT_API_KEY}", "plain") });
    expect(loadDesiredState(d, { env: { CONFIDENT_API_KEY: "  ", SOMETHING: "x" } }).diagnostics).toEqual([]);
  });
});

describe("escapeInterpolation", () => {
  const readBack = (text: string): { value: string; problems: number } => {
    const { parsed } = parseYamlFile("x.yaml", `organization:\n  policies:\n    - name: ${JSON.stringify(text)}\n`);
    if (!parsed) throw new Error(`no parse for ${JSON.stringify(text)}`);
    const problems = interpolate(parsed, {}).length;
    return { value: (parsed.value as { organization: { policies: { name: string }[] } }).organization.policies[0]!.name, problems };
  };

  it.each(["${env:HOME}", "a ${x} b", "$${y}", "$$${z}", "${a}${b}", "${unclosed", "$${unclosed", "}${", "${}", "$", "plain"])("%j reads back as itself", (text) => {
    expect(readBack(escapeInterpolation(text))).toEqual({ value: text, problems: 0 });
  });

  it("any text over `$`, `{`, `}` and letters reads back as itself (seeded)", () => {
    const r = rng(15);
    const alphabet = ["$", "$", "{", "}", "e", "n", "v", ":", "A"];
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + Math.floor(r() * 12) }, () => alphabet[Math.floor(r() * alphabet.length)]!).join("");
      expect(readBack(escapeInterpolation(text)), JSON.stringify(text)).toEqual({ value: text, problems: 0 });
    }
  });
});
