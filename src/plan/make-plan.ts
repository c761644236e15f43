/**
 * The plan pipeline: read the live state the files need (in parallel), diff, find guards and access impact, and
 * return the plan as data. Desired-state problems found against the live state throw InvalidDesiredStateError
 * (exit 3); live state that breaks identity throws a user-facing error (exit 1).
 */
import type { Pattern } from "../address/address.js";
import { InvalidDesiredStateError, UsageError } from "../diagnostics/diagnostic.js";
import type { DesiredState } from "../desired/types.js";
import { fetchLive, type LiveClients } from "../live/fetch-live.js";
import type { LiveState } from "../live/types.js";
import { planChecksum } from "./checksum.js";
import { diff } from "./diff.js";
import { driftMarks } from "./drift.js";
import { computeImpact } from "./impact.js";
import { PLAN_FORMAT_VERSION, type Plan } from "./model.js";
import { summarize } from "./summary.js";

export class LiveStateError extends Error {
  readonly userFacing = true;
  constructor(readonly problems: string[]) {
    super(`the live state breaks identity:\n  ${problems.join("\n  ")}`);
    this.name = "LiveStateError";
  }
}

export interface PlanOptions {
  only?: readonly Pattern[];
  onlySources?: string[];
  targets: Plan["targets"];
  /** The base branch's desired state, for the drift split. */
  base?: DesiredState;
}

/** The live state the given desired states need (the head's, and the base branch's for the drift split). */
export async function readLiveFor(desired: DesiredState | readonly DesiredState[], clients: LiveClients): Promise<LiveState> {
  const all = Array.isArray(desired) ? (desired as readonly DesiredState[]) : [desired as DesiredState];
  const managesOrg = all.some((d) => Boolean(d.organization && (d.organization.policies || d.organization.roles)));
  const managedProjects = [...new Set(all.flatMap((d) => d.projects.map((p) => p.name)))];
  const rolesManaged = all.some((d) => Boolean(d.organization?.roles) || d.projects.some((p) => p.roles));
  return fetchLive(clients, {
    ...(managesOrg ? { organization: true } : {}),
    ...(managedProjects.length > 0 ? { projects: managedProjects } : {}),
    ...(all.some((d) => d.cedar?.policies) ? { cedar: true } : {}),
    // Members: for the assigned-role guard and the impact's member counts, only when roles are managed.
    ...(rolesManaged ? { members: true } : {}),
  });
}

export function planFromLive(desired: DesiredState, live: LiveState, options: PlanOptions): Plan {
  const result = diff(desired, live, options.only === undefined ? {} : { only: options.only });
  if (result.diagnostics.length > 0) throw new InvalidDesiredStateError(result.diagnostics);
  if (result.liveErrors.length > 0) throw new LiveStateError(result.liveErrors);
  if (result.onlyErrors.length > 0) throw new UsageError(result.onlyErrors.join("\n"), "--only does not pull in dependencies");
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    sourceDigest: desired.digest,
    desired: { dir: desired.dir, files: desired.sources },
    targets: options.targets,
    changes: result.changes,
    summary: summarize(result.changes),
    checksum: planChecksum(result.changes),
    guards: result.guards,
    impact: computeImpact(desired, live),
  };
  if (options.onlySources && options.onlySources.length > 0) plan.only = options.onlySources;
  if (options.base) {
    // The base branch's own problems (names the live state lacks) do not stop the head's plan.
    const base = diff(options.base, live, options.only === undefined ? {} : { only: options.only });
    plan.drift = driftMarks(plan.changes, base.changes);
  }
  return plan;
}

export async function makePlan(desired: DesiredState, clients: LiveClients, options: PlanOptions): Promise<{ plan: Plan; live: LiveState }> {
  const live = await readLiveFor(options.base ? [desired, options.base] : desired, clients);
  return { plan: planFromLive(desired, live, options), live };
}
