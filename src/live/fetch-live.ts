/**
 * Reads the live state a plan needs, and nothing more: only the managed scopes, members only when impact or the
 * assigned-role guard asks for them. Everything independent is listed at once; each API's limiter decides how
 * many requests are really in flight.
 */
import type { LiveCedarPolicy, LiveProject, LiveRbacScope, LiveState } from "./types.js";
import { ORGANIZATION, projectScope, type RbacClient, type RbacScopeRef } from "./rbac-client.js";
import type { CedarClient, CedarPolicySummary } from "./cedar-client.js";
import { isNotFound } from "./http-error.js";

export interface LiveClients {
  rbac?: RbacClient;
  cedar?: CedarClient;
}

export interface LiveNeed {
  /** The files manage organization policies or roles: read the organization's permissions, policies and roles. */
  organization?: boolean;
  /** Projects the files manage, by name (or `all`, for export): the project list is read, then these projects' scopes. */
  projects?: readonly string[] | "all";
  /** Also read the members of every scope read (access impact, the assigned-role guard). */
  members?: boolean;
  /** The files manage Cedar policies: read every policy with its rules. */
  cedar?: boolean;
}

export async function fetchLive(clients: LiveClients, need: LiveNeed): Promise<LiveState> {
  const wantsRbac = need.organization === true || need.projects !== undefined;
  if (wantsRbac && clients.rbac === undefined) throw new Error("bug: fetchLive needs the RBAC API but has no RBAC client");
  if (need.cedar === true && clients.cedar === undefined) throw new Error("bug: fetchLive needs the Cedar API but has no Cedar client");
  const members = need.members === true;
  const { rbac, cedar } = clients;

  const [organization, projects, cedarPolicies] = await Promise.all([
    need.organization === true && rbac ? readScope(rbac, ORGANIZATION, members) : undefined,
    need.projects !== undefined && rbac ? readProjects(rbac, need.projects, members) : undefined,
    need.cedar === true && cedar ? readCedarPolicies(cedar) : undefined,
  ]);

  const live: LiveState = {};
  if (organization !== undefined) live.organization = organization;
  if (projects !== undefined) live.projects = projects;
  if (cedarPolicies !== undefined) live.cedar = { policies: cedarPolicies };
  return live;
}

async function readScope(rbac: RbacClient, scope: RbacScopeRef, withMembers: boolean): Promise<LiveRbacScope> {
  const [permissions, policies, roles, members] = await Promise.all([
    rbac.listPermissions(scope),
    rbac.listPolicies(scope),
    rbac.listRoles(scope),
    withMembers ? rbac.listMembers(scope) : undefined,
  ]);
  const result: LiveRbacScope = { permissions, policies, roles };
  if (members !== undefined) result.members = members;
  return result;
}

/**
 * Every project is returned (a desired project that is missing is diff's to report); only the named ones are
 * read. Two live projects of one name are both read, so that diff can name the ambiguity.
 */
async function readProjects(rbac: RbacClient, names: readonly string[] | "all", withMembers: boolean): Promise<LiveProject[]> {
  const wanted = names === "all" ? undefined : new Set(names);
  const all = await rbac.listProjects();
  return Promise.all(
    all.map(async (p): Promise<LiveProject> => {
      if (wanted !== undefined && !wanted.has(p.name)) return { id: p.id, name: p.name };
      return { id: p.id, name: p.name, scope: await readScope(rbac, projectScope(p.id), withMembers) };
    }),
  );
}

/**
 * One request per policy that has rules, none for an empty one. `GET /v1/policies/{id}` nests every rule in one
 * answer however many there are (the rules list pages at most 250, and a service may page smaller), so it is
 * the cheaper read; its rules are used when their number matches the summary's `rule_count`, otherwise (a
 * truncated nesting, a concurrent change, or no count at all) the paginated rules list is read to the end.
 */
async function readCedarPolicies(cedar: CedarClient): Promise<LiveCedarPolicy[]> {
  // Each page's policies are read as soon as it arrives, while the next page is fetched: paging (sequential by
  // nature: each page names the next) overlaps the reads instead of preceding them all.
  const reads: Promise<LiveCedarPolicy | undefined>[] = [];
  await cedar.listPolicies((page) => {
    for (const s of page) {
      const read = readCedarPolicy(cedar, s);
      read.catch(() => undefined); // awaited below; this only keeps a failure during paging from going unhandled
      reads.push(read);
    }
  });
  const policies = await Promise.all(reads);
  return policies.filter((p): p is LiveCedarPolicy => p !== undefined);
}

async function readCedarPolicy(cedar: CedarClient, summary: CedarPolicySummary): Promise<LiveCedarPolicy | undefined> {
  const { ruleCount, ...fields } = summary;
  try {
    if (ruleCount === 0) return { ...fields, rules: [] };
    if (ruleCount !== null) {
      const full = await cedar.getPolicy(summary.id);
      if (full.rules.length === ruleCount) return full;
    }
    return { ...fields, rules: await cedar.listRules(summary.id) };
  } catch (error) {
    // Deleted between the list and this read: it is no longer live.
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
