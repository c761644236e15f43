/**
 * Issue 15: a `protect` / `ignore` / `owns` pattern that matches no declared and no live object is a warning at the
 * pattern's place (SPEC section 1, "Addresses"), so a protection that protects nothing never passes in silence.
 */
import { describe, expect, it } from "vitest";
import type { Address } from "../../src/address/address.js";
import { compileSettings } from "../../src/desired/settings.js";
import { parseYamlFile } from "../../src/desired/yaml-file.js";
import type { RawSettings } from "../../src/desired/build-file.js";
import { unmatchedPatterns } from "../../src/plan/unmatched-patterns.js";

function settingsOf(text: string) {
  const { parsed } = parseYamlFile("settings.yaml", text);
  if (!parsed) throw new Error("did not parse");
  const raw = (parsed.value as { accessctl: RawSettings }).accessctl;
  const { settings, diagnostics } = compileSettings(raw, parsed, undefined);
  expect(diagnostics).toEqual([]);
  return settings;
}

const SETTINGS = `accessctl:
  protect: ["organization/roles/Billing Manager", "organization/roles/billing manager"]
  ignore:
    - "projects/*/roles/Legacy *"
    - cedar/policies/old-*
  owns: ["cedar/policies/team-a-*", "cedar/policies/p/rules/2"]
`;

const declared: Address[] = [
  { kind: "org-role", name: "Billing Manager" },
  { kind: "cedar-policy", name: "team-a-prod" },
];
const live: Address[] = [
  { kind: "project-role", project: "Support Bot", name: "Legacy Admin" },
  { kind: "cedar-rule", policy: "p", ordinal: 2 },
];

describe("unmatchedPatterns", () => {
  it("warns, at the pattern's place, for each pattern that matches neither a declared nor a live object", () => {
    const out = unmatchedPatterns(settingsOf(SETTINGS), declared, live);
    expect(out.map((d) => [d.severity, d.code, d.line, d.col])).toEqual([
      ["warning", "pattern-unmatched", 2, 51],
      ["warning", "pattern-unmatched", 5, 7],
    ]);
    expect(out[0]!.file).toBe("settings.yaml");
    expect(out[0]!.message).toBe('`protect` pattern "organization/roles/billing manager" matches no declared object and no live object: it protects nothing');
    expect(out[0]!.hint).toMatch(/case-sensitive/);
    expect(out[1]!.message).toContain("it ignores nothing");
  });

  it("the hint's example is an address of this state under the pattern's root, never an invented one", () => {
    const out = unmatchedPatterns(settingsOf(SETTINGS), declared, live);
    expect(out[0]!.hint).toContain("(e.g. `organization/roles/Billing Manager`)");
    expect(out[1]!.hint).toContain("(e.g. `cedar/policies/team-a-prod`)");
    const none = unmatchedPatterns(settingsOf(SETTINGS), [], []);
    expect(none[0]!.hint).not.toContain("e.g.");
  });

  it("a pattern matched by a live object only (or a declared one only) is fine", () => {
    expect(unmatchedPatterns(settingsOf(SETTINGS), [...declared, { kind: "org-role", name: "billing manager" }, { kind: "cedar-policy", name: "old-x" }], live)).toEqual([]);
  });

  it("no settings, no warnings; a large address list is walked once", () => {
    expect(unmatchedPatterns(settingsOf("accessctl: {}\n"), declared, live)).toEqual([]);
    const many: Address[] = Array.from({ length: 200_000 }, (_, i) => ({ kind: "org-policy", name: `p${i}` }));
    const out = unmatchedPatterns(settingsOf('accessctl:\n  protect: ["organization/policies/p199999", "organization/policies/nope"]\n'), many, []);
    expect(out.map((d) => d.message)).toEqual(['`protect` pattern "organization/policies/nope" matches no declared object and no live object: it protects nothing']);
  });
});
