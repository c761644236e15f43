/**
 * The live addresses a `protect` / `ignore` / `owns` pattern is checked against include each live Cedar policy's
 * rules: a pattern naming a live rule that the files dropped protects it (the guard refuses the delete), so it must
 * not be reported as protecting nothing — nor stop the plan under `--deny-warnings`. Addresses come from the real
 * `diff` pairings and the real enumerations, not from a hand-made list.
 */
import { describe, expect, it } from "vitest";
import { formatAddress } from "../../src/address/address.js";
import { composePlan } from "../../src/flow/compose-plan.js";
import { diff } from "../../src/plan/diff.js";
import { liveAddresses } from "../../src/plan/managed-addresses.js";
import { declaredAddresses, unmatchedPatterns } from "../../src/plan/unmatched-patterns.js";
import { dCedarPolicy, desired, lCedarPolicy, live, lRule, type SettingsSpec } from "../helpers/builders.js";

const RULE_1 = 'permit(principal == User::"alice", action, resource);';
const RULE_2 = 'permit(principal == User::"bob", action, resource);';

/** The files keep rule 1 of `production-access`; the live policy still has rule 2 too. */
function state(s: SettingsSpec) {
  const d = desired({ cedar: [dCedarPolicy("production-access", [RULE_1])], settings: s });
  const l = live({ cedar: [lCedarPolicy("pol-prod", "production-access", [lRule("rule-1", 1, RULE_1), lRule("rule-2", 2, RULE_2)])] });
  return { d, l };
}

function unmatchedFor(s: SettingsSpec): string[] {
  const { d, l } = state(s);
  const found = diff(d, l);
  expect(found.diagnostics).toEqual([]);
  return unmatchedPatterns(d.settings, declaredAddresses(d), liveAddresses(found.pairings)).map((w) => w.message);
}

describe("live Cedar rules are addresses a pattern can name", () => {
  it("liveAddresses lists each live Cedar policy, then its rules by live ordinal", () => {
    const { d, l } = state({});
    expect(liveAddresses(diff(d, l).pairings).map(formatAddress)).toEqual([
      "cedar/policies/production-access",
      "cedar/policies/production-access/rules/1",
      "cedar/policies/production-access/rules/2",
    ]);
  });

  it("a protect, ignore or owns pattern naming a live rule the files dropped is not reported; one naming no rule still is", () => {
    const rule2 = "cedar/policies/production-access/rules/2";
    expect(unmatchedFor({ protect: [rule2] })).toEqual([]);
    expect(unmatchedFor({ ignore: [rule2] })).toEqual([]);
    expect(unmatchedFor({ owns: [rule2] })).toEqual([]);
    expect(unmatchedFor({ protect: ["cedar/policies/production-access/rules/3"] })).toEqual([
      '`protect` pattern "cedar/policies/production-access/rules/3" matches no declared object and no live object: it protects nothing',
    ]);
  });

  it("under --deny-warnings the plan goes on, and the guard protects the rule", () => {
    const { d, l } = state({ protect: ["cedar/policies/production-access/rules/2"] });
    const plan = composePlan(d, l, { targets: { local: true }, denyWarnings: true, decisions: false });
    expect(plan.warnings).toBeUndefined();
    expect(plan.guards.filter((g) => g.kind === "protected").map((g) => g.address)).toEqual(["cedar/policies/production-access/rules/2"]);
  });
});
