/**
 * The impact stage (docs/plan-and-apply.md#access-impact): what the plan's changes do to access. "Before" is the
 * live state the diff read; "after" is that state with the plan's changes applied — only the selected ones under
 * `--only`. Which live object each change is about comes from the diff's pairings (a change's `liveId`; each
 * scope's live state), so `ignore`, `owns`, renames and `--only` mean here exactly what they mean in the changes:
 * no change, no impact.
 *
 * RBAC: every role whose effective permissions change (role → policies → permissions, also when only a policy
 * changed), with what it gains and loses and how many members hold it. Cedar: every access test whose decision
 * differs between the live rules and the rules after the changes. Pure.
 */
import { formatAddress, rbacAddress } from "../address/address.js";
import { tenantAfter } from "../decisions/tenant-sides.js";
import { runAccessTests } from "../desired/access-tests.js";
import type { DesiredState } from "../desired/types.js";
import type { LiveCedarPolicy } from "../live/types.js";
import type { Pairings, RbacScopePairing } from "./match-objects.js";
import type { Change, Impact, Ref, RoleImpact, TestImpact } from "./model.js";

export function computeImpact(changes: readonly Change[], pairings: Pairings, desired: DesiredState): Impact {
  const roles: RoleImpact[] = [];
  for (const scope of pairings.rbac) {
    const mine = changes.filter((c) => c.scope === scope.scope && (c.type === "rbac-policy" || c.type === "role"));
    if (mine.length === 0) continue;
    for (const r of rbacImpact(scope, mine)) roles.push(r);
  }
  const cedarChanges = changes.filter((c) => c.type === "cedar-policy" || c.type === "cedar-rule");
  const tests = pairings.cedar && cedarChanges.length > 0 ? testImpact(cedarChanges, pairings.cedar.live, desired) : [];
  return { roles, tests };
}

/** Key of an object this run creates (live objects are keyed by their id; a name never looks like one). */
const created = (name: string): string => `\u0000new:${name}`;

const refKey = (r: Ref): string => r.id ?? created(r.name);

interface RoleState {
  name: string;
  /** Policy keys. */
  policies: readonly string[];
}

function rbacImpact(scope: RbacScopePairing, changes: readonly Change[]): RoleImpact[] {
  const live = scope.live;
  const permName = new Map(live.permissions.map((p) => [p.id, p.name]));
  // Policy key → permission names, before and after the changes.
  const policiesBefore = new Map(live.policies.map((p) => [p.id, p.permissionIds.map((id) => permName.get(id) ?? id)]));
  const policiesAfter = new Map(policiesBefore);
  // Role key → name and policies, before and after (system roles included: their policies may change).
  const rolesBefore = new Map<string, RoleState>(live.roles.map((r) => [r.id, { name: r.name, policies: r.policyIds }]));
  const rolesAfter = new Map(rolesBefore);
  const changedPolicies = new Set<string>();
  const changedRoles = new Set<string>();
  for (const c of changes) {
    if (c.type === "rbac-policy") {
      const key = c.kind === "create" ? created(c.body.name) : c.liveId;
      changedPolicies.add(key);
      if (c.kind === "delete") policiesAfter.delete(key);
      else policiesAfter.set(key, c.body.permissions.map((p) => p.name));
    } else if (c.type === "role") {
      const key = c.kind === "create" ? created(c.body.name) : c.liveId;
      changedRoles.add(key);
      if (c.kind === "delete") rolesAfter.delete(key);
      else rolesAfter.set(key, { name: c.body.name, policies: c.body.policies.map(refKey) });
    }
  }

  const holders = new Map<string, number>();
  for (const m of live.members ?? []) holders.set(m.roleId, (holders.get(m.roleId) ?? 0) + 1);
  const effective = (role: RoleState | undefined, policies: ReadonlyMap<string, readonly string[]>): Set<string> => {
    const out = new Set<string>();
    for (const key of role?.policies ?? []) for (const p of policies.get(key) ?? []) out.add(p);
    return out;
  };
  const touches = (role: RoleState | undefined): boolean => role !== undefined && role.policies.some((k) => changedPolicies.has(k));

  const out: { impact: RoleImpact; sortKey: string }[] = [];
  for (const key of new Set([...rolesBefore.keys(), ...rolesAfter.keys()])) {
    const before = rolesBefore.get(key);
    const after = rolesAfter.get(key);
    if (!changedRoles.has(key) && !touches(before) && !touches(after)) continue;
    const had = effective(before, policiesBefore);
    const has = effective(after, policiesAfter);
    const gained = [...has].filter((p) => !had.has(p)).sort();
    const lost = [...had].filter((p) => !has.has(p)).sort();
    if (gained.length === 0 && lost.length === 0) continue;
    const address = formatAddress(rbacAddress("role", (after ?? before)!.name, scope.project?.name));
    const impact: RoleImpact = { address, gained, lost };
    // Members hold live roles only: a role created in this run has none to count.
    if (live.members !== undefined && before !== undefined) impact.members = holders.get(key) ?? 0;
    out.push({ impact, sortKey: address });
  }
  return out.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0)).map((x) => x.impact);
}

function testImpact(changes: readonly Change[], live: readonly LiveCedarPolicy[], desired: DesiredState): TestImpact[] {
  if (!desired.cedar?.tests?.cases.length) return [];
  const before = runAccessTests(desired, tenantAfter(live, [])).results;
  const after = runAccessTests(desired, tenantAfter(live, changes)).results;
  const tests: TestImpact[] = [];
  before.forEach((b, i) => {
    const a = after[i];
    if (a && a.decision !== b.decision) tests.push({ name: b.name, live: b.decision, desired: a.decision });
  });
  return tests;
}
