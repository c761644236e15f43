/**
 * The guards stage: what `apply` would refuse (exit 4), found at plan time so that `plan` shows it prominently —
 * thresholds per scope (overridable with --force), protected objects, roles still assigned to members, and
 * policies still attached to a live role that this run does not change. Pure: it reads the (selected) changes,
 * the diff's pairings (each scope's live state and which live objects are managed) and the settings.
 */
import { formatAddress } from "../address/address.js";
import type { Settings } from "../desired/types.js";
import type { LiveMember, LiveRbacScope, LiveRole } from "../live/types.js";
import { isProtected } from "./diff-context.js";
import type { Pairing, Pairings } from "./match-objects.js";
import type { Change, Guard, ScopeKey } from "./model.js";

export function checkGuards(changes: readonly Change[], pairings: Pairings, settings: Settings): Guard[] {
  const scopes = new Map(pairings.rbac.map((p) => [p.scope, p.live]));
  return [...protectGuards(changes, settings), ...preflightGuards(changes, scopes), ...thresholdGuards(changes, existingCounts(pairings), settings)];
}

/** Live objects a pairing saw (not ignored): those it matched and those it left unclaimed. */
function seen<L>(pairing: Pairing<unknown, L> | undefined): L[] {
  if (!pairing) return [];
  const out: L[] = [];
  for (const m of pairing.matched) if (m.live !== undefined) out.push(m.live);
  for (const l of pairing.unclaimed) out.push(l);
  return out;
}

/**
 * Per scope, how many live objects its managed collections hold (ignored ones and system roles left out): the
 * base of the threshold percentages. A Cedar policy counts with its rules.
 */
export function existingCounts(pairings: Pairings): Map<ScopeKey, number> {
  const counts = new Map<ScopeKey, number>();
  for (const p of pairings.rbac) counts.set(p.scope, seen(p.policies).length + seen(p.roles).length);
  if (pairings.cedar) counts.set("cedar", seen(pairings.cedar.policies).reduce((n, p) => n + 1 + p.rules.length, 0));
  return counts;
}

/**
 * More than `updatePercent` / `deletePercent` of a scope's live objects updated / deleted, when the scope holds at
 * least `minExisting`. Renames count as updates; moves never count; deleting a Cedar policy deletes its rules too.
 */
export function thresholdGuards(changes: readonly Change[], existingByScope: ReadonlyMap<ScopeKey, number>, settings: Settings): Guard[] {
  const guards: Guard[] = [];
  const { updatePercent, deletePercent, minExisting } = settings.thresholds;
  const updates = new Map<ScopeKey, number>();
  const deletes = new Map<ScopeKey, number>();
  for (const c of changes) {
    if (c.kind === "update" || c.kind === "rename") updates.set(c.scope, (updates.get(c.scope) ?? 0) + 1);
    if (c.kind === "delete") deletes.set(c.scope, (deletes.get(c.scope) ?? 0) + (c.type === "cedar-policy" ? 1 + c.ruleCount : 1));
  }
  for (const [scope, existing] of existingByScope) {
    if (existing < minExisting || existing === 0) continue;
    const check = (kind: "update" | "delete", n: number, limit: number): void => {
      const pct = (n / existing) * 100;
      if (pct <= limit) return;
      guards.push({
        kind: kind === "update" ? "threshold-update" : "threshold-delete",
        address: scope,
        forceable: true,
        message: `${scope}: ${n} of ${existing} objects would be ${kind}d (${pct.toFixed(0)}%, more than the ${limit}% threshold)`,
        hint: `review the plan; if this is intended, apply with --force, or raise accessctl.thresholds.${kind}Percent`,
      });
    };
    check("update", updates.get(scope) ?? 0, updatePercent);
    check("delete", deletes.get(scope) ?? 0, deletePercent);
  }
  return guards;
}

export function protectGuards(changes: readonly Change[], settings: Settings): Guard[] {
  return changes
    .filter((c) => c.kind === "delete" && isProtected(settings, c.address))
    .map((c) => {
      const address = formatAddress(c.address);
      return {
        kind: "protected" as const,
        address,
        forceable: false,
        message: `${address} is protected: deleting it is refused`,
        hint: "declare it again in the files, or remove it from accessctl.protect first if it really must go",
      };
    });
}

/**
 * One scope's live state looked up by id, built once per scope: filtering the members per deleted role and the
 * roles per deleted policy was quadratic in a mass delete (20,000 policies deleted beside 10,000 roles: 2.5 s).
 * Lists keep the live order, as the filters did.
 */
interface ScopeIndex {
  /** Role id → the members holding it. */
  holders: Map<string, LiveMember[]>;
  /** Policy id → the live roles holding it, each once. */
  users: Map<string, LiveRole[]>;
}

function indexScope(live: LiveRbacScope): ScopeIndex {
  const holders = new Map<string, LiveMember[]>();
  for (const m of live.members ?? []) addTo(holders, m.roleId, m);
  const users = new Map<string, LiveRole[]>();
  for (const r of live.roles) {
    for (const policyId of new Set(r.policyIds)) addTo(users, policyId, r);
  }
  return { holders, users };
}

function addTo<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Deleting a role still assigned to members, or a policy a live role outside this run still uses. */
export function preflightGuards(changes: readonly Change[], scopes: ReadonlyMap<ScopeKey, LiveRbacScope>): Guard[] {
  const guards: Guard[] = [];
  // Per scope, the live roles this run updates or deletes: they no longer hold what they held.
  const touched = new Map<ScopeKey, Set<string>>();
  for (const o of changes) {
    if (o.type !== "role" || o.kind === "create") continue;
    let ids = touched.get(o.scope);
    if (!ids) touched.set(o.scope, (ids = new Set()));
    ids.add(o.liveId);
  }
  const indexes = new Map<ScopeKey, ScopeIndex>();
  for (const c of changes) {
    if (c.kind !== "delete") continue;
    const live = scopes.get(c.scope);
    if (!live) continue;
    let index = indexes.get(c.scope);
    if (!index) indexes.set(c.scope, (index = indexScope(live)));
    const address = formatAddress(c.address);
    if (c.type === "role" && live.members) {
      const holders = index.holders.get(c.liveId) ?? [];
      if (holders.length > 0) {
        guards.push({
          kind: "assigned-role",
          address,
          forceable: false,
          members: { count: holders.length, emails: holders.map((m) => m.email).sort().slice(0, 5) },
          message: `${address} is still assigned to ${holders.length} member(s); the service refuses to delete it`,
          hint: "move those members to another role first, or keep the role in the files",
        });
      }
    }
    if (c.type === "rbac-policy") {
      // Any live role this run does not touch that still holds the policy blocks the delete.
      const mine = touched.get(c.scope);
      const users = (index.users.get(c.liveId) ?? []).filter((r) => !mine?.has(r.id));
      if (users.length > 0) {
        guards.push({
          kind: "attached-policy",
          address,
          forceable: false,
          message: `${address} is still used by live role(s) ${users.map((r) => `\`${r.name}\``).join(", ")}, which this run does not change`,
          hint: "remove the policy from those roles (declare the scope's roles in the files), or keep the policy",
        });
      }
    }
  }
  return guards;
}
