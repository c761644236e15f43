/**
 * Reads the live state a plan needs: only the scopes the files manage (the head's, and the base branch's for the
 * drift split), listed in parallel by the clients.
 */
import type { DesiredState } from "../desired/types.js";
import { fetchLive, type LiveClients } from "../live/fetch-live.js";
import type { LiveState } from "../live/types.js";

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
