/**
 * The guards stage, unit by unit (docs/plan-and-apply.md#guards): thresholds are per scope, the base is the scope's
 * live objects in the managed collections (ignored ones and system roles left out; a Cedar policy counts with its
 * rules), a scope below `minExisting` never trips, moves never count, renames count as updates, and deleting a
 * Cedar policy counts its rules. Changes and pairings come from the real `diff`.
 */
import { describe, expect, it } from "vitest";
import type { DesiredState } from "../../src/desired/types.js";
import type { LiveState } from "../../src/live/types.js";
import { diff } from "../../src/plan/diff.js";
import { checkGuards, existingCounts, thresholdGuards } from "../../src/plan/guards.js";
import type { Guard } from "../../src/plan/model.js";
import {
  dCedarPolicy,
  desired,
  dProject,
  dRole,
  dScope,
  lCedarPolicy,
  live,
  lPolicy,
  lProjects,
  lRole,
  lRule,
  lScope,
  SYSTEM_PROJECT_ROLES,
  type SettingsSpec,
} from "../helpers/builders.js";

const rule = (i: number): string => `permit(principal == User::"u${i}", action, resource);`;

function guardsFor(d: DesiredState, l: LiveState): Guard[] {
  const found = diff(d, l);
  expect(found.diagnostics).toEqual([]);
  expect(found.liveErrors).toEqual([]);
  return checkGuards(found.changes, found.pairings, d.settings);
}

const thresholds = (guards: Guard[]): string[] => guards.filter((g) => g.forceable).map((g) => `${g.kind} ${g.address}`);

/** `n` live custom roles R0..R(n-1); the files keep the first `keep` of them (the others are deleted). */
function roleScope(n: number, keep: number, project?: string) {
  return {
    desired: Array.from({ length: keep }, (_, i) => dRole(`R${i}`, [], project === undefined ? {} : { project })),
    live: Array.from({ length: n }, (_, i) => lRole(`${project ?? "org"}-r${i}`, `R${i}`, [])),
  };
}

describe("thresholds are per scope", () => {
  const twoScopes = (orgKeep: number, searchKeep: number, settings: SettingsSpec = {}) => {
    const org = roleScope(10, orgKeep);
    const search = roleScope(10, searchKeep, "Search");
    return guardsFor(
      desired({ organization: dScope({ roles: org.desired }), projects: [dProject("Search", { roles: search.desired })], settings }),
      live({
        organization: lScope({ roles: org.live }),
        projects: lProjects({ Search: lScope({ system: SYSTEM_PROJECT_ROLES, roles: search.live }) }),
      }),
    );
  };

  it("the organization over the limit (4 of 10), a project under it (2 of 10): one guard, for the organization", () => {
    expect(thresholds(twoScopes(6, 8))).toEqual(["threshold-delete organization"]);
  });

  it("and the other way round: the guard names the project's scope", () => {
    expect(thresholds(twoScopes(8, 6))).toEqual(["threshold-delete projects/Search"]);
  });

  it("scopes are never summed: 3 of 10 in each (6 of 20 overall) trips nothing; 4 in each trips both", () => {
    expect(thresholds(twoScopes(7, 7))).toEqual([]);
    expect(thresholds(twoScopes(6, 6))).toEqual(["threshold-delete organization", "threshold-delete projects/Search"]);
  });

  it("the message counts the scope's own objects", () => {
    const [g] = twoScopes(6, 8).filter((x) => x.forceable);
    expect(g!.message).toBe("organization: 4 of 10 objects would be deleted (40%, more than the 30% threshold)");
  });
});

describe("minExisting", () => {
  const run = (existing: number, keep: number, minExisting: number) => {
    const org = roleScope(existing, keep);
    return thresholds(guardsFor(desired({ organization: dScope({ roles: org.desired }), settings: { thresholds: { minExisting } } }), live({ organization: lScope({ roles: org.live }) })));
  };

  it("a scope holding exactly minExisting objects is checked", () => {
    expect(run(10, 0, 10)).toEqual(["threshold-delete organization"]);
  });

  it("one object fewer is never checked, even when everything goes", () => {
    expect(run(9, 0, 10)).toEqual([]);
  });

  it("system roles and ignored objects do not count towards it", () => {
    const org = roleScope(10, 0);
    const d = desired({ organization: dScope({ roles: [] }), settings: { ignore: ["organization/roles/R9"] } });
    // 3 system roles + 10 custom, one ignored: 9 counted, below 10.
    expect(thresholds(guardsFor(d, live({ organization: lScope({ roles: org.live }) })))).toEqual([]);
    expect(existingCounts(diff(d, live({ organization: lScope({ roles: org.live }) })).pairings)).toEqual(new Map([["organization", 9]]));
  });
});

describe("what counts", () => {
  it("Cedar counts policies plus their rules; ignored policies are left out", () => {
    const l = live({
      cedar: [
        lCedarPolicy("c1", "a", [lRule("a1", 1, rule(1)), lRule("a2", 2, rule(2)), lRule("a3", 3, rule(3))]),
        lCedarPolicy("c2", "b", [lRule("b1", 1, rule(4)), lRule("b2", 2, rule(5))]),
        lCedarPolicy("c3", "theirs", [lRule("t1", 1, rule(6))]),
      ],
    });
    const d = desired({ cedar: [dCedarPolicy("a", [rule(1), rule(2), rule(3)]), dCedarPolicy("b", [rule(4), rule(5)])], settings: { ignore: ["cedar/policies/theirs"] } });
    // a: 1 + 3, b: 1 + 2.
    expect(existingCounts(diff(d, l).pairings)).toEqual(new Map([["cedar", 7]]));
  });

  it("deleting a Cedar policy counts its rules: 1 + 3 of 10 trips, where the policy alone (1 of 10) would not", () => {
    const l = live({
      cedar: [
        lCedarPolicy("c1", "keep", [lRule("k1", 1, rule(1)), lRule("k2", 2, rule(2)), lRule("k3", 3, rule(3)), lRule("k4", 4, rule(4))]),
        lCedarPolicy("c2", "drop", [lRule("d1", 1, rule(5)), lRule("d2", 2, rule(6)), lRule("d3", 3, rule(7))]),
      ],
    });
    const d = desired({ cedar: [dCedarPolicy("keep", [rule(1), rule(2), rule(3), rule(4)])], settings: { thresholds: { minExisting: 1 } } });
    // existing: 2 policies + 7 rules = 9; deleted: 1 + 3 = 4 (44%).
    const guards = guardsFor(d, l);
    expect(thresholds(guards)).toEqual(["threshold-delete cedar"]);
    expect(guards[0]!.message).toContain("4 of 9");
  });

  it("moves never count: every rule of a policy moving is no update", () => {
    const texts = Array.from({ length: 10 }, (_, i) => rule(i));
    const l = live({ cedar: [lCedarPolicy("c1", "p", texts.map((t, i) => lRule(`r${i}`, i + 1, t)))] });
    const d = desired({ cedar: [dCedarPolicy("p", [...texts].reverse())], settings: { thresholds: { minExisting: 1, updatePercent: 0 } } });
    const found = diff(d, l);
    expect(found.changes.map((c) => c.kind)).toEqual(["reorder"]);
    expect(found.changes[0]!.kind === "reorder" && found.changes[0]!.moves.length).toBe(10);
    expect(thresholds(checkGuards(found.changes, found.pairings, d.settings))).toEqual([]);
  });

  it("renames count as updates", () => {
    const org = lScope({ roles: Array.from({ length: 10 }, (_, i) => lRole(`r${i}`, `R${i}`, [])) });
    const roles = Array.from({ length: 10 }, (_, i) => (i < 4 ? dRole(`New ${i}`, [], { previousNames: [`R${i}`] }) : dRole(`R${i}`, [])));
    const guards = guardsFor(desired({ organization: dScope({ roles }) }), live({ organization: org }));
    expect(thresholds(guards)).toEqual(["threshold-update organization"]);
  });

  it("counts only the changes it is given (the --only selection)", () => {
    const org = roleScope(10, 0);
    const d = desired({ organization: dScope({ roles: org.desired }) });
    const found = diff(d, live({ organization: lScope({ roles: org.live }) }));
    const three = found.changes.slice(0, 3);
    expect(thresholdGuards(three, existingCounts(found.pairings), d.settings)).toEqual([]);
    expect(thresholdGuards(found.changes.slice(0, 4), existingCounts(found.pairings), d.settings).map((g) => g.kind)).toEqual(["threshold-delete"]);
  });
});

describe("protection and preflight", () => {
  it("protect matches the change's address value; only deletes are guarded", () => {
    const d = desired({ organization: dScope({ roles: [dRole("Keep", [], { description: "x" })] }), settings: { protect: ["organization/roles/*"] } });
    const guards = guardsFor(d, live({ organization: lScope({ roles: [lRole("r1", "Keep", []), lRole("r2", "Gone", [])] }) }));
    expect(guards.map((g) => `${g.kind} ${g.address}`)).toEqual(["protected organization/roles/Gone"]);
  });

  it("a policy still used by a live role this run leaves alone is an attached-policy guard; a role this run updates is not", () => {
    const l = live({ organization: lScope({ policies: [lPolicy("pd", "Drop", ["user:read"])], roles: [lRole("rx", "X", ["pd"])] }) });
    expect(guardsFor(desired({ organization: dScope({ policies: [] }) }), l).map((g) => g.kind)).toEqual(["attached-policy"]);
    expect(guardsFor(desired({ organization: dScope({ policies: [], roles: [dRole("X", [])] }) }), l)).toEqual([]);
  });
});
