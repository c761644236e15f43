/**
 * diff(desired, live) → the changes, guards and problems of a plan. Pure: no network, file, clock or
 * environment; everything comes in as arguments.
 */
import { escapeSegment, type Pattern } from "../address/address.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { DesiredState } from "../desired/types.js";
import type { LiveRbacScope, LiveState } from "../live/types.js";
import { diffCedar } from "./diff-cedar.js";
import { isIgnored, type DiffContext } from "./diff-context.js";
import { diffRbacScope } from "./diff-rbac.js";
import { preflightGuards, protectGuards, thresholdGuards, type ScopeCounts } from "./guards.js";
import type { Change, Guard } from "./model.js";
import { limitToPatterns } from "./only.js";
import { sortChanges } from "./order.js";

export interface DiffOptions {
  only?: readonly Pattern[];
}

export interface DiffResult {
  changes: Change[];
  guards: Guard[];
  /** Desired-state problems found against the live state (exit 3). */
  diagnostics: Diagnostic[];
  /** Live state that breaks identity (exit 1). */
  liveErrors: string[];
  /** `--only` leaving out a dependency that is not live yet (exit 1). */
  onlyErrors: string[];
}

export function diff(desired: DesiredState, live: LiveState, options: DiffOptions = {}): DiffResult {
  const ctx: DiffContext = { settings: desired.settings, diagnostics: [], liveErrors: [] };
  let changes: Change[] = [];
  const scopes = new Map<string, LiveRbacScope>();
  const counts = new Map<string, ScopeCounts>();

  const countRbac = (scope: string, live: LiveRbacScope, managed: { policies?: unknown; roles?: unknown }, prefix: string): void => {
    let n = 0;
    if (managed.policies) n += live.policies.filter((p) => !isIgnored(ctx, `${prefix}/policies/${escapeSegment(p.name)}`)).length;
    if (managed.roles) n += live.roles.filter((r) => !r.system && !isIgnored(ctx, `${prefix}/roles/${escapeSegment(r.name)}`)).length;
    counts.set(scope, { existing: n });
  };

  const org = desired.organization;
  if (org && (org.policies || org.roles)) {
    if (!live.organization) throw new Error("internal error: the organization's live state was not read");
    changes.push(...diffRbacScope({ scope: "organization", desired: org, live: live.organization }, ctx));
    scopes.set("organization", live.organization);
    countRbac("organization", live.organization, org, "organization");
  }

  const liveProjects = live.projects ?? [];
  for (const p of desired.projects) {
    const matches = liveProjects.filter((lp) => lp.name === p.name);
    if (matches.length > 1) {
      ctx.liveErrors.push(`projects/${escapeSegment(p.name)}: two live projects are named ${JSON.stringify(p.name)} (ids ${matches.map((m) => m.id).join(" and ")}); rename one in the service, then plan again`);
      continue;
    }
    const lp = matches[0];
    if (!lp) {
      ctx.diagnostics.push(
        diag("unknown-project", `project \`${p.name}\` does not exist`, p.loc, {
          address: `projects/${escapeSegment(p.name)}`,
          hint: `accessctl never creates projects; existing projects: ${liveProjects.map((x) => `\`${x.name}\``).join(", ") || "none"}`,
        }),
      );
      continue;
    }
    if (!p.policies && !p.roles) continue;
    if (!lp.scope) throw new Error(`internal error: the live state of project ${p.name} was not read`);
    const scope = `projects/${escapeSegment(p.name)}`;
    changes.push(...diffRbacScope({ scope, project: { name: p.name, id: lp.id }, desired: p, live: lp.scope }, ctx));
    scopes.set(scope, lp.scope);
    countRbac(scope, lp.scope, p, scope);
  }

  const cedarPolicies = desired.cedar?.policies;
  if (cedarPolicies) {
    if (!live.cedar) throw new Error("internal error: the Cedar live state was not read");
    changes.push(...diffCedar(cedarPolicies, live.cedar.policies, ctx));
    const visible = live.cedar.policies.filter((p) => !isIgnored(ctx, `cedar/policies/${escapeSegment(p.name)}`));
    counts.set("cedar", { existing: visible.reduce((n, p) => n + 1 + p.rules.length, 0) });
  }

  const limited = limitToPatterns(changes, options.only ?? []);
  changes = sortChanges(limited.changes);
  const guards = [...protectGuards(changes, ctx), ...preflightGuards(changes, scopes), ...thresholdGuards(changes, counts, desired.settings)];
  return { changes, guards, diagnostics: ctx.diagnostics, liveErrors: ctx.liveErrors, onlyErrors: limited.errors };
}
