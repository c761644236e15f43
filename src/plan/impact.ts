/**
 * Access impact (SPEC section 4): for every role whose effective permissions change (role → policies →
 * permissions, also when only a policy changed), what it gains and loses and how many members hold it; for
 * Cedar, every access test whose decision differs between the live rules and the desired rules. Pure.
 */
import { escapeSegment, formatAddress, matchAny } from "../address/address.js";
import type { EvalPolicy } from "../cedar/evaluate.js";
import { desiredEvalPolicies, runAccessTests } from "../desired/access-tests.js";
import type { DesiredRbacScope, DesiredState } from "../desired/types.js";
import type { LiveCedarPolicy, LiveRbacScope, LiveState } from "../live/types.js";
import type { Impact, RoleImpact, TestImpact } from "./model.js";

function scopeImpact(desired: DesiredRbacScope, live: LiveRbacScope, project?: string): RoleImpact[] {
  const permName = new Map(live.permissions.map((p) => [p.id, p.name]));
  const livePolicyPerms = new Map(live.policies.map((p) => [p.id, p.permissionIds.map((id) => permName.get(id) ?? id)]));
  const livePolicyByName = new Map(live.policies.map((p) => [p.name, p]));
  // Permissions of a policy after the run, by name: the desired declaration when the scope's policies are managed.
  const desiredPolicyPerms = new Map((desired.policies ?? []).map((p) => [p.name, p.permissions.map((r) => r.name)]));
  const afterPolicy = (name: string): string[] =>
    desired.policies ? (desiredPolicyPerms.get(name) ?? []) : (livePolicyPerms.get(livePolicyByName.get(name)?.id ?? "") ?? []);
  // Which live policies survive the run, and under which name.
  const policyNameAfter = new Map<string, string | undefined>();
  // First declaration by name, then by previous name (as a `find` over the declarations in order would give).
  const declaredByName = firstBy(desired.policies ?? [], (x) => [x.name]);
  const declaredByPrevious = firstBy(desired.policies ?? [], (x) => x.previousNames.map((n) => n.name));
  for (const p of live.policies) {
    if (!desired.policies) policyNameAfter.set(p.id, p.name);
    else {
      const d = declaredByName.get(p.name) ?? declaredByPrevious.get(p.name);
      policyNameAfter.set(p.id, d?.name);
    }
  }
  const holders = new Map<string, number>();
  for (const m of live.members ?? []) holders.set(m.roleId, (holders.get(m.roleId) ?? 0) + 1);
  const members = (roleId: string | undefined): number | undefined =>
    live.members === undefined || roleId === undefined ? undefined : (holders.get(roleId) ?? 0);
  const address = (name: string): string =>
    formatAddress(project === undefined ? { kind: "org-role", name } : { kind: "project-role", project, name });

  const out: RoleImpact[] = [];
  const seenLive = new Set<string>();
  const effective = (policyNames: readonly string[]): Set<string> => new Set(policyNames.flatMap(afterPolicy));
  const compare = (name: string, before: Set<string>, after: Set<string>, roleId: string | undefined): void => {
    const gained = [...after].filter((p) => !before.has(p)).sort();
    const lost = [...before].filter((p) => !after.has(p)).sort();
    if (gained.length === 0 && lost.length === 0) return;
    const impact: RoleImpact = { address: address(name), gained, lost };
    const m = members(roleId);
    if (m !== undefined) impact.members = m;
    out.push(impact);
  };
  const custom = live.roles.filter((r) => !r.system);
  const customIndex = new Map<string, number>();
  custom.forEach((r, i) => {
    if (!customIndex.has(r.name)) customIndex.set(r.name, i);
  });
  /** The first custom role named `name`, else the first (in live order) named by one of `previous`. */
  const liveRoleOf = (name: string, previous: readonly { name: string }[]) => {
    const at = customIndex.get(name);
    if (at !== undefined) return custom[at];
    let best: number | undefined;
    for (const n of previous) {
      const i = customIndex.get(n.name);
      if (i !== undefined && (best === undefined || i < best)) best = i;
    }
    return best === undefined ? undefined : custom[best];
  };
  const liveBefore = (policyIds: readonly string[]): Set<string> => new Set(policyIds.flatMap((id) => livePolicyPerms.get(id) ?? []));

  if (desired.roles) {
    for (const d of desired.roles) {
      const l = liveRoleOf(d.name, d.previousNames);
      if (l) seenLive.add(l.id);
      compare(d.name, l ? liveBefore(l.policyIds) : new Set(), effective(d.policies.map((r) => r.name)), l?.id);
    }
  }
  // Live roles not declared here: deleted (when roles are managed) or kept with their policies as they become.
  for (const l of live.roles) {
    if (seenLive.has(l.id)) continue;
    const deleted = desired.roles !== undefined && !l.system;
    const after = deleted ? new Set<string>() : new Set(l.policyIds.flatMap((id) => {
      const name = policyNameAfter.get(id);
      return name === undefined ? [] : afterPolicy(name);
    }));
    compare(l.name, liveBefore(l.policyIds), after, l.id);
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : 1));
}

/** key → the first item (in order) having it. */
function firstBy<T>(items: readonly T[], keys: (item: T) => readonly string[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items) for (const k of keys(item)) if (!out.has(k)) out.set(k, item);
  return out;
}

function liveEvalPolicies(live: readonly LiveCedarPolicy[]): EvalPolicy[] {
  return live.map((p) => ({
    key: `cedar/policies/${escapeSegment(p.name)}`,
    enabled: p.enabled,
    priority: p.priority,
    rules: p.rules.map((r) => ({ key: `cedar/policies/${escapeSegment(p.name)}/rules/${r.ordinal}@${r.id}`, text: r.text })),
  }));
}

export function computeImpact(desired: DesiredState, live: LiveState): Impact {
  const roles: RoleImpact[] = [];
  const org = desired.organization;
  if (org && (org.policies || org.roles) && live.organization) roles.push(...scopeImpact(org, live.organization));
  for (const p of desired.projects) {
    const lp = live.projects?.find((x) => x.name === p.name);
    if ((p.policies || p.roles) && lp?.scope) roles.push(...scopeImpact(p, lp.scope, p.name));
  }
  const tests: TestImpact[] = [];
  if (desired.cedar?.policies && desired.cedar.tests?.cases.length && live.cedar) {
    // Unmanaged live policies take part on both sides; managed ones are replaced by the desired rules, with
    // left-out `enabled`/`priority` keeping their live values.
    const desiredNames = new Set(desired.cedar.policies.map((p) => p.name));
    const livePolicies = liveEvalPolicies(live.cedar.policies);
    const liveByName = new Map(live.cedar.policies.map((p) => [p.name, p]));
    const desiredPolicies = desiredEvalPolicies(desired).map((p, i) => {
      const d = desired.cedar!.policies![i]!;
      // A renamed policy keeps its live settings: look it up by its previous names too.
      const l = liveByName.get(d.name) ?? d.previousNames.map((n) => liveByName.get(n.name)).find((x) => x !== undefined);
      return { ...p, enabled: d.enabled ?? l?.enabled ?? true, priority: d.priority ?? l?.priority ?? 0 };
    });
    // Live policies the files do not declare survive only when ignored or not ours (`owns`); the rest is deleted.
    const { ignore, owns } = desired.settings;
    const survives = (name: string): boolean => {
      const a = { kind: "cedar-policy" as const, name };
      return matchAny(ignore, a) || (owns.length > 0 && !matchAny(owns, a));
    };
    const after = [...liveEvalPolicies(live.cedar.policies.filter((p) => !desiredNames.has(p.name) && survives(p.name))), ...desiredPolicies];
    const before = runAccessTests(desired, livePolicies).results;
    const afterResults = runAccessTests(desired, after).results;
    before.forEach((b, i) => {
      const a = afterResults[i];
      if (a && a.decision !== b.decision) tests.push({ name: b.name, live: b.decision, desired: a.decision });
    });
  }
  return { roles, tests };
}
