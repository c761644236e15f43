/**
 * Table tests for the pure plan stages (docs/plan-and-apply.md#plan, docs/file-format.md; issue 5, acceptance 1):
 * `diff(desired, live)`, then selection (`--only`), ordering and guards, as `composePlan` wires them (without its
 * throwing). Each case states the exact changes (`<kind> <address>`, in plan order) and, where it matters, their
 * fields, bodies, ids and dependencies. Unless a case says otherwise, it also asserts that there are no
 * diagnostics, live errors or `--only` errors.
 */
import { describe, expect, it } from "vitest";
import { compilePattern, formatAddress, type Pattern } from "../../src/address/address.js";
import type { DesiredState } from "../../src/desired/types.js";
import type { LiveState } from "../../src/live/types.js";
import { planChecksum } from "../../src/plan/checksum.js";
import { diff } from "../../src/plan/diff.js";
import { composePlan } from "../../src/flow/compose-plan.js";
import { checkGuards } from "../../src/plan/guards.js";
import type { Change, Guard } from "../../src/plan/model.js";
import { selectChanges } from "../../src/plan/only.js";
import { sortChanges } from "../../src/plan/order.js";
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
  permId,
  ruleFields,
  SYSTEM_PROJECT_ROLES,
} from "../helpers/builders.js";

/** The stages' outputs, problems kept as data (composePlan throws them instead). */
interface Staged {
  changes: Change[];
  guards: Guard[];
  diagnostics: ReturnType<typeof diff>["diagnostics"];
  liveErrors: string[];
  onlyErrors: string[];
}

/** diff → select → order → guards, the stages `composePlan` wires. */
function stages(d: DesiredState, l: LiveState, only: readonly Pattern[] = []): Staged {
  const found = diff(d, l);
  const selected = selectChanges(found.changes, only);
  const changes = sortChanges(selected.changes);
  return { changes, guards: checkGuards(changes, found.pairings, d.settings), diagnostics: found.diagnostics, liveErrors: found.liveErrors, onlyErrors: selected.errors };
}

interface Case {
  name: string;
  desired: DesiredState;
  live: LiveState;
  only?: string[];
  /** `<kind> <address>` of every change, in plan order; left out when the plan stops anyway (live errors). */
  changes?: string[];
  /** Set when the case expects diagnostics / live errors / only errors (then `check` asserts them). */
  problems?: boolean;
  check?: (r: Staged) => void;
}

const lines = (r: { changes: Change[] }): string[] => r.changes.map((c) => `${c.kind} ${formatAddress(c.address)}`);
const byAddress = (r: Staged, kind: string, address: string): Change => {
  const c = r.changes.find((x) => x.kind === kind && formatAddress(x.address) === address);
  if (!c) throw new Error(`no ${kind} ${address} in ${JSON.stringify(lines(r))}`);
  return c;
};
const byAddressIn = (changes: Change[], address: string): Change => {
  const c = changes.find((x) => formatAddress(x.address) === address);
  if (!c) throw new Error(`no change at ${address}`);
  return c;
};
const guardsOf = (r: Staged, kind: Guard["kind"]): Guard[] => r.guards.filter((g) => g.kind === kind);

const ORG_POLICIES = "organization/policies";
const ORG_ROLES = "organization/roles";
const SB = "projects/Support Bot";

// Cedar texts used throughout.
const PERMIT_SRE = 'permit(principal in Group::"sre", action == Action::"request_access", resource);';
const FORBID_NO_TICKET = "forbid(principal, action, resource) unless { context has ticket };";
const PERMIT_ONCALL = 'permit(principal in Group::"oncall", action, resource) when { context.duration_seconds <= 3600 };';
const FORBID_LONG = "forbid(principal, action, resource) when { context.duration_seconds > 14400 };";

const cases: Case[] = [
  // ---------------------------------------------------------------- RBAC: create / update / delete per kind
  {
    name: "create an organization policy: permissions resolved to ids, description defaulting to null",
    desired: desired({ organization: dScope({ policies: [dPolicy("Manage billing", ["billing:read", "billing:manage"])] }) }),
    live: live({ organization: lScope() }),
    changes: [`create ${ORG_POLICIES}/Manage billing`],
    check: (r) => {
      const c = r.changes[0]!;
      expect(c).toMatchObject({
        id: `create:${ORG_POLICIES}/Manage billing`,
        type: "rbac-policy",
        scope: "organization",
        dependsOn: [],
        body: {
          name: "Manage billing",
          description: null,
          permissions: [
            { name: "billing:read", id: permId("billing:read") },
            { name: "billing:manage", id: permId("billing:manage") },
          ],
        },
      });
      expect(c).not.toHaveProperty("projectId");
    },
  },
  {
    name: "update an organization policy's permissions: before/after by name, sorted; the live id kept",
    desired: desired({ organization: dScope({ policies: [dPolicy("Audit", ["user:read", "iam:read"])] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pol-1", "Audit", ["user:read", "organization:read"])] }) }),
    changes: [`update ${ORG_POLICIES}/Audit`],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({
        id: `update:${ORG_POLICIES}/Audit`,
        liveId: "pol-1",
        fields: [{ field: "permissions", before: ["organization:read", "user:read"], after: ["iam:read", "user:read"] }],
        body: { name: "Audit", description: null },
      });
    },
  },
  {
    // Every other permission case swaps an element; a set check that only looks one way would miss a pure removal.
    name: "a policy dropping a permission (live [a, b], desired [a]) is an update whose body no longer holds b",
    desired: desired({ organization: dScope({ policies: [dPolicy("Audit", ["user:read"])] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pol-1", "Audit", ["user:read", "iam:read"])] }) }),
    changes: [`update ${ORG_POLICIES}/Audit`],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ liveId: "pol-1", fields: [{ field: "permissions", before: ["iam:read", "user:read"], after: ["user:read"] }] });
      expect((r.changes[0] as { body: { permissions: unknown[] } }).body.permissions).toEqual([{ name: "user:read", id: permId("user:read") }]);
    },
  },
  {
    name: "… and the other way: a policy gaining a permission (live [a], desired [a, b]) is an update",
    desired: desired({ organization: dScope({ policies: [dPolicy("Audit", ["user:read", "iam:read"])] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pol-1", "Audit", ["user:read"])] }) }),
    changes: [`update ${ORG_POLICIES}/Audit`],
    check: (r) => expect(r.changes[0]).toMatchObject({ fields: [{ field: "permissions", before: ["user:read"], after: ["iam:read", "user:read"] }] }),
  },
  {
    name: "a role dropping a policy (live [A, B], desired [A]) is an update",
    desired: desired({
      organization: dScope({ policies: [dPolicy("A", ["user:read"]), dPolicy("B", ["iam:read"])], roles: [dRole("R", ["A"])] }),
    }),
    live: live({
      organization: lScope({ policies: [lPolicy("pol-a", "A", ["user:read"]), lPolicy("pol-b", "B", ["iam:read"])], roles: [lRole("role-r", "R", ["pol-a", "pol-b"])] }),
    }),
    changes: [`update ${ORG_ROLES}/R`],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ liveId: "role-r", fields: [{ field: "policies", before: ["A", "B"], after: ["A"] }] });
      expect((r.changes[0] as { body: { policies: unknown[] } }).body.policies).toEqual([{ name: "A", id: "pol-a" }]);
    },
  },
  {
    name: "delete an undeclared organization policy when `policies: []` is authoritative",
    desired: desired({ organization: dScope({ policies: [] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pol-1", "Old", ["billing:read"], "was here")] }) }),
    changes: [`delete ${ORG_POLICIES}/Old`],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({
        id: `delete:${ORG_POLICIES}/Old`,
        liveId: "pol-1",
        before: { name: "Old", description: "was here", permissions: [{ name: "billing:read", id: permId("billing:read") }] },
      });
    },
  },
  {
    name: "create an organization role referencing a policy created in the same run: depends on it, no id yet",
    desired: desired({
      organization: dScope({ policies: [dPolicy("Manage billing", ["billing:read"])], roles: [dRole("Billing Manager", ["Manage billing"])] }),
    }),
    live: live({ organization: lScope() }),
    changes: [`create ${ORG_POLICIES}/Manage billing`, `create ${ORG_ROLES}/Billing Manager`],
    check: (r) => {
      const role = byAddress(r, "create", `${ORG_ROLES}/Billing Manager`);
      expect(role.dependsOn).toEqual([`create:${ORG_POLICIES}/Manage billing`]);
      expect(role).toMatchObject({ body: { name: "Billing Manager", policies: [{ name: "Manage billing" }] } });
      expect((role as { body: { policies: { id?: string }[] } }).body.policies[0]!.id).toBeUndefined();
    },
  },
  {
    name: "create a role referencing a live policy of a managed scope: the live id, no dependency",
    desired: desired({
      organization: dScope({ policies: [dPolicy("Audit", ["user:read"])], roles: [dRole("Auditor", ["Audit"])] }),
    }),
    live: live({ organization: lScope({ policies: [lPolicy("pol-a", "Audit", ["user:read"])] }) }),
    changes: [`create ${ORG_ROLES}/Auditor`],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ dependsOn: [], body: { policies: [{ name: "Audit", id: "pol-a" }] } });
    },
  },
  {
    name: "update an organization role's policies: before/after by name",
    desired: desired({
      organization: dScope({ policies: [dPolicy("A", ["user:read"]), dPolicy("B", ["iam:read"])], roles: [dRole("R", ["A", "B"])] }),
    }),
    live: live({
      organization: lScope({ policies: [lPolicy("pol-a", "A", ["user:read"]), lPolicy("pol-b", "B", ["iam:read"])], roles: [lRole("role-r", "R", ["pol-a"])] }),
    }),
    changes: [`update ${ORG_ROLES}/R`],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({
        liveId: "role-r",
        dependsOn: [],
        fields: [{ field: "policies", before: ["A"], after: ["A", "B"] }],
        body: { name: "R", description: null, policies: [{ name: "A", id: "pol-a" }, { name: "B", id: "pol-b" }] },
      });
    },
  },
  {
    name: "delete an undeclared custom organization role when `roles: []`",
    desired: desired({ organization: dScope({ roles: [] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pol-a", "A", ["user:read"])], roles: [lRole("role-x", "Gone", ["pol-a"], "bye")] }) }),
    changes: [`delete ${ORG_ROLES}/Gone`],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ liveId: "role-x", before: { name: "Gone", description: "bye", policies: [{ name: "A", id: "pol-a" }] } });
    },
  },
  {
    name: "create a project policy and role: project-scoped addresses, scope key and the project's id",
    desired: desired({
      projects: [
        dProject("Support Bot", {
          policies: [dPolicy("View traces", ["trace:read", "span:read"], { project: "Support Bot" })],
          roles: [dRole("Analyst", ["View traces"], { project: "Support Bot" })],
        }),
      ],
    }),
    live: live({ projects: lProjects({ "Support Bot": lScope({ system: SYSTEM_PROJECT_ROLES }) }) }),
    changes: [`create ${SB}/policies/View traces`, `create ${SB}/roles/Analyst`],
    check: (r) => {
      for (const c of r.changes) expect(c).toMatchObject({ scope: "projects/Support Bot", projectId: "proj-support" });
      expect(r.changes[1]!.dependsOn).toEqual([`create:${SB}/policies/View traces`]);
      // Addresses are values; ids are their written form.
      expect(r.changes.map((c) => c.address)).toEqual([
        { kind: "project-policy", project: "Support Bot", name: "View traces" },
        { kind: "project-role", project: "Support Bot", name: "Analyst" },
      ]);
    },
  },
  {
    name: "update and delete project objects",
    desired: desired({
      projects: [dProject("Support Bot", { policies: [dPolicy("View", ["trace:read"], { project: "Support Bot", description: "new" })], roles: [] })],
    }),
    live: live({
      projects: lProjects({
        "Support Bot": lScope({
          system: SYSTEM_PROJECT_ROLES,
          policies: [lPolicy("pp-1", "View", ["trace:read"], "old")],
          roles: [lRole("pr-1", "Analyst", ["pp-1"])],
        }),
      }),
    }),
    changes: [`update ${SB}/policies/View`, `delete ${SB}/roles/Analyst`],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ liveId: "pp-1", projectId: "proj-support", fields: [{ field: "description", before: "old", after: "new" }] });
      expect(r.changes[1]).toMatchObject({ liveId: "pr-1", projectId: "proj-support" });
    },
  },

  // ---------------------------------------------------------------- renames
  {
    name: "rename a policy via previousNames: one rename keeping the live id, no delete or create",
    desired: desired({ organization: dScope({ policies: [dPolicy("Billing", ["billing:read"], { previousNames: ["Billing (old)"] })] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pol-7", "Billing (old)", ["billing:read"])] }) }),
    changes: [`rename ${ORG_POLICIES}/Billing`],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({
        id: `rename:${ORG_POLICIES}/Billing`,
        liveId: "pol-7",
        fromName: "Billing (old)",
        fields: [{ field: "name", before: "Billing (old)", after: "Billing" }],
        body: { name: "Billing", description: null, permissions: [{ name: "billing:read", id: permId("billing:read") }] },
      });
    },
  },
  {
    name: "rename a role via previousNames (docs/file-format.md example: Billing Admin → Billing Manager) with a description change",
    desired: desired({
      organization: dScope({ roles: [dRole("Billing Manager", [], { previousNames: ["Billing Admin"], description: "Can manage billing only" })] }),
    }),
    live: live({ organization: lScope({ roles: [lRole("role-9", "Billing Admin", [], "old text")] }) }),
    changes: [`rename ${ORG_ROLES}/Billing Manager`],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({
        liveId: "role-9",
        fromName: "Billing Admin",
        fields: [
          { field: "name", before: "Billing Admin", after: "Billing Manager" },
          { field: "description", before: "old text", after: "Can manage billing only" },
        ],
      });
    },
  },
  {
    name: "rename when both the new and the previous name are live: no rename, the new name matches, the old is deleted",
    desired: desired({ organization: dScope({ roles: [dRole("New", [], { previousNames: ["Old"] })] }) }),
    live: live({ organization: lScope({ roles: [lRole("role-old", "Old", []), lRole("role-new", "New", [])] }) }),
    changes: [`delete ${ORG_ROLES}/Old`],
    check: (r) => expect(r.changes[0]).toMatchObject({ liveId: "role-old" }),
  },
  {
    name: "rename of a project role keeps the project's live role id",
    desired: desired({ projects: [dProject("Search", { roles: [dRole("Reader", [], { project: "Search", previousNames: ["Viewer"] })] })] }),
    live: live({ projects: lProjects({ Search: lScope({ system: SYSTEM_PROJECT_ROLES, roles: [lRole("sr-1", "Viewer", [])] }) }) }),
    changes: ["rename projects/Search/roles/Reader"],
    check: (r) => expect(r.changes[0]).toMatchObject({ liveId: "sr-1", projectId: "proj-search", fromName: "Viewer" }),
  },

  // ---------------------------------------------------------------- absent vs []
  {
    name: "absent `roles` is unmanaged: live custom roles are not deleted while `policies` is managed",
    desired: desired({ organization: dScope({ policies: [dPolicy("A", ["user:read"])] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pol-a", "A", ["user:read"])], roles: [lRole("role-1", "Someone else's", ["pol-a"])] }) }),
    changes: [],
  },
  {
    name: "absent `policies` is unmanaged, `roles: []` is authoritative",
    desired: desired({ organization: dScope({ roles: [] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pol-a", "A", ["user:read"])], roles: [lRole("role-1", "R", [])] }) }),
    changes: [`delete ${ORG_ROLES}/R`],
  },
  {
    name: "a project declared with no collections manages nothing in it",
    desired: desired({ projects: [dProject("Support Bot")] }),
    live: live({ projects: lProjects({ "Support Bot": lScope({ policies: [lPolicy("pp", "P", ["trace:read"])], roles: [lRole("pr", "R", ["pp"])] }) }) }),
    changes: [],
  },
  {
    name: "`[]` per project scope: only that project's objects are deleted, not another project's or the organization's",
    desired: desired({ organization: dScope({ policies: [dPolicy("Org P", ["user:read"])] }), projects: [dProject("Search", { policies: [] })] }),
    live: live({
      organization: lScope({ policies: [lPolicy("op", "Org P", ["user:read"]), lPolicy("op2", "Org extra", ["user:read"])] }),
      projects: lProjects({
        Search: lScope({ system: SYSTEM_PROJECT_ROLES, policies: [lPolicy("sp", "Search P", ["trace:read"])] }),
        "Support Bot": lScope({ system: SYSTEM_PROJECT_ROLES, policies: [lPolicy("bp", "Bot P", ["trace:read"])] }),
      }),
    }),
    changes: [`delete ${ORG_POLICIES}/Org extra`, "delete projects/Search/policies/Search P"],
  },
  {
    name: "no `cedar.policies` key: live Cedar policies untouched",
    desired: desired({ organization: dScope({ roles: [] }) }),
    live: live({ organization: lScope(), cedar: [lCedarPolicy("c-1", "theirs", [lRule("r-1", 1, FORBID_NO_TICKET)])] }),
    changes: [],
  },
  {
    name: "`cedar.policies: []` is authoritative: every live Cedar policy is deleted",
    desired: desired({ cedar: [] }),
    live: live({ cedar: [lCedarPolicy("c-1", "a"), lCedarPolicy("c-2", "b", [lRule("r-1", 1, FORBID_NO_TICKET)])] }),
    changes: ["delete cedar/policies/a", "delete cedar/policies/b"],
  },

  // ---------------------------------------------------------------- owns / ignore / protect
  {
    name: "owns: only matching undeclared objects are deleted",
    desired: desired({ organization: dScope({ roles: [] }), settings: { owns: ["organization/roles/team-a-*"] } }),
    live: live({ organization: lScope({ roles: [lRole("r1", "team-a-dev", []), lRole("r2", "team-b-dev", []), lRole("r3", "team-a-ops", [])] }) }),
    changes: [`delete ${ORG_ROLES}/team-a-dev`, `delete ${ORG_ROLES}/team-a-ops`],
  },
  {
    name: "owns on Cedar: two repositories share one tenant",
    desired: desired({ cedar: [dCedarPolicy("team-a-prod", [])], settings: { owns: ["cedar/policies/team-a-*"] } }),
    live: live({ cedar: [lCedarPolicy("c-1", "team-a-prod"), lCedarPolicy("c-2", "team-a-old"), lCedarPolicy("c-3", "team-b-prod")] }),
    changes: ["delete cedar/policies/team-a-old"],
  },
  {
    name: "ignore: ignored live objects are never deleted",
    desired: desired({ organization: dScope({ roles: [], policies: [] }), settings: { ignore: ["organization/roles/Legacy *", "organization/policies/Legacy *"] } }),
    live: live({
      organization: lScope({ policies: [lPolicy("p1", "Legacy P", ["user:read"])], roles: [lRole("r1", "Legacy admin", ["p1"]), lRole("r2", "Other", [])] }),
    }),
    changes: [`delete ${ORG_ROLES}/Other`],
    check: (r) => expect(r.guards).toEqual([]),
  },
  {
    name: "ignore: declaring an ignored object is a diagnostic, and the ignored live object is not updated",
    desired: desired({
      organization: dScope({ roles: [dRole("Legacy admin", [], { description: "mine now", at: loc("organization.yaml", 12, 9) })] }),
      settings: { ignore: ["organization/roles/Legacy *"] },
    }),
    live: live({ organization: lScope({ roles: [lRole("r1", "Legacy admin", [], "theirs")] }) }),
    changes: [],
    problems: true,
    check: (r) => {
      expect(r.diagnostics).toHaveLength(1);
      expect(r.diagnostics[0]).toMatchObject({ code: "declared-ignored", file: "organization.yaml", line: 12, col: 9, address: `${ORG_ROLES}/Legacy admin` });
      expect(r.liveErrors).toEqual([]);
    },
  },
  {
    name: "ignore on Cedar policies: an ignored live policy is neither deleted nor counted",
    desired: desired({ cedar: [], settings: { ignore: ["cedar/policies/managed-by-*"] } }),
    live: live({ cedar: [lCedarPolicy("c-1", "managed-by-sec", [lRule("r", 1, FORBID_NO_TICKET)]), lCedarPolicy("c-2", "stray")] }),
    changes: ["delete cedar/policies/stray"],
  },
  {
    name: "protect: the delete is still planned, with a `protected` guard that --force cannot override",
    desired: desired({ organization: dScope({ roles: [] }), settings: { protect: ["organization/roles/Billing Manager"] } }),
    live: live({ organization: lScope({ roles: [lRole("r-bm", "Billing Manager", [])] }) }),
    changes: [`delete ${ORG_ROLES}/Billing Manager`],
    check: (r) => {
      expect(r.guards).toHaveLength(1);
      expect(r.guards[0]).toMatchObject({ kind: "protected", address: `${ORG_ROLES}/Billing Manager`, forceable: false });
    },
  },
  {
    name: "protect: a declared protected object yields no guard",
    desired: desired({ organization: dScope({ roles: [dRole("Billing Manager", [])] }), settings: { protect: ["organization/roles/Billing Manager"] } }),
    live: live({ organization: lScope({ roles: [lRole("r-bm", "Billing Manager", [])] }) }),
    changes: [],
    check: (r) => expect(r.guards).toEqual([]),
  },

  // ---------------------------------------------------------------- optional fields
  {
    name: "description left out keeps the live value",
    desired: desired({ organization: dScope({ policies: [dPolicy("A", ["user:read"])], roles: [dRole("R", ["A"])] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pa", "A", ["user:read"], "live text")], roles: [lRole("rr", "R", ["pa"], "live role text")] }) }),
    changes: [],
  },
  {
    name: "description left out on an otherwise changed policy: the PUT body carries the live description",
    desired: desired({ organization: dScope({ policies: [dPolicy("A", ["user:read", "iam:read"])] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pa", "A", ["user:read"], "keep me")] }) }),
    changes: [`update ${ORG_POLICIES}/A`],
    check: (r) => {
      expect(r.changes[0]!.fields.map((f) => f.field)).toEqual(["permissions"]);
      expect(r.changes[0]).toMatchObject({ body: { description: "keep me" } });
    },
  },
  {
    name: "description: null clears it",
    desired: desired({ organization: dScope({ roles: [dRole("R", [], { description: null })] }) }),
    live: live({ organization: lScope({ roles: [lRole("rr", "R", [], "old")] }) }),
    changes: [`update ${ORG_ROLES}/R`],
    check: (r) => expect(r.changes[0]).toMatchObject({ fields: [{ field: "description", before: "old", after: null }], body: { description: null } }),
  },
  {
    name: "description: null against a live null is no change",
    desired: desired({ organization: dScope({ roles: [dRole("R", [], { description: null })] }) }),
    live: live({ organization: lScope({ roles: [lRole("rr", "R", [], null)] }) }),
    changes: [],
  },
  {
    name: "description string sets it",
    desired: desired({ organization: dScope({ policies: [dPolicy("A", ["user:read"], { description: "new" })] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pa", "A", ["user:read"], null)] }) }),
    changes: [`update ${ORG_POLICIES}/A`],
    check: (r) => expect(r.changes[0]).toMatchObject({ fields: [{ field: "description", before: null, after: "new" }], body: { description: "new" } }),
  },

  // ---------------------------------------------------------------- permissions and references
  {
    name: "permissions compare as sets: another order is no change",
    desired: desired({ organization: dScope({ policies: [dPolicy("A", ["iam:read", "user:read", "billing:read"])] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pa", "A", ["billing:read", "user:read", "iam:read"])] }) }),
    changes: [],
  },
  {
    name: "role policies compare as sets: another order is no change",
    desired: desired({ organization: dScope({ policies: [dPolicy("A", ["user:read"]), dPolicy("B", ["iam:read"])], roles: [dRole("R", ["B", "A"])] }) }),
    live: live({
      organization: lScope({ policies: [lPolicy("pa", "A", ["user:read"]), lPolicy("pb", "B", ["iam:read"])], roles: [lRole("rr", "R", ["pa", "pb"])] }),
    }),
    changes: [],
  },
  {
    name: "unknown permission → a diagnostic at the permission's file:line:col, naming the policy",
    desired: desired({
      organization: dScope({ policies: [dPolicy("A", ["billing:read", "billing:fly"], { itemAt: { "billing:fly": loc("organization.yaml", 7, 35) } })] }),
    }),
    live: live({ organization: lScope() }),
    changes: [`create ${ORG_POLICIES}/A`],
    problems: true,
    check: (r) => {
      expect(r.diagnostics).toHaveLength(1);
      expect(r.diagnostics[0]).toMatchObject({ code: "unknown-permission", file: "organization.yaml", line: 7, col: 35, address: `${ORG_POLICIES}/A` });
      expect(r.diagnostics[0]!.message).toContain("billing:fly");
      expect(r.diagnostics[0]!.hint).toContain("billing:read");
    },
  },
  {
    name: "unknown permission in a project: resolved against the project's own list",
    desired: desired({
      projects: [dProject("Search", { policies: [dPolicy("P", ["billing:read"], { project: "Search", itemAt: { "billing:read": loc("projects/search.yaml", 5, 21) } })] })],
    }),
    live: live({ organization: lScope(), projects: lProjects({ Search: lScope({ permissions: ["trace:read"], system: SYSTEM_PROJECT_ROLES }) }) }),
    changes: ["create projects/Search/policies/P"],
    problems: true,
    check: (r) => {
      expect(r.diagnostics.map((d) => [d.code, d.file, d.line, d.col])).toEqual([["unknown-permission", "projects/search.yaml", 5, 21]]);
    },
  },
  {
    name: "a role referencing a policy of an unmanaged scope resolves it by name to the live id",
    desired: desired({ organization: dScope({ roles: [dRole("R", ["Theirs"])] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("p-theirs", "Theirs", ["user:read"])] }) }),
    changes: [`create ${ORG_ROLES}/R`],
    check: (r) => expect(r.changes[0]).toMatchObject({ dependsOn: [], body: { policies: [{ name: "Theirs", id: "p-theirs" }] } }),
  },
  {
    name: "a role referencing an unknown policy of an unmanaged scope → a diagnostic at file:line",
    desired: desired({ organization: dScope({ roles: [dRole("R", ["Nope"], { itemAt: { Nope: loc("organization.yaml", 20, 17) } })] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("p-theirs", "Theirs", ["user:read"])] }) }),
    changes: [`create ${ORG_ROLES}/R`],
    problems: true,
    check: (r) => {
      expect(r.diagnostics).toHaveLength(1);
      expect(r.diagnostics[0]).toMatchObject({ code: "unknown-policy", file: "organization.yaml", line: 20, col: 17, address: `${ORG_ROLES}/R` });
      expect(r.diagnostics[0]!.message).toContain("Nope");
    },
  },

  // ---------------------------------------------------------------- projects
  {
    name: "project roles are scoped to their project: a same-named role in another project (or the org) is untouched",
    desired: desired({
      organization: dScope({ roles: [dRole("Analyst", [])] }),
      projects: [dProject("Search", { roles: [dRole("Analyst", [], { project: "Search", description: "search analysts" })] })],
    }),
    live: live({
      organization: lScope({ roles: [lRole("org-analyst", "Analyst", [], null)] }),
      projects: lProjects({
        Search: lScope({ system: SYSTEM_PROJECT_ROLES, roles: [lRole("search-analyst", "Analyst", [], "old")] }),
        "Support Bot": lScope({ system: SYSTEM_PROJECT_ROLES, roles: [lRole("bot-analyst", "Analyst", [], "other")] }),
      }),
    }),
    changes: ["update projects/Search/roles/Analyst"],
    check: (r) => expect(r.changes[0]).toMatchObject({ liveId: "search-analyst", projectId: "proj-search", scope: "projects/Search" }),
  },
  {
    name: "a project role cannot reference an organization policy: a diagnostic, not a cross-scope id",
    desired: desired({ projects: [dProject("Search", { roles: [dRole("R", ["Org only"], { project: "Search" })] })] }),
    live: live({
      organization: lScope({ policies: [lPolicy("op", "Org only", ["user:read"])] }),
      projects: lProjects({ Search: lScope({ system: SYSTEM_PROJECT_ROLES }) }),
    }),
    changes: ["create projects/Search/roles/R"],
    problems: true,
    check: (r) => expect(r.diagnostics.map((d) => d.code)).toEqual(["unknown-policy"]),
  },
  {
    name: "unknown project → a diagnostic at the project's place; nothing planned for it",
    desired: desired({ projects: [dProject("Nowhere", { roles: [] }, loc("projects/nowhere.yaml", 3, 5))] }),
    live: live({ projects: lProjects() }),
    changes: [],
    problems: true,
    check: (r) => {
      expect(r.diagnostics).toHaveLength(1);
      expect(r.diagnostics[0]).toMatchObject({ code: "unknown-project", file: "projects/nowhere.yaml", line: 3, col: 5, address: "projects/Nowhere" });
      expect(r.diagnostics[0]!.hint).toContain("Support Bot");
    },
  },

  // ---------------------------------------------------------------- system roles
  {
    name: "system roles are never touched: not deleted under `roles: []` (organization and project)",
    desired: desired({ organization: dScope({ roles: [] }), projects: [dProject("Support Bot", { roles: [] })] }),
    live: live({ organization: lScope(), projects: lProjects({ "Support Bot": lScope({ system: SYSTEM_PROJECT_ROLES }) }) }),
    changes: [],
    check: (r) => expect(r.guards).toEqual([]),
  },
  {
    name: "system roles do not count towards thresholds",
    desired: desired({ organization: dScope({ roles: [] }), settings: { thresholds: { minExisting: 1, deletePercent: 50 } } }),
    live: live({ organization: lScope({ roles: [lRole("r1", "One", [])] }) }),
    // 1 of 1 custom role deleted = 100% > 50%; were the 3 system roles counted it would be 25%.
    changes: [`delete ${ORG_ROLES}/One`],
    check: (r) => expect(guardsOf(r, "threshold-delete")).toHaveLength(1),
  },

  // ---------------------------------------------------------------- identity errors
  {
    name: "two live roles with one name in one scope → a live error naming both ids",
    desired: desired({ organization: dScope({ roles: [dRole("Twin", [])] }) }),
    live: live({ organization: lScope({ roles: [lRole("role-a1", "Twin", []), lRole("role-a2", "Twin", [])] }) }),
    changes: [],
    problems: true,
    check: (r) => {
      expect(r.liveErrors).toHaveLength(1);
      expect(r.liveErrors[0]).toContain("role-a1");
      expect(r.liveErrors[0]).toContain("role-a2");
      expect(r.liveErrors[0]).toContain(`${ORG_ROLES}/Twin`);
    },
  },
  {
    name: "two live policies with one name in a project → a live error naming both ids",
    desired: desired({ projects: [dProject("Search", { policies: [] })] }),
    live: live({
      projects: lProjects({ Search: lScope({ system: SYSTEM_PROJECT_ROLES, policies: [lPolicy("sp-1", "Dup", ["trace:read"]), lPolicy("sp-2", "Dup", ["trace:read"])] }) }),
    }),
    problems: true,
    check: (r) => {
      expect(r.liveErrors).toHaveLength(1);
      expect(r.liveErrors[0]).toMatch(/sp-1.*sp-2/);
    },
  },
  {
    name: "two live Cedar policies with one name → a live error naming both ids",
    desired: desired({ cedar: [dCedarPolicy("prod", [])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod"), lCedarPolicy("c-2", "prod")] }),
    changes: [],
    problems: true,
    check: (r) => {
      expect(r.liveErrors).toHaveLength(1);
      expect(r.liveErrors[0]).toMatch(/c-1.*c-2/);
    },
  },

  // ---------------------------------------------------------------- Cedar policies
  {
    name: "new Cedar policy: a create (only the given fields) and one create per rule, each depending on it",
    desired: desired({
      cedar: [dCedarPolicy("prod", [PERMIT_SRE, { text: FORBID_NO_TICKET, notice: "needs a ticket", auditSession: false }], { priority: 10, maxDurationSeconds: 14400 })],
    }),
    live: live({ cedar: [] }),
    changes: ["create cedar/policies/prod", "create cedar/policies/prod/rules/1", "create cedar/policies/prod/rules/2"],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({
        id: "create:cedar/policies/prod",
        address: { kind: "cedar-policy", name: "prod" },
        body: { name: "prod", maxDurationSeconds: 14400, priority: 10 },
      });
      expect(Object.keys((r.changes[0] as { body: object }).body).sort()).toEqual(["maxDurationSeconds", "name", "priority"]);
      expect(r.changes[1]).toMatchObject({
        dependsOn: ["create:cedar/policies/prod"],
        address: { kind: "cedar-rule", policy: "prod", ordinal: 1 },
        policy: { name: "prod" },
        body: { text: PERMIT_SRE, ordinal: 1 },
      });
      expect(r.changes[2]).toMatchObject({
        dependsOn: ["create:cedar/policies/prod"],
        body: { text: FORBID_NO_TICKET, ordinal: 2, notice: "needs a ticket", auditSession: false },
      });
      expect((r.changes[1] as { policy: { id?: string } }).policy.id).toBeUndefined();
    },
  },
  {
    name: "deleted Cedar policy: one delete with its rule count, no rule deletes",
    desired: desired({ cedar: [] }),
    live: live({ cedar: [lCedarPolicy("c-old", "old", [lRule("r1", 1, PERMIT_SRE), lRule("r2", 2, FORBID_NO_TICKET)])] }),
    changes: ["delete cedar/policies/old"],
    check: (r) => expect(r.changes[0]).toMatchObject({ liveId: "c-old", name: "old", ruleCount: 2, dependsOn: [] }),
  },
  {
    name: "Cedar policy updates only the fields given; fields left out keep their live values",
    desired: desired({ cedar: [dCedarPolicy("prod", [PERMIT_SRE], { priority: 20 })] }),
    live: live({
      cedar: [lCedarPolicy("c-1", "prod", [lRule("r1", 1, PERMIT_SRE)], { priority: 10, description: "live", enabled: false, notificationChannel: "#ops", defaultDurationSeconds: 600 })],
    }),
    changes: ["update cedar/policies/prod"],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ liveId: "c-1", fields: [{ field: "priority", before: 10, after: 20 }] });
      expect((r.changes[0] as { body: object }).body).toEqual({ priority: 20 });
    },
  },
  {
    name: "Cedar policy: null clears nullable fields, booleans and durations are compared",
    desired: desired({
      cedar: [dCedarPolicy("prod", [], { description: null, notificationChannel: null, enabled: true, maxDurationSeconds: 7200, defaultDurationSeconds: 600 })],
    }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [], { description: "x", notificationChannel: "#a", enabled: false, maxDurationSeconds: 3600, defaultDurationSeconds: 600 })] }),
    changes: ["update cedar/policies/prod"],
    check: (r) => {
      expect((r.changes[0] as { body: object }).body).toEqual({ description: null, notificationChannel: null, enabled: true, maxDurationSeconds: 7200 });
      // Field changes and body keys share the model's names.
      expect(r.changes[0]!.fields.map((f) => f.field).sort()).toEqual(Object.keys((r.changes[0] as { body: object }).body).sort());
    },
  },
  {
    name: "Cedar policy rename via previousNames: a PATCH of the name on the same id; its rules stay",
    desired: desired({ cedar: [dCedarPolicy("production", [PERMIT_SRE], { previousNames: ["prod"] })] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r1", 1, PERMIT_SRE)])] }),
    changes: ["rename cedar/policies/production"],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ liveId: "c-1", fromName: "prod", body: { name: "production" } });
    },
  },

  // ---------------------------------------------------------------- Cedar rules
  {
    name: "rules re-formatted by the service (whitespace, comments, newlines) are no change",
    desired: desired({ cedar: [dCedarPolicy("prod", [PERMIT_SRE, FORBID_NO_TICKET])] }),
    live: live({
      cedar: [
        lCedarPolicy("c-1", "prod", [
          lRule("r1", 1, 'permit (\n  principal in Group::"sre",\n  action == Action::"request_access",\n  resource\n);'),
          lRule("r2", 2, "// added by the service\nforbid (principal, action, resource)\nunless {\n  context has ticket\n};"),
        ]),
      ],
    }),
    changes: [],
  },
  {
    name: "rules equal by the engine's JSON form (not tokens) are no change",
    desired: desired({ cedar: [dCedarPolicy("prod", ['forbid(principal, action, resource) unless { context has "ticket" };'])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r1", 1, 'forbid(principal, action, resource) unless { context has ticket };')])] }),
    changes: [],
  },
  {
    name: "a structured rule equals the live rule the service assembled from the same fields",
    desired: desired({
      cedar: [
        dCedarPolicy("prod", [
          {
            fields: ruleFields({ principal_scope_type: "in", principal_entity_type: "Group", principal_entity_id: "sre", action_scope_type: "in", action_ids: ["request_access"], resource_scope_type: "is", resource_entity_type: "AwsAccount" }),
            notice: "recorded",
          },
        ]),
      ],
    }),
    live: live({
      cedar: [lCedarPolicy("c-1", "prod", [lRule("r1", 1, 'permit(principal in Group::"sre", action in [Action::"request_access"], resource is AwsAccount);', { notice: "recorded" })])],
    }),
    changes: [],
  },
  {
    name: "annotations and comments are no change (the service stores rules as fields and drops them)",
    desired: desired({ cedar: [dCedarPolicy("prod", [`// who may ask\n@id("sre")\n${PERMIT_SRE}`, `@id("ticket") @severity("high") ${FORBID_NO_TICKET}`])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r1", 1, PERMIT_SRE), lRule("r2", 2, FORBID_NO_TICKET)])] }),
    changes: [],
  },
  {
    name: "`action in A` in the files equals the service's assembled `action in [A]`",
    desired: desired({ cedar: [dCedarPolicy("prod", ['permit(principal, action in Action::"request_access", resource);'])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r1", 1, 'permit(principal, action in [Action::"request_access"], resource);')])] }),
    changes: [],
  },
  {
    name: "swapped rules are one reorder of the policy (every rule id, in the desired order) and nothing else",
    desired: desired({ cedar: [dCedarPolicy("prod", [FORBID_NO_TICKET, PERMIT_SRE])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r-sre", 1, PERMIT_SRE), lRule("r-ticket", 2, FORBID_NO_TICKET)])] }),
    changes: ["reorder cedar/policies/prod"],
    check: (r) => {
      expect(r.changes[0]).toEqual({
        id: "reorder:cedar/policies/prod",
        kind: "reorder",
        type: "cedar-policy",
        address: { kind: "cedar-policy", name: "prod" },
        scope: "cedar",
        liveId: "c-1",
        dependsOn: [],
        fields: [],
        moves: [
          { address: { kind: "cedar-rule", policy: "prod", ordinal: 1 }, liveId: "r-ticket", from: 2, to: 1, text: FORBID_NO_TICKET },
          { address: { kind: "cedar-rule", policy: "prod", ordinal: 2 }, liveId: "r-sre", from: 1, to: 2, text: PERMIT_SRE },
        ],
        order: [{ liveId: "r-ticket" }, { liveId: "r-sre" }],
      });
    },
  },
  {
    name: "a rule inserted at the top: one create, then the reorder naming the created rule by its change",
    desired: desired({ cedar: [dCedarPolicy("prod", [FORBID_LONG, PERMIT_SRE, FORBID_NO_TICKET])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r-sre", 1, PERMIT_SRE), lRule("r-ticket", 2, FORBID_NO_TICKET)])] }),
    changes: ["create cedar/policies/prod/rules/1", "reorder cedar/policies/prod"],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ dependsOn: [], policy: { name: "prod", id: "c-1" }, body: { text: FORBID_LONG, ordinal: 1 } });
      expect(r.changes[1]).toMatchObject({
        dependsOn: ["create:cedar/policies/prod/rules/1"],
        moves: [
          { liveId: "r-sre", from: 1, to: 2 },
          { liveId: "r-ticket", from: 2, to: 3 },
        ],
        order: [{ create: "create:cedar/policies/prod/rules/1" }, { liveId: "r-sre" }, { liveId: "r-ticket" }],
      });
    },
  },
  {
    name: "a changed rule that also moves: an update without `ordinal`, plus a move in the reorder that waits for it",
    desired: desired({ cedar: [dCedarPolicy("prod", [FORBID_NO_TICKET, { text: PERMIT_SRE, notice: "recorded" }])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r-sre", 1, PERMIT_SRE), lRule("r-ticket", 2, FORBID_NO_TICKET)])] }),
    changes: ["update cedar/policies/prod/rules/2", "reorder cedar/policies/prod"],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ liveId: "r-sre", fields: [{ field: "notice", before: null, after: "recorded" }] });
      expect((r.changes[0] as { body: object }).body).toEqual({ notice: "recorded" });
      expect(r.changes[1]).toMatchObject({ dependsOn: ["update:cedar/policies/prod/rules/2"], order: [{ liveId: "r-ticket" }, { liveId: "r-sre" }] });
    },
  },
  {
    name: "the reorder is the policy's last write: it waits for the policy's own update and every rule write",
    desired: desired({ cedar: [dCedarPolicy("prod", [FORBID_LONG, PERMIT_SRE], { priority: 5 })] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r-sre", 1, PERMIT_SRE), lRule("r-ticket", 2, FORBID_NO_TICKET), lRule("r-x", 3, PERMIT_ONCALL)], { priority: 1 })] }),
    changes: ["update cedar/policies/prod", "update cedar/policies/prod/rules/1", "delete cedar/policies/prod/rules/3", "reorder cedar/policies/prod"],
    check: (r) => {
      // PERMIT_SRE keeps r-sre (moving 1 → 2); FORBID_LONG takes the first leftover rule, r-ticket (one PATCH of its
      // text, and a move 2 → 1); r-x goes.
      expect(r.changes[1]).toMatchObject({ liveId: "r-ticket", body: { text: FORBID_LONG } });
      expect((r.changes[1] as { body: object }).body).toEqual({ text: FORBID_LONG });
      const reorder = r.changes[3]!;
      expect([...reorder.dependsOn].sort()).toEqual(["delete:cedar/policies/prod/rules/3@r-x", "update:cedar/policies/prod", "update:cedar/policies/prod/rules/1"]);
      expect(reorder).toMatchObject({
        moves: [
          { liveId: "r-ticket", from: 2, to: 1 },
          { liveId: "r-sre", from: 1, to: 2 },
        ],
        order: [{ liveId: "r-ticket" }, { liveId: "r-sre" }],
      });
    },
  },
  {
    name: "changed rule text: one update (PATCH) keeping the id, sending the text only",
    desired: desired({ cedar: [dCedarPolicy("prod", [PERMIT_SRE, FORBID_LONG])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r-sre", 1, PERMIT_SRE), lRule("r-2", 2, FORBID_NO_TICKET)])] }),
    changes: ["update cedar/policies/prod/rules/2"],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ liveId: "r-2", beforeText: FORBID_NO_TICKET, fields: [{ field: "text", before: FORBID_NO_TICKET, after: FORBID_LONG }] });
      expect((r.changes[0] as { body: object }).body).toEqual({ text: FORBID_LONG });
    },
  },
  {
    name: "changed notice only: an update without the text",
    desired: desired({ cedar: [dCedarPolicy("prod", [{ text: PERMIT_SRE, notice: "new notice" }])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r-sre", 1, PERMIT_SRE, { notice: "old notice" })])] }),
    changes: ["update cedar/policies/prod/rules/1"],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ liveId: "r-sre", fields: [{ field: "notice", before: "old notice", after: "new notice" }] });
      expect((r.changes[0] as { body: object }).body).toEqual({ notice: "new notice" });
    },
  },
  {
    name: "notice and auditSession left out keep their live values",
    desired: desired({ cedar: [dCedarPolicy("prod", [PERMIT_SRE])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r-sre", 1, PERMIT_SRE, { notice: "kept", auditSession: false })])] }),
    changes: [],
  },
  {
    name: "auditSession change only: an update of auditSession alone",
    desired: desired({ cedar: [dCedarPolicy("prod", [{ text: PERMIT_SRE, auditSession: false }])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r-sre", 1, PERMIT_SRE, { auditSession: true })])] }),
    changes: ["update cedar/policies/prod/rules/1"],
    check: (r) => expect((r.changes[0] as { body: object }).body).toEqual({ auditSession: false }),
  },
  {
    name: "a removed middle rule: a delete addressed by its live ordinal, then the reorder moves the next rule up",
    desired: desired({ cedar: [dCedarPolicy("prod", [PERMIT_SRE, FORBID_LONG])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r1", 1, PERMIT_SRE), lRule("r2", 2, FORBID_NO_TICKET), lRule("r3", 3, FORBID_LONG)])] }),
    changes: ["delete cedar/policies/prod/rules/2", "reorder cedar/policies/prod"],
    check: (r) => {
      expect(r.changes[0]).toMatchObject({ liveId: "r2", ordinal: 2, text: FORBID_NO_TICKET, dependsOn: [] });
      expect(r.changes[1]).toMatchObject({ dependsOn: [r.changes[0]!.id], moves: [{ liveId: "r3", from: 3, to: 2 }], order: [{ liveId: "r1" }, { liveId: "r3" }] });
    },
  },
  {
    name: "a removed last rule: a delete with the live ordinal in its address",
    desired: desired({ cedar: [dCedarPolicy("prod", [PERMIT_SRE])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r1", 1, PERMIT_SRE), lRule("r2", 2, FORBID_NO_TICKET)])] }),
    changes: ["delete cedar/policies/prod/rules/2"],
    check: (r) => expect(r.changes[0]).toMatchObject({ liveId: "r2", ordinal: 2, dependsOn: [] }),
  },
  {
    name: "live ordinals with gaps are rewritten 1..n by the reorder",
    desired: desired({ cedar: [dCedarPolicy("prod", [PERMIT_SRE, FORBID_NO_TICKET])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r1", 10, PERMIT_SRE), lRule("r2", 20, FORBID_NO_TICKET)])] }),
    changes: ["reorder cedar/policies/prod"],
    check: (r) => expect(r.changes[0]).toMatchObject({ moves: [{ liveId: "r1", from: 10, to: 1 }, { liveId: "r2", from: 20, to: 2 }] }),
  },
  {
    name: "pairing is by meaning first, then by position, deterministically: a live duplicate keeps its place",
    desired: desired({ cedar: [dCedarPolicy("prod", [FORBID_LONG, PERMIT_SRE])] }),
    live: live({ cedar: [lCedarPolicy("c-1", "prod", [lRule("r-a", 1, PERMIT_SRE), lRule("r-b", 2, PERMIT_SRE)])] }),
    // PERMIT_SRE keeps the live rule at its own position (r-b); FORBID_LONG takes r-a's place by one PATCH.
    changes: ["update cedar/policies/prod/rules/1"],
    check: (r) => expect(r.changes[0]).toMatchObject({ liveId: "r-a", body: { text: FORBID_LONG } }),
  },

  // ---------------------------------------------------------------- dependencies
  {
    name: "a policy delete depends on the scope's role changes",
    desired: desired({ organization: dScope({ policies: [dPolicy("Keep", ["user:read"])], roles: [dRole("R", ["Keep"])] }) }),
    live: live({
      organization: lScope({
        policies: [lPolicy("pk", "Keep", ["user:read"]), lPolicy("pd", "Drop", ["iam:read"])],
        roles: [lRole("rr", "R", ["pk", "pd"]), lRole("rx", "X", ["pd"])],
      }),
    }),
    changes: [`update ${ORG_ROLES}/R`, `delete ${ORG_ROLES}/X`, `delete ${ORG_POLICIES}/Drop`],
    check: (r) => {
      expect([...byAddress(r, "delete", `${ORG_POLICIES}/Drop`).dependsOn].sort()).toEqual([`delete:${ORG_ROLES}/X`, `update:${ORG_ROLES}/R`]);
      expect(r.guards).toEqual([]);
    },
  },

  // ---------------------------------------------------------------- guards
  {
    name: "assigned-role guard: member count and at most five emails, sorted",
    desired: desired({ organization: dScope({ roles: [] }) }),
    live: live({
      organization: lScope({
        roles: [lRole("r-held", "Held", [])],
        members: lMembers("r-held", ["g@x.io", "a@x.io", "f@x.io", "b@x.io", "e@x.io", "c@x.io", "d@x.io"]),
      }),
    }),
    changes: [`delete ${ORG_ROLES}/Held`],
    check: (r) => {
      const g = guardsOf(r, "assigned-role");
      expect(g).toHaveLength(1);
      expect(g[0]).toMatchObject({ address: `${ORG_ROLES}/Held`, forceable: false, members: { count: 7, emails: ["a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io"] } });
    },
  },
  {
    name: "attached-policy guard: deleting a policy a live role outside the managed collections still uses",
    desired: desired({ organization: dScope({ policies: [] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pd", "Drop", ["user:read"])], roles: [lRole("rx", "Someone's role", ["pd"])] }) }),
    changes: [`delete ${ORG_POLICIES}/Drop`],
    check: (r) => {
      const g = guardsOf(r, "attached-policy");
      expect(g).toHaveLength(1);
      expect(g[0]).toMatchObject({ address: `${ORG_POLICIES}/Drop`, forceable: false });
      expect(g[0]!.message).toContain("Someone's role");
    },
  },
  {
    name: "threshold: more than updatePercent of a scope's objects updated → a forceable guard",
    desired: desired({
      organization: dScope({ policies: Array.from({ length: 10 }, (_, i) => dPolicy(`P${i}`, i < 4 ? ["user:read", "iam:read"] : ["user:read"])) }),
    }),
    live: live({ organization: lScope({ policies: Array.from({ length: 10 }, (_, i) => lPolicy(`p${i}`, `P${i}`, ["user:read"])) }) }),
    changes: [0, 1, 2, 3].map((i) => `update ${ORG_POLICIES}/P${i}`),
    check: (r) => {
      expect(r.guards).toHaveLength(1);
      expect(r.guards[0]).toMatchObject({ kind: "threshold-update", address: "organization", forceable: true });
      expect(r.guards[0]!.message).toContain("4 of 10");
    },
  },
  {
    name: "threshold: at exactly updatePercent no guard",
    desired: desired({
      organization: dScope({ policies: Array.from({ length: 10 }, (_, i) => dPolicy(`P${i}`, i < 3 ? ["user:read", "iam:read"] : ["user:read"])) }),
    }),
    live: live({ organization: lScope({ policies: Array.from({ length: 10 }, (_, i) => lPolicy(`p${i}`, `P${i}`, ["user:read"])) }) }),
    changes: [0, 1, 2].map((i) => `update ${ORG_POLICIES}/P${i}`),
    check: (r) => expect(r.guards).toEqual([]),
  },
  {
    name: "threshold: more than deletePercent deleted → a forceable guard",
    desired: desired({ organization: dScope({ roles: Array.from({ length: 6 }, (_, i) => dRole(`R${i}`, [])) }) }),
    live: live({ organization: lScope({ roles: Array.from({ length: 10 }, (_, i) => lRole(`r${i}`, `R${i}`, [])) }) }),
    changes: [6, 7, 8, 9].map((i) => `delete ${ORG_ROLES}/R${i}`),
    check: (r) => {
      expect(r.guards).toHaveLength(1);
      expect(r.guards[0]).toMatchObject({ kind: "threshold-delete", address: "organization", forceable: true });
    },
  },
  {
    name: "threshold: a scope below minExisting never trips (all 9 deleted)",
    desired: desired({ organization: dScope({ roles: [] }) }),
    live: live({ organization: lScope({ roles: Array.from({ length: 9 }, (_, i) => lRole(`r${i}`, `R${i}`, [])) }) }),
    changes: Array.from({ length: 9 }, (_, i) => `delete ${ORG_ROLES}/R${i}`),
    check: (r) => expect(r.guards).toEqual([]),
  },
  {
    name: "threshold: custom settings are honoured (minExisting 2, deletePercent 40)",
    desired: desired({ organization: dScope({ roles: [dRole("R0", []), dRole("R1", [])] }), settings: { thresholds: { minExisting: 2, deletePercent: 40 } } }),
    live: live({ organization: lScope({ roles: [lRole("r0", "R0", []), lRole("r1", "R1", []), lRole("r2", "R2", [])] }) }),
    changes: [`delete ${ORG_ROLES}/R2`],
    check: (r) => expect(guardsOf(r, "threshold-delete")).toHaveLength(0), // 33% ≤ 40%
  },
  {
    name: "threshold: Cedar rule moves do not count; a deleted Cedar policy counts its rules",
    desired: desired({
      cedar: [dCedarPolicy("keep", [FORBID_NO_TICKET, PERMIT_SRE, FORBID_LONG, PERMIT_ONCALL])],
      settings: { thresholds: { minExisting: 5 } },
    }),
    live: live({
      cedar: [
        lCedarPolicy("c-keep", "keep", [lRule("k1", 1, PERMIT_SRE), lRule("k2", 2, FORBID_NO_TICKET), lRule("k3", 3, FORBID_LONG), lRule("k4", 4, PERMIT_ONCALL)]),
        lCedarPolicy("c-drop", "drop", [lRule("d1", 1, PERMIT_SRE), lRule("d2", 2, FORBID_NO_TICKET)]),
      ],
    }),
    // existing = 2 policies + 6 rules = 8; deleting "drop" = 1 + 2 = 3 = 37.5% > 30%; two moves are not updates.
    changes: ["reorder cedar/policies/keep", "delete cedar/policies/drop"],
    check: (r) => expect(r.guards.map((g) => g.kind)).toEqual(["threshold-delete"]),
  },

  // ---------------------------------------------------------------- --only
  {
    name: "--only keeps the matching changes",
    desired: desired({
      organization: dScope({ policies: [dPolicy("A", ["user:read"])], roles: [dRole("R", [])] }),
      cedar: [dCedarPolicy("prod", [PERMIT_SRE])],
    }),
    live: live({ organization: lScope(), cedar: [] }),
    only: ["organization/roles/*"],
    changes: [`create ${ORG_ROLES}/R`],
  },
  {
    name: "--only on a Cedar policy keeps its rules (a rule follows its policy)",
    desired: desired({ organization: dScope({ roles: [dRole("R", [])] }), cedar: [dCedarPolicy("prod", [PERMIT_SRE]), dCedarPolicy("other", [])] }),
    live: live({ organization: lScope(), cedar: [] }),
    only: ["cedar/policies/prod"],
    changes: ["create cedar/policies/prod", "create cedar/policies/prod/rules/1"],
    check: (r) => expect(r.changes[1]!.dependsOn).toEqual(["create:cedar/policies/prod"]),
  },
  {
    name: "--only leaving out a dependency that is not live yet is reported, naming both addresses",
    desired: desired({ organization: dScope({ policies: [dPolicy("New P", ["user:read"])], roles: [dRole("R", ["New P"])] }) }),
    live: live({ organization: lScope() }),
    only: ["organization/roles/R"],
    changes: [`create ${ORG_ROLES}/R`],
    problems: true,
    check: (r) => {
      expect(r.diagnostics).toEqual([]);
      expect(r.onlyErrors).toHaveLength(1);
      expect(r.onlyErrors[0]).toContain(`${ORG_ROLES}/R`);
      expect(r.onlyErrors[0]).toContain(`${ORG_POLICIES}/New P`);
    },
  },
  {
    name: "--only leaving out a live dependency's update is fine",
    desired: desired({ organization: dScope({ policies: [dPolicy("P", ["user:read", "iam:read"])], roles: [dRole("R", ["P"])] }) }),
    live: live({ organization: lScope({ policies: [lPolicy("pp", "P", ["user:read"])] }) }),
    only: ["organization/roles/*"],
    changes: [`create ${ORG_ROLES}/R`],
  },
];

describe("diff: table", () => {
  it("has at least 45 cases", () => expect(cases.length).toBeGreaterThanOrEqual(45));

  for (const c of cases) {
    it(c.name, () => {
      const r = stages(c.desired, c.live, (c.only ?? []).map(compilePattern));
      if (c.changes) expect(lines(r)).toEqual(c.changes);
      if (!c.problems) {
        expect(r.diagnostics).toEqual([]);
        expect(r.liveErrors).toEqual([]);
        expect(r.onlyErrors).toEqual([]);
      }
      // Ids are unique and every dependency names a change of the plan.
      const ids = r.changes.map((x) => x.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const x of r.changes) for (const d of x.dependsOn) expect(ids).toContain(d);
      c.check?.(r);
    });
  }
});

describe("diff: purity and the checksum", () => {
  const build = (reverse: boolean) => {
    const rev = <T>(xs: T[]): T[] => (reverse ? [...xs].reverse() : xs);
    const d = desired({
      organization: dScope({
        policies: rev([dPolicy("A", ["user:read"]), dPolicy("B", ["iam:read"], { description: "b" }), dPolicy("C", ["billing:read"])]),
        roles: rev([dRole("R1", ["A", "C"]), dRole("R2", ["B"])]),
      }),
      projects: rev([dProject("Search", { policies: [] }), dProject("Support Bot", { roles: [dRole("Analyst", [], { project: "Support Bot" })] })]),
      cedar: rev([dCedarPolicy("prod", [PERMIT_SRE, FORBID_NO_TICKET]), dCedarPolicy("new", [FORBID_LONG])]),
    });
    const l = live({
      organization: lScope({
        permissions: rev(["user:read", "iam:read", "billing:read", "billing:manage"]),
        policies: rev([lPolicy("pa", "A", ["iam:read"]), lPolicy("pb", "B", ["iam:read"]), lPolicy("px", "X", rev(["user:read", "iam:read", "billing:manage"]))]),
        roles: rev([lRole("r1", "R1", rev(["pa", "pb"])), lRole("r3", "R3", rev(["pa", "px"]))]),
      }),
      projects: rev(
        lProjects({
          Search: lScope({ system: SYSTEM_PROJECT_ROLES, policies: rev([lPolicy("s1", "S1", ["trace:read"]), lPolicy("s2", "S2", rev(["trace:read", "span:read"]))]) }),
          "Support Bot": lScope({ system: SYSTEM_PROJECT_ROLES }),
        }),
      ),
      cedar: rev([
        lCedarPolicy("c-prod", "prod", [lRule("r-t", 1, FORBID_NO_TICKET), lRule("r-s", 2, PERMIT_SRE)]),
        lCedarPolicy("c-old", "old", [lRule("o1", 1, PERMIT_ONCALL)]),
      ]),
    });
    return { d, l };
  };

  it("the same inputs in another order give the same changes and the same checksum", () => {
    const a = build(false);
    const b = build(true);
    const ra = stages(a.d, a.l);
    const rb = stages(b.d, b.l);
    expect(ra.diagnostics).toEqual([]);
    expect(rb.diagnostics).toEqual([]);
    expect(lines(ra)).toEqual(lines(rb));
    expect(planChecksum(ra.changes)).toBe(planChecksum(rb.changes));
    // And planChecksum sorts by itself: handing it the changes in any order gives the same value.
    expect(planChecksum([...ra.changes].reverse())).toBe(planChecksum(ra.changes));
  });

  it("checksum: the files' order of roles does not change a policy delete's dependencies", () => {
    const mk = (roles: string[]) =>
      diff(
        desired({ organization: dScope({ policies: [], roles: roles.map((n) => dRole(n, [])) }) }),
        live({ organization: lScope({ policies: [lPolicy("px", "X", ["user:read"])], roles: [lRole("r1", "R1", ["px"])] }) }),
      ).changes;
    const a = mk(["R1", "R2"]);
    const b = mk(["R2", "R1"]);
    expect(byAddressIn(a, `${ORG_POLICIES}/X`).dependsOn).toEqual(byAddressIn(b, `${ORG_POLICIES}/X`).dependsOn);
    expect(planChecksum(a)).toBe(planChecksum(b));
  });

  it("checksum: the order in which the API lists a deleted policy's permissions does not matter", () => {
    const mk = (perms: string[]) =>
      planChecksum(diff(desired({ organization: dScope({ policies: [] }) }), live({ organization: lScope({ policies: [lPolicy("px", "X", perms)] }) })).changes);
    expect(mk(["user:read", "iam:read"])).toBe(mk(["iam:read", "user:read"]));
  });

  it("checksum: the order in which the API lists a deleted role's policies does not matter", () => {
    const mk = (ids: string[]) =>
      planChecksum(
        diff(
          desired({ organization: dScope({ roles: [] }) }),
          live({ organization: lScope({ policies: [lPolicy("pa", "A", ["user:read"]), lPolicy("pb", "B", ["iam:read"])], roles: [lRole("r", "R", ids)] }) }),
        ).changes,
      );
    expect(mk(["pa", "pb"])).toBe(mk(["pb", "pa"]));
  });

  it("diff does not modify its inputs and is deterministic", () => {
    const a = build(false);
    const before = JSON.stringify({ d: { ...a.d, settings: undefined }, l: a.l });
    const r1 = diff(a.d, a.l);
    const r2 = diff(a.d, a.l);
    expect(JSON.stringify({ d: { ...a.d, settings: undefined }, l: a.l })).toBe(before);
    expect(JSON.stringify(r1)).toBe(JSON.stringify(r2));
  });

  it("the checksum is independent of guards and access impact", () => {
    const mk = (protect: string[], members: string[]) => {
      const d = desired({
        organization: dScope({ policies: [dPolicy("A", ["user:read", "iam:read"])], roles: [] }),
        settings: { protect },
      });
      const l = live({
        organization: lScope({
          policies: [lPolicy("pa", "A", ["user:read"])],
          roles: [lRole("r-old", "Old", ["pa"]), lRole("r-x", "X", ["pa"])],
          members: lMembers("r-x", members),
        }),
      });
      return composePlan(d, l, { targets: { local: true } });
    };
    const plain = mk([], []);
    const guarded = mk(["organization/roles/*"], ["a@x.io", "b@x.io"]);
    expect(plain.guards).toEqual([]);
    expect(guarded.guards.map((g) => g.kind).sort()).toEqual(["assigned-role", "protected", "protected"]);
    expect(guarded.impact).not.toEqual(plain.impact);
    expect(guarded.changes).toEqual(plain.changes);
    expect(guarded.checksum).toBe(plain.checksum);
    expect(plain.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(plain.formatVersion).toBe(5);
  });

  it("different change sets have different checksums", () => {
    const d1 = desired({ organization: dScope({ policies: [dPolicy("A", ["user:read"])] }) });
    const d2 = desired({ organization: dScope({ policies: [dPolicy("A", ["iam:read"])] }) });
    const l = live({ organization: lScope() });
    expect(planChecksum(diff(d1, l).changes)).not.toBe(planChecksum(diff(d2, l).changes));
  });
});
