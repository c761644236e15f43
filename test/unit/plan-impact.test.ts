/**
 * Access impact (docs/plan-and-apply.md#access-impact; issue 6, acceptance 2; issue 13), through the pure impact stage
 * `computeImpact(changes, pairings, desired)` fed by the diff (and `--only`): per changed role the effective
 * permissions (role → policies → permissions) gained and lost, with how many members hold it; per access test,
 * the decision on the live rules and on the rules after the changes when they differ. No change, no impact.
 */
import { describe, expect, it } from "vitest";
import { compilePattern, formatAddress } from "../../src/address/address.js";
import type { DesiredState } from "../../src/desired/types.js";
import type { LiveState } from "../../src/live/types.js";
import { diff } from "../../src/plan/diff.js";
import { computeImpact } from "../../src/plan/impact.js";
import type { Impact } from "../../src/plan/model.js";
import { selectChanges } from "../../src/plan/only.js";
import { composePlan } from "../../src/flow/compose-plan.js";
import {
  dCedarPolicy,
  desired,
  dPolicy,
  dProject,
  dRole,
  dScope,
  lCedarPolicy,
  live,
  lMembers,
  loc,
  lPolicy,
  lProjects,
  lRole,
  lRule,
  lScope,
  type SettingsSpec,
} from "../helpers/builders.js";

const SB = "Support Bot";

/** diff → select (`--only`) → impact, as `composePlan` wires them. */
function impactOf(d: DesiredState, l: LiveState, only: string[] = []): Impact {
  const found = diff(d, l);
  expect(found.diagnostics).toEqual([]);
  expect(found.liveErrors).toEqual([]);
  const selected = selectChanges(found.changes, only.map(compilePattern));
  expect(selected.errors).toEqual([]);
  return computeImpact(selected.changes, found.pairings, d);
}

function withTests(d: DesiredState, cases: { name: string; principal: string; expect?: "allow" | "deny"; context?: Record<string, unknown> }[], entities?: unknown): DesiredState {
  d.cedar!.tests = {
    cases: cases.map((c) => ({
      name: c.name,
      principal: c.principal,
      action: 'Action::"request_access"',
      resource: 'AwsAccount::"prod"',
      context: c.context ?? {},
      expect: c.expect ?? "allow",
      loc: loc("cedar/access.yaml"),
    })),
    ...(entities === undefined ? {} : { entities: { path: "entities.json", value: entities, loc: loc("cedar/access.yaml") } }),
  };
  return d;
}

describe("RBAC: roles → policies → permissions", () => {
  // Live: "Read" grants user:read; three roles use it (two also use "Billing"); a fourth does not.
  const liveOrg = () =>
    lScope({
      policies: [lPolicy("p-read", "Read", ["user:read"]), lPolicy("p-bill", "Billing", ["billing:read", "user:read"]), lPolicy("p-other", "Other", ["iam:read"])],
      roles: [
        lRole("r-a", "A", ["p-read"]),
        lRole("r-b", "B", ["p-read", "p-bill"]),
        lRole("r-c", "C", ["p-read"]),
        lRole("r-d", "D", ["p-other"]),
      ],
      members: [...lMembers("r-a", ["a1@x.test", "a2@x.test", "a3@x.test"]), ...lMembers("r-b", ["b1@x.test"])],
    });
  const policies = (readPerms: string[]) => [dPolicy("Read", readPerms), dPolicy("Billing", ["billing:read", "user:read"]), dPolicy("Other", ["iam:read"])];

  it("a policy gaining a permission shows up on every role that uses it, with member counts (roles declared)", () => {
    const d = desired({
      organization: dScope({
        policies: policies(["user:read", "user:manage"]),
        roles: [dRole("A", ["Read"]), dRole("B", ["Read", "Billing"]), dRole("C", ["Read"]), dRole("D", ["Other"])],
      }),
    });
    const impact = impactOf(d, live({ organization: liveOrg() }));
    expect(impact.roles).toEqual([
      { address: "organization/roles/A", gained: ["user:manage"], lost: [], members: 3 },
      { address: "organization/roles/B", gained: ["user:manage"], lost: [], members: 1 },
      { address: "organization/roles/C", gained: ["user:manage"], lost: [], members: 0 },
    ]);
    expect(impact.tests).toEqual([]);
  });

  it("… and when the roles are not managed (only the policy changes)", () => {
    const d = desired({ organization: dScope({ policies: policies(["user:read", "user:manage"]) }) });
    const impact = impactOf(d, live({ organization: liveOrg() }));
    expect(impact.roles.map((r) => [r.address, r.gained, r.lost, r.members])).toEqual([
      ["organization/roles/A", ["user:manage"], [], 3],
      ["organization/roles/B", ["user:manage"], [], 1],
      ["organization/roles/C", ["user:manage"], [], 0],
    ]);
  });

  it("member counts are left out when members were not read", () => {
    const l = liveOrg();
    delete l.members;
    const d = desired({ organization: dScope({ policies: policies(["user:read", "user:manage"]) }) });
    const impact = impactOf(d, live({ organization: l }));
    expect(impact.roles).toHaveLength(3);
    for (const r of impact.roles) expect(r).not.toHaveProperty("members");
  });

  it("the same in a project scope, with project addresses", () => {
    const scope = lScope({
      system: ["Owner", "Manager", "Member"],
      policies: [lPolicy("sp-1", "View traces", ["trace:read"])],
      roles: [lRole("sr-1", "Analyst", ["sp-1"]), lRole("sr-2", "Viewer", ["sp-1"])],
      members: lMembers("sr-2", ["v@x.test", "w@x.test"]),
    });
    const d = desired({ projects: [dProject(SB, { policies: [dPolicy("View traces", ["trace:read", "span:read"], { project: SB })] })] });
    const impact = impactOf(d, live({ projects: lProjects({ [SB]: scope }) }));
    expect(impact.roles).toEqual([
      { address: "projects/Support Bot/roles/Analyst", gained: ["span:read"], lost: [], members: 0 },
      { address: "projects/Support Bot/roles/Viewer", gained: ["span:read"], lost: [], members: 2 },
    ]);
  });

  it("a role losing a policy loses exactly the permissions no other of its policies grants", () => {
    const d = desired({
      organization: dScope({
        policies: policies(["user:read"]),
        // B drops Billing: loses billing:read, keeps user:read (Read grants it too).
        roles: [dRole("A", ["Read"]), dRole("B", ["Read"]), dRole("C", ["Read"]), dRole("D", ["Other"])],
      }),
    });
    const impact = impactOf(d, live({ organization: liveOrg() }));
    expect(impact.roles).toEqual([{ address: "organization/roles/B", gained: [], lost: ["billing:read"], members: 1 }]);
  });

  it("a deleted role loses everything it had", () => {
    const d = desired({
      organization: dScope({ policies: policies(["user:read"]), roles: [dRole("A", ["Read"]), dRole("C", ["Read"]), dRole("D", ["Other"])] }),
    });
    const impact = impactOf(d, live({ organization: liveOrg() }));
    expect(impact.roles).toEqual([{ address: "organization/roles/B", gained: [], lost: ["billing:read", "user:read"], members: 1 }]);
  });

  it("a deleted policy: roles outside the managed collections lose what only it granted", () => {
    const d = desired({ organization: dScope({ policies: [dPolicy("Read", ["user:read"]), dPolicy("Other", ["iam:read"])] }) });
    const impact = impactOf(d, live({ organization: liveOrg() }));
    // B keeps user:read through Read.
    expect(impact.roles).toEqual([{ address: "organization/roles/B", gained: [], lost: ["billing:read"], members: 1 }]);
  });

  it("a renamed policy keeps its roles' permissions (roles declared with the new name, or not managed)", () => {
    const renamed = [dPolicy("Readers", ["user:read"], { previousNames: ["Read"] }), dPolicy("Billing", ["billing:read", "user:read"]), dPolicy("Other", ["iam:read"])];
    const declared = desired({
      organization: dScope({ policies: renamed, roles: [dRole("A", ["Readers"]), dRole("B", ["Readers", "Billing"]), dRole("C", ["Readers"]), dRole("D", ["Other"])] }),
    });
    expect(impactOf(declared, live({ organization: liveOrg() })).roles).toEqual([]);
    const unmanaged = desired({ organization: dScope({ policies: renamed }) });
    expect(impactOf(unmanaged, live({ organization: liveOrg() })).roles).toEqual([]);
  });

  it("a renamed role keeps its members and shows only what really changes", () => {
    const d = desired({
      organization: dScope({
        policies: policies(["user:read"]),
        roles: [dRole("Alpha", ["Read", "Other"], { previousNames: ["A"] }), dRole("B", ["Read", "Billing"]), dRole("C", ["Read"]), dRole("D", ["Other"])],
      }),
    });
    expect(impactOf(d, live({ organization: liveOrg() })).roles).toEqual([{ address: "organization/roles/Alpha", gained: ["iam:read"], lost: [], members: 3 }]);
  });

  it("a new role gains everything its policies grant; no member count (no one holds it yet)", () => {
    const d = desired({
      organization: dScope({
        policies: policies(["user:read"]),
        roles: [dRole("A", ["Read"]), dRole("B", ["Read", "Billing"]), dRole("C", ["Read"]), dRole("D", ["Other"]), dRole("E", ["Billing", "Other"])],
      }),
    });
    const impact = impactOf(d, live({ organization: liveOrg() }));
    expect(impact.roles).toHaveLength(1);
    expect(impact.roles[0]).toMatchObject({ address: "organization/roles/E", gained: ["billing:read", "iam:read", "user:read"], lost: [] });
    expect(impact.roles[0]!.members ?? 0).toBe(0);
  });

  it("a role swapping policies that grant the same permissions: no impact", () => {
    const d = desired({
      organization: dScope({
        policies: [...policies(["user:read"]), dPolicy("Read too", ["user:read"])],
        roles: [dRole("A", ["Read too"]), dRole("B", ["Read", "Billing"]), dRole("C", ["Read"]), dRole("D", ["Other"])],
      }),
    });
    expect(impactOf(d, live({ organization: liveOrg() })).roles).toEqual([]);
  });

  it("system roles are never counted as deleted", () => {
    const d = desired({ organization: dScope({ policies: policies(["user:read"]), roles: [] }) });
    const impact = impactOf(d, live({ organization: liveOrg() }));
    expect(impact.roles.map((r) => r.address)).toEqual(["organization/roles/A", "organization/roles/B", "organization/roles/C", "organization/roles/D"]);
  });

  it("an ignored live role is no change, so no impact: not a loss above \"No changes.\"", () => {
    // `roles: []` is authoritative, but `ignore` keeps the legacy role out of the diff: nothing is deleted.
    const d = desired({ organization: dScope({ policies: policies(["user:read"]), roles: [] }), settings: { ignore: ["organization/roles/*"] } });
    const plan = composePlan(d, live({ organization: liveOrg() }), { targets: { local: true } });
    expect(plan.changes).toEqual([]);
    expect(plan.impact).toEqual({ roles: [], tests: [] });
    expect(impactOf(d, live({ organization: liveOrg() })).roles).toEqual([]);
  });

  it("an owns-excluded live role is not ours to delete, so no impact", () => {
    // Only `team-*` roles are ours: A..D are left alone although `roles: []` declares none of them.
    const d = desired({ organization: dScope({ policies: policies(["user:read"]), roles: [] }), settings: { owns: ["organization/roles/team-*"] } });
    const plan = composePlan(d, live({ organization: liveOrg() }), { targets: { local: true } });
    expect(plan.changes).toEqual([]);
    expect(plan.impact).toEqual({ roles: [], tests: [] });
  });

  it("… while the owned ones are deleted and lose what they held", () => {
    const d = desired({ organization: dScope({ policies: policies(["user:read"]), roles: [] }), settings: { owns: ["organization/roles/B"] } });
    const plan = composePlan(d, live({ organization: liveOrg() }), { targets: { local: true } });
    expect(plan.changes.map((c) => `${c.kind} ${formatAddress(c.address)}`)).toEqual(["delete organization/roles/B"]);
    expect(plan.impact.roles).toEqual([{ address: "organization/roles/B", gained: [], lost: ["billing:read", "user:read"], members: 1 }]);
  });

  it("an ignored role still using a managed policy that changes: the policy's change reaches it", () => {
    const d = desired({ organization: dScope({ policies: policies(["user:read", "user:manage"]) }), settings: { ignore: ["organization/roles/A"] } });
    const impact = impactOf(d, live({ organization: liveOrg() }));
    expect(impact.roles.map((r) => r.address)).toEqual(["organization/roles/A", "organization/roles/B", "organization/roles/C"]);
  });

  it("--only: the impact covers the selected changes alone", () => {
    // Two changes: "Read" gains user:manage (A, B, C gain it), and B drops "Billing" (B loses billing:read).
    const d = desired({
      organization: dScope({
        policies: policies(["user:read", "user:manage"]),
        roles: [dRole("A", ["Read"]), dRole("B", ["Read"]), dRole("C", ["Read"]), dRole("D", ["Other"])],
      }),
    });
    const l = live({ organization: liveOrg() });
    expect(impactOf(d, l).roles).toEqual([
      { address: "organization/roles/A", gained: ["user:manage"], lost: [], members: 3 },
      { address: "organization/roles/B", gained: ["user:manage"], lost: ["billing:read"], members: 1 },
      { address: "organization/roles/C", gained: ["user:manage"], lost: [], members: 0 },
    ]);
    expect(impactOf(d, l, ["organization/roles/*"]).roles).toEqual([{ address: "organization/roles/B", gained: [], lost: ["billing:read"], members: 1 }]);
    expect(impactOf(d, l, ["organization/policies/*"]).roles.map((r) => [r.address, r.gained, r.lost])).toEqual([
      ["organization/roles/A", ["user:manage"], []],
      ["organization/roles/B", ["user:manage"], []],
      ["organization/roles/C", ["user:manage"], []],
    ]);
    const plan = composePlan(d, l, { targets: { local: true }, only: [compilePattern("organization/roles/*")], onlySources: ["organization/roles/*"] });
    expect(plan.impact.roles).toEqual([{ address: "organization/roles/B", gained: [], lost: ["billing:read"], members: 1 }]);
  });

  it("the plan carries the same impact (composePlan)", () => {
    const d = desired({ organization: dScope({ policies: policies(["user:read", "user:manage"]) }) });
    const l = live({ organization: liveOrg() });
    expect(composePlan(d, l, { targets: { local: true } }).impact).toEqual(impactOf(d, l));
  });
});

describe("Cedar: access tests whose decision flips", () => {
  const ALICE = 'User::"alice"';
  const permitAlice = 'permit(principal == User::"alice", action == Action::"request_access", resource);';
  const forbidNoTicket = "forbid(principal, action, resource) unless { context has ticket };";

  it("desired rules add a forbid: the test flips allow → deny (and an unaffected test is not listed)", () => {
    const l = live({ cedar: [lCedarPolicy("c1", "prod", [lRule("r1", 1, permitAlice), lRule("r2", 2, 'permit(principal == User::"bob", action, resource);')])] });
    const d = withTests(
      desired({ cedar: [dCedarPolicy("prod", [permitAlice, 'permit(principal == User::"bob", action, resource);', forbidNoTicket])] }),
      [
        { name: "alice without ticket", principal: ALICE },
        { name: "alice with ticket", principal: ALICE, context: { ticket: "INC-1" } },
        { name: "bob with ticket", principal: 'User::"bob"', context: { ticket: "INC-2" } },
      ],
    );
    expect(impactOf(d, l).tests).toEqual([{ name: "alice without ticket", live: "allow", desired: "deny" }]);
  });

  it("deny → allow when a permit is added; nothing when the rules are equal", () => {
    const l = live({ cedar: [lCedarPolicy("c1", "prod", [])] });
    const d = withTests(desired({ cedar: [dCedarPolicy("prod", [permitAlice])] }), [{ name: "alice", principal: ALICE }]);
    expect(impactOf(d, l).tests).toEqual([{ name: "alice", live: "deny", desired: "allow" }]);
    const same = live({ cedar: [lCedarPolicy("c1", "prod", [lRule("r1", 1, permitAlice)])] });
    expect(impactOf(d, same).tests).toEqual([]);
  });

  it("priority and enabled take part: a left-out `enabled` keeps the live value (disabled stays disabled)", () => {
    const l = live({ cedar: [lCedarPolicy("c1", "prod", [lRule("r1", 1, permitAlice)], { enabled: false })] });
    const d = withTests(desired({ cedar: [dCedarPolicy("prod", [permitAlice])] }), [{ name: "alice", principal: ALICE }]);
    expect(impactOf(d, l).tests).toEqual([]);
    const enabling = withTests(desired({ cedar: [dCedarPolicy("prod", [permitAlice], { enabled: true })] }), [{ name: "alice", principal: ALICE }]);
    expect(impactOf(enabling, l).tests).toEqual([{ name: "alice", live: "deny", desired: "allow" }]);
    // A higher-priority permit in another managed policy overrides a forbid: raising the forbid's priority flips it.
    const two = live({ cedar: [lCedarPolicy("c1", "allow", [lRule("r1", 1, permitAlice)], { priority: 5 }), lCedarPolicy("c2", "deny", [lRule("r2", 1, 'forbid(principal == User::"alice", action, resource);')], { priority: 1 })] });
    const raised = withTests(desired({ cedar: [dCedarPolicy("allow", [permitAlice]), dCedarPolicy("deny", ['forbid(principal == User::"alice", action, resource);'], { priority: 9 })] }), [{ name: "alice", principal: ALICE }]);
    expect(impactOf(raised, two).tests).toEqual([{ name: "alice", live: "allow", desired: "deny" }]);
  });

  it("unmanaged live Cedar policies take part on both sides (owns: not ours, so it stays)", () => {
    // "team-b-guard" (not ours under owns team-a-*) forbids alice at a higher priority: she is denied live and desired.
    const l = live({
      cedar: [
        lCedarPolicy("c1", "team-a-prod", [lRule("r1", 1, permitAlice)]),
        lCedarPolicy("c2", "team-b-guard", [lRule("r2", 1, 'forbid(principal == User::"alice", action, resource);')], { priority: 100 }),
      ],
    });
    const tests = [{ name: "alice", principal: ALICE }];
    const owns: SettingsSpec = { owns: ["cedar/policies/team-a-*"] };
    // The desired rules drop alice's permit: without the other team's forbid this would flip allow → deny.
    const d = withTests(desired({ cedar: [dCedarPolicy("team-a-prod", ['permit(principal == User::"bob", action, resource);'])], settings: owns }), tests);
    expect(impactOf(d, l).tests).toEqual([]);
    // And the other way: an unmanaged permit keeps allowing what the managed policy stops allowing.
    const l2 = live({
      cedar: [lCedarPolicy("c1", "team-a-prod", [lRule("r1", 1, permitAlice)]), lCedarPolicy("c2", "team-b-open", [lRule("r2", 1, permitAlice)])],
    });
    expect(impactOf(d, l2).tests).toEqual([]);
  });

  it("without owns the undeclared live policy is deleted, so the decision flips", () => {
    const l = live({
      cedar: [lCedarPolicy("c1", "team-a-prod", [lRule("r1", 1, 'permit(principal == User::"bob", action, resource);')]), lCedarPolicy("c2", "team-b-open", [lRule("r2", 1, permitAlice)])],
    });
    const d = withTests(desired({ cedar: [dCedarPolicy("team-a-prod", ['permit(principal == User::"bob", action, resource);'])] }), [{ name: "alice", principal: ALICE }]);
    expect(impactOf(d, l).tests).toEqual([{ name: "alice", live: "allow", desired: "deny" }]);
    // owns respected: team-b-open matches owns → ours → deleted → flips; not matching owns → kept → no flip.
    const ours = withTests(desired({ cedar: [dCedarPolicy("team-a-prod", ['permit(principal == User::"bob", action, resource);'])], settings: { owns: ["cedar/policies/team-*"] } }), [{ name: "alice", principal: ALICE }]);
    expect(impactOf(ours, l).tests).toEqual([{ name: "alice", live: "allow", desired: "deny" }]);
    const notOurs = withTests(desired({ cedar: [dCedarPolicy("team-a-prod", ['permit(principal == User::"bob", action, resource);'])], settings: { owns: ["cedar/policies/team-a-*"] } }), [{ name: "alice", principal: ALICE }]);
    expect(impactOf(notOurs, l).tests).toEqual([]);
    // ignore: an ignored live policy is never deleted.
    const ignored = withTests(desired({ cedar: [dCedarPolicy("team-a-prod", ['permit(principal == User::"bob", action, resource);'])], settings: { ignore: ["cedar/policies/team-b-*"] } }), [{ name: "alice", principal: ALICE }]);
    expect(impactOf(ignored, l).tests).toEqual([]);
  });

  it("a renamed Cedar policy: its live rules are the 'before' side, under the old name", () => {
    const l = live({ cedar: [lCedarPolicy("c1", "old", [lRule("r1", 1, permitAlice)])] });
    const same = withTests(desired({ cedar: [dCedarPolicy("new", [permitAlice], { previousNames: ["old"] })] }), [{ name: "alice", principal: ALICE }]);
    expect(impactOf(same, l).tests).toEqual([]);
  });

  it("a renamed Cedar policy with `enabled`/`priority` left out keeps its live values (the rename is a PATCH of the name)", () => {
    // Live "old" is disabled: alice is denied. The rename leaves `enabled` out, so after apply it is still disabled.
    const l = live({ cedar: [lCedarPolicy("c1", "old", [lRule("r1", 1, permitAlice)], { enabled: false })] });
    const renamed = withTests(desired({ cedar: [dCedarPolicy("new", [permitAlice], { previousNames: ["old"] })] }), [{ name: "alice", principal: ALICE }]);
    // The plan agrees: the rename changes only the name.
    const plan = composePlan(renamed, l, { targets: { local: true } });
    expect(plan.changes.map((c) => `${c.kind} ${formatAddress(c.address)} ${JSON.stringify(c.fields.map((f) => f.field))}`)).toEqual(['rename cedar/policies/new ["name"]']);
    expect(impactOf(renamed, l).tests).toEqual([]);
  });

  it("--only: only the selected Cedar policies' changes are applied on the 'after' side", () => {
    const l = live({ cedar: [lCedarPolicy("c1", "a", [lRule("r1", 1, permitAlice)]), lCedarPolicy("c2", "b", [])] });
    // "a" drops alice's permit (allow → deny), "b" adds it back: together no flip; each alone flips one way.
    const d = withTests(desired({ cedar: [dCedarPolicy("a", []), dCedarPolicy("b", [permitAlice])] }), [{ name: "alice", principal: ALICE }]);
    expect(impactOf(d, l).tests).toEqual([]);
    expect(impactOf(d, l, ["cedar/policies/a"]).tests).toEqual([{ name: "alice", live: "allow", desired: "deny" }]);
    expect(impactOf(d, l, ["cedar/policies/b"]).tests).toEqual([]);
  });

  it("an ignored live Cedar policy keeps deciding on both sides (it is never deleted)", () => {
    const l = live({ cedar: [lCedarPolicy("c1", "mine", []), lCedarPolicy("c2", "legacy-open", [lRule("r1", 1, permitAlice)])] });
    const d = withTests(desired({ cedar: [dCedarPolicy("mine", [])], settings: { ignore: ["cedar/policies/legacy-*"] } }), [{ name: "alice", principal: ALICE }]);
    const plan = composePlan(d, l, { targets: { local: true } });
    expect(plan.changes).toEqual([]);
    expect(plan.impact).toEqual({ roles: [], tests: [] });
  });

  it("group membership from the entities file counts", () => {
    const entities = [
      { uid: { type: "User", id: "alice" }, attrs: {}, parents: [{ type: "Group", id: "sre" }] },
      { uid: { type: "Group", id: "sre" }, attrs: {}, parents: [] },
    ];
    const l = live({ cedar: [lCedarPolicy("c1", "prod", [lRule("r1", 1, 'permit(principal in Group::"sre", action, resource);')])] });
    const d = withTests(desired({ cedar: [dCedarPolicy("prod", ['permit(principal in Group::"sre", action, resource);', 'forbid(principal in Group::"sre", action, resource) when { context.duration_seconds > 3600 };'])] }), [
      { name: "sre for a day", principal: ALICE, context: { duration_seconds: 86400 } },
      { name: "sre for an hour", principal: ALICE, context: { duration_seconds: 3600 } },
    ], entities);
    expect(impactOf(d, l).tests).toEqual([{ name: "sre for a day", live: "allow", desired: "deny" }]);
  });

  it("no tests, or Cedar unmanaged: no test impact", () => {
    const l = live({ cedar: [lCedarPolicy("c1", "prod", [])] });
    expect(impactOf(desired({ cedar: [dCedarPolicy("prod", [permitAlice])] }), l).tests).toEqual([]);
    expect(impactOf(desired({}), l)).toEqual({ roles: [], tests: [] });
  });
});
