/**
 * What `apply` would refuse (exit 4), found at plan time so that `plan` shows it prominently: thresholds per
 * scope (overridable with --force), protected objects, roles still assigned to members, and policies still
 * attached to a live role that this run does not change. Pure.
 */
import type { Settings } from "../desired/types.js";
import type { LiveRbacScope } from "../live/types.js";
import { isProtected, type DiffContext } from "./diff-context.js";
import type { Change, Guard } from "./model.js";

export interface ScopeCounts {
  /** Live objects of the scope's managed collections (not ignored). */
  existing: number;
}

export function thresholdGuards(changes: readonly Change[], counts: ReadonlyMap<string, ScopeCounts>, settings: Settings): Guard[] {
  const guards: Guard[] = [];
  const { updatePercent, deletePercent, minExisting } = settings.thresholds;
  for (const [scope, { existing }] of counts) {
    if (existing < minExisting || existing === 0) continue;
    const inScope = changes.filter((c) => c.scope === scope);
    const updates = inScope.filter((c) => c.kind === "update" || c.kind === "rename").length;
    // Deleting a Cedar policy deletes its rules too.
    const deletes = inScope.reduce((n, c) => n + (c.kind !== "delete" ? 0 : c.type === "cedar-policy" ? 1 + c.ruleCount : 1), 0);
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
    check("update", updates, updatePercent);
    check("delete", deletes, deletePercent);
  }
  return guards;
}

export function protectGuards(changes: readonly Change[], ctx: DiffContext): Guard[] {
  return changes
    .filter((c) => c.kind === "delete" && isProtected(ctx, c.address))
    .map((c) => ({
      kind: "protected" as const,
      address: c.address,
      forceable: false,
      message: `${c.address} is protected: deleting it is refused`,
      hint: "declare it again in the files, or remove it from accessctl.protect first if it really must go",
    }));
}

/** Deleting a role still assigned to members, or a policy a live role outside this run still uses. */
export function preflightGuards(changes: readonly Change[], scopes: ReadonlyMap<string, LiveRbacScope>): Guard[] {
  const guards: Guard[] = [];
  for (const c of changes) {
    if (c.kind !== "delete") continue;
    const live = scopes.get(c.scope);
    if (!live) continue;
    if (c.type === "role" && live.members) {
      const holders = live.members.filter((m) => m.roleId === c.liveId);
      if (holders.length > 0) {
        guards.push({
          kind: "assigned-role",
          address: c.address,
          forceable: false,
          members: { count: holders.length, emails: holders.map((m) => m.email).sort().slice(0, 5) },
          message: `${c.address} is still assigned to ${holders.length} member(s); the service refuses to delete it`,
          hint: "move those members to another role first, or keep the role in the files",
        });
      }
    }
    if (c.type === "rbac-policy") {
      // Roles this run updates or deletes no longer count; any other live role still holding it blocks the delete.
      const touched = new Set(changes.filter((o) => o.type === "role" && o.scope === c.scope && o.kind !== "create").map((o) => ("liveId" in o ? o.liveId : "")));
      const users = live.roles.filter((r) => r.policyIds.includes(c.liveId) && !touched.has(r.id));
      if (users.length > 0) {
        guards.push({
          kind: "attached-policy",
          address: c.address,
          forceable: false,
          message: `${c.address} is still used by live role(s) ${users.map((r) => `\`${r.name}\``).join(", ")}, which this run does not change`,
          hint: "remove the policy from those roles (declare the scope's roles in the files), or keep the policy",
        });
      }
    }
  }
  return guards;
}
