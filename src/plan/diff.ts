/**
 * diff(desired, live) → every change the desired state asks for, the pairings they come from (which live object
 * is which desired one), and the problems found on the way, as data. Pure: no network, file, clock or
 * environment; everything comes in as arguments. Selection (`--only`), ordering, guards and impact are the next
 * stages (`only.ts`, `order.ts`, `guards.ts`, `impact.ts`), wired in `flow/compose-plan.ts`.
 */
import { escapeSegment } from "../address/address.js";
import { pushAll } from "../arrays/push-all.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { DesiredState } from "../desired/types.js";
import { InternalError } from "../errors/user-errors.js";
import type { LiveState } from "../live/types.js";
import { diffCedar } from "./diff-cedar.js";
import type { DiffContext } from "./diff-context.js";
import { diffRbacScope } from "./diff-rbac.js";
import type { Pairings } from "./match-objects.js";
import type { Change } from "./model.js";

export interface DiffResult {
  /** In the diff's own order (scope by scope); `sortChanges` gives the plan's. */
  changes: Change[];
  pairings: Pairings;
  /** Desired-state problems found against the live state (exit 3). */
  diagnostics: Diagnostic[];
  /** Live state that breaks identity (exit 1). */
  liveErrors: string[];
}

export function diff(desired: DesiredState, live: LiveState): DiffResult {
  const ctx: DiffContext = { settings: desired.settings, diagnostics: [], liveErrors: [] };
  const changes: Change[] = [];
  const pairings: Pairings = { rbac: [] };

  const org = desired.organization;
  if (org && (org.policies || org.roles)) {
    if (!live.organization) throw new InternalError("the organization's live state was not read");
    const scope = diffRbacScope({ scope: "organization", desired: org, live: live.organization }, ctx);
    pushAll(changes, scope.changes);
    pairings.rbac.push(scope.pairing);
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
    if (!lp.scope) throw new InternalError(`the live state of project ${p.name} was not read`);
    const scope = diffRbacScope({ scope: `projects/${escapeSegment(p.name)}`, project: { name: p.name, id: lp.id }, desired: p, live: lp.scope }, ctx);
    pushAll(changes, scope.changes);
    pairings.rbac.push(scope.pairing);
  }

  const cedarPolicies = desired.cedar?.policies;
  if (cedarPolicies) {
    if (!live.cedar) throw new InternalError("the Cedar live state was not read");
    const cedar = diffCedar(cedarPolicies, live.cedar.policies, ctx);
    pushAll(changes, cedar.changes);
    pairings.cedar = cedar.pairing;
  }

  return { changes, pairings, diagnostics: ctx.diagnostics, liveErrors: ctx.liveErrors };
}
