/**
 * The RBAC API adapter (docs/services.md#the-rbac-api): every endpoint, the `{success, data}` envelope unwrapped,
 * wire shapes mapped into the live model. Quirks of this service stay here: no GET by id, whole-array lists
 * except members, system roles recognised by a null owner id.
 */
import type { LiveMember, LivePermission, LiveRbacPolicy, LiveRole } from "./types.js";
import { createHttpClient, shortText, type HttpClient, type HttpClientOptions, type ServerError } from "./http-client.js";
import { HttpError } from "./http-error.js";
import { ShapeError, list, num, obj, str, strOrNull, type Obj } from "./wire.js";

export type RbacScopeRef = { kind: "organization" } | { kind: "project"; projectId: string };

export const ORGANIZATION: RbacScopeRef = { kind: "organization" };

export function projectScope(projectId: string): RbacScopeRef {
  return { kind: "project", projectId };
}

/**
 * POST and PUT alike. PUT replaces the whole object, and `description` is always sent (what a PUT without it does
 * is undocumented: docs/services.md#assumptions).
 */
export interface RbacPolicyBody {
  name: string;
  permissionIds: string[];
  description: string | null;
}

export interface RbacRoleBody {
  name: string;
  policyIds: string[];
  description: string | null;
}

export interface RbacProject {
  id: string;
  name: string;
}

export interface RbacClientOptions extends Omit<HttpClientOptions, "headers" | "secrets" | "readError"> {
  apiKey: string;
  /** Members per page, 1..100 (default 100, the most the API allows: fewest requests). */
  membersPageSize?: number;
  /**
   * Told what the user should hear (the CLI's stderr, the Action's log): an endpoint the service marks
   * `"deprecated": true`, once per endpoint. Library code never prints.
   */
  notice?: (text: string) => void;
}

export interface RbacClient {
  readonly http: HttpClient;
  listPermissions(scope: RbacScopeRef): Promise<LivePermission[]>;
  listPolicies(scope: RbacScopeRef): Promise<LiveRbacPolicy[]>;
  createPolicy(scope: RbacScopeRef, body: RbacPolicyBody): Promise<LiveRbacPolicy>;
  updatePolicy(scope: RbacScopeRef, policyId: string, body: RbacPolicyBody): Promise<LiveRbacPolicy>;
  deletePolicy(scope: RbacScopeRef, policyId: string): Promise<void>;
  listRoles(scope: RbacScopeRef): Promise<LiveRole[]>;
  createRole(scope: RbacScopeRef, body: RbacRoleBody): Promise<LiveRole>;
  updateRole(scope: RbacScopeRef, roleId: string, body: RbacRoleBody): Promise<LiveRole>;
  deleteRole(scope: RbacScopeRef, roleId: string): Promise<void>;
  listProjects(): Promise<RbacProject[]>;
  /** Every member with a role in the scope, all pages read. */
  listMembers(scope: RbacScopeRef): Promise<LiveMember[]>;
}

/**
 * System role names per scope (docs/services.md#what-accessctl-relies-on); used only when a role arrives without
 * its owner id field at all.
 */
const SYSTEM_ROLES = {
  organization: new Set(["Owner", "Admin", "Member"]),
  project: new Set(["Owner", "Manager", "Member"]),
} as const;

export function createRbacClient(options: RbacClientOptions): RbacClient {
  const { apiKey, membersPageSize = 100, notice, ...rest } = options;
  const http = createHttpClient({
    ...rest,
    service: "rbac",
    headers: { CONFIDENT_API_KEY: apiKey },
    secrets: [apiKey],
    readError: readRbacError,
  });

  const base = (scope: RbacScopeRef): string =>
    scope.kind === "organization" ? "/v1/organization" : `/v1/projects/${encodeURIComponent(scope.projectId)}`;
  // "deprecated": true marks an endpoint in transition (docs/services.md#authentication-and-envelope): said once per
  // endpoint, named by its path template (no ids).
  const deprecatedSaid = new Set<string>();
  const envelope = (method: string, path: string) => (body: unknown): Obj => {
    const { data, deprecated, link } = unwrap(body);
    if (deprecated && notice) {
      const endpoint = `${method} ${endpointOf(path)}`;
      if (!deprecatedSaid.has(endpoint)) {
        deprecatedSaid.add(endpoint);
        notice(`the RBAC API marks ${endpoint} as deprecated ("deprecated": true)${link ? `; see ${link}` : ""}. accessctl still uses it; a newer accessctl may move to its replacement.`);
      }
    }
    return data;
  };
  const get = <T>(path: string, read: (data: Obj) => T, query?: Record<string, number>): Promise<T> =>
    http.request("GET", path, { query, parse: (body) => read(envelope("GET", path)(body)) });
  const send = <T>(method: "POST" | "PUT", path: string, body: unknown, read: (data: Obj) => T): Promise<T> =>
    http.request(method, path, { body, parse: (b) => read(envelope(method, path)(b)) });
  const remove = async (path: string): Promise<void> => {
    // DELETE answers `{id, deleted: true}`; an empty 2xx body is accepted too.
    await http.request("DELETE", path, { parse: (b) => (b === undefined ? undefined : envelope("DELETE", path)(b)) });
  };
  const policyBody = (b: RbacPolicyBody) => ({ name: b.name, permissionIds: b.permissionIds, description: b.description });
  const roleBody = (b: RbacRoleBody) => ({ name: b.name, policyIds: b.policyIds, description: b.description });
  const roleReader = (scope: RbacScopeRef) => (o: Obj, at: string) => readRole(o, at, scope.kind);

  async function listMembers(scope: RbacScopeRef): Promise<LiveMember[]> {
    const path = `${base(scope)}/members`;
    const roleKey = scope.kind === "organization" ? "organizationRole" : "projectRole";
    const page = (n: number) => get(path, (d) => readMembersPage(d, roleKey), { page: n, pageSize: membersPageSize });
    const byId = new Map<string, LiveMember | null>();
    const add = (members: Array<LiveMember | null>, ids: string[]) => ids.forEach((id, i) => byId.set(id, members[i] ?? null));
    const first = await page(1);
    add(first.members, first.ids);
    // The pages the server will serve, at the size it actually served (it may cap pageSize): fetched together.
    const served = first.ids.length;
    let next = 2;
    if (served > 0 && byId.size < first.total) {
      const last = Math.ceil(first.total / served);
      const pages = await Promise.all(Array.from({ length: last - 1 }, (_, i) => page(i + 2)));
      for (const p of pages) add(p.members, p.ids);
      next = last + 1;
    }
    // Members added while paging: keep going until the total is reached or a page comes back empty.
    let total = first.total;
    while (served > 0 && byId.size < total) {
      const p = await page(next++);
      if (p.ids.length === 0) break;
      add(p.members, p.ids);
      total = p.total;
    }
    if (byId.size < total) {
      throw new HttpError({
        service: "rbac",
        baseUrl: options.baseUrl,
        kind: "protocol",
        method: "GET",
        path,
        status: 200,
        serverMessage: `the member list ended after ${byId.size} of ${total} members`,
        outcome: "not-applied",
        redact: http.redact,
      });
    }
    return [...byId.values()].filter((m): m is LiveMember => m !== null);
  }

  return {
    http,
    listPermissions: (scope) => get(`${base(scope)}/permissions`, (d) => list(d, "permissions", "data", readPermission)),
    listPolicies: (scope) => get(`${base(scope)}/policies`, (d) => list(d, "policies", "data", readPolicy)),
    createPolicy: (scope, body) =>
      send("POST", `${base(scope)}/policies`, policyBody(body), (d) => readPolicy(obj(d["policy"], "data.policy"), "data.policy")),
    updatePolicy: (scope, id, body) =>
      send("PUT", `${base(scope)}/policies/${encodeURIComponent(id)}`, policyBody(body), (d) =>
        readPolicy(obj(d["policy"], "data.policy"), "data.policy"),
      ),
    deletePolicy: (scope, id) => remove(`${base(scope)}/policies/${encodeURIComponent(id)}`),
    listRoles: (scope) => get(`${base(scope)}/roles`, (d) => list(d, "roles", "data", roleReader(scope))),
    createRole: (scope, body) =>
      send("POST", `${base(scope)}/roles`, roleBody(body), (d) => roleReader(scope)(obj(d["role"], "data.role"), "data.role")),
    updateRole: (scope, id, body) =>
      send("PUT", `${base(scope)}/roles/${encodeURIComponent(id)}`, roleBody(body), (d) =>
        roleReader(scope)(obj(d["role"], "data.role"), "data.role"),
      ),
    deleteRole: (scope, id) => remove(`${base(scope)}/roles/${encodeURIComponent(id)}`),
    listProjects: () => get("/v1/projects", (d) => list(d, "projects", "data", readProject)),
    listMembers,
  };
}

/**
 * `{success: true, data, deprecated?, link?}` → data, and whether the endpoint is marked deprecated. Any 2xx is a
 * success (creates answer 200 or 201); a 2xx with `success: false` is read as an answer accessctl cannot read.
 */
function unwrap(body: unknown): { data: Obj; deprecated: boolean; link: string | undefined } {
  const envelope = obj(body, "body");
  if (envelope["success"] === false) {
    throw new ShapeError(`success is false: ${typeof envelope["error"] === "string" ? envelope["error"] : "no message"}`);
  }
  const link = envelope["link"];
  return { data: obj(envelope["data"], "data"), deprecated: envelope["deprecated"] === true, link: typeof link === "string" && link !== "" ? link : undefined };
}

/** A request path as its endpoint's template: `/v1/projects/p1/roles/r1` → `/v1/projects/{projectId}/roles/{roleId}`. */
export function endpointOf(path: string): string {
  const parts = path.split("/");
  return parts
    .map((part, i) => {
      const owner = parts[i - 1];
      if (owner === "projects") return "{projectId}";
      if (owner === "policies") return "{policyId}";
      if (owner === "roles") return "{roleId}";
      return part;
    })
    .join("/");
}

function readRbacError(body: unknown): ServerError {
  if (typeof body === "string") return { message: shortText(body), code: null };
  if (typeof body === "object" && body !== null) {
    const error = (body as Record<string, unknown>)["error"];
    if (typeof error === "string") return { message: error, code: null };
  }
  return { message: null, code: null };
}

function readPermission(o: Obj, at: string): LivePermission {
  return { id: str(o, "id", at), name: str(o, "name", at) };
}

function readPolicy(o: Obj, at: string): LiveRbacPolicy {
  return {
    id: str(o, "id", at),
    name: str(o, "name", at),
    description: strOrNull(o, "description", at),
    permissionIds: list(o, "permissions", at, (p, pat) => str(p, "id", pat), true),
  };
}

function readRole(o: Obj, at: string, scope: RbacScopeRef["kind"]): LiveRole {
  const name = str(o, "name", at);
  const ownerKey = scope === "organization" ? "organizationId" : "projectId";
  // System roles carry a null owner id (docs/services.md#what-accessctl-relies-on). A service that leaves the
  // field out entirely is judged by name, so that a system role is never written to.
  const system = ownerKey in o ? o[ownerKey] === null : SYSTEM_ROLES[scope].has(name);
  return {
    id: str(o, "id", at),
    name,
    description: strOrNull(o, "description", at),
    system,
    policyIds: list(o, "policies", at, (p, pat) => str(p, "id", pat), true),
  };
}

function readProject(o: Obj, at: string): RbacProject {
  return { id: str(o, "id", at), name: str(o, "name", at) };
}

/** `ids` holds every member of the page; `members` is null where a member holds no role in the scope. */
function readMembersPage(d: Obj, roleKey: string): { total: number; ids: string[]; members: Array<LiveMember | null> } {
  const rows = list(d, "members", "data", (m, at) => {
    const id = str(m, "id", at);
    const role = m[roleKey];
    // A member without a role in this scope holds nothing an impact count would need.
    if (role === undefined || role === null) return { id, member: null };
    const r = obj(role, `${at}.${roleKey}`);
    return { id, member: { id, email: str(m, "email", at), roleId: str(r, "id", `${at}.${roleKey}`) } };
  });
  return { total: num(d, "total", "data"), ids: rows.map((r) => r.id), members: rows.map((r) => r.member) };
}
