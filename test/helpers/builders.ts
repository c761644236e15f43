/**
 * Small builders for DesiredState / LiveState values, for the pure `diff` tests. Every desired object gets a
 * distinct, sensible place (file + line) so diagnostics can be asserted by location.
 *
 * Live ids are readable: permission `perm:<name>`, and whatever id the test gives policies, roles and rules.
 */
import { compilePattern, formatAddress } from "../../src/address/address.js";
import { assembleRule } from "../../src/cedar/assemble.js";
import type { RuleScopeFields } from "../../src/cedar/rule-fields.js";
import type { SourcePosition } from "../../src/diagnostics/diagnostic.js";
import {
  DEFAULT_THRESHOLDS,
  type DesiredCedarPolicy,
  type DesiredProject,
  type DesiredRbacPolicy,
  type DesiredRbacScope,
  type DesiredRole,
  type DesiredRule,
  type DesiredState,
  type NameRef,
  type Settings,
  type Thresholds,
} from "../../src/desired/types.js";
import type {
  LiveCedarPolicy,
  LiveCedarRule,
  LiveMember,
  LivePermission,
  LiveProject,
  LiveRbacPolicy,
  LiveRbacScope,
  LiveRole,
  LiveState,
} from "../../src/live/types.js";

// ---- places ---------------------------------------------------------------------------------------------------

let nextLine = 1;

/** A place in a desired-state file; without a line, the next free one (so every object has its own). */
export function loc(file = "organization.yaml", line?: number, col = 7): SourcePosition {
  return { file, line: line ?? nextLine++, col };
}

export function ref(name: string, at?: SourcePosition): NameRef {
  return { name, loc: at ?? loc() };
}

// ---- desired: RBAC --------------------------------------------------------------------------------------------

export interface DesiredObjectOptions {
  description?: string | null;
  previousNames?: string[];
  /** Where the object is declared. */
  at?: SourcePosition;
  /** Where each item of its list (permissions / policies) is written, by name. */
  itemAt?: Record<string, SourcePosition>;
}

/** The scope an object lives in: undefined for the organization, else a project's name. */
type In = string | undefined;

function rbacAddress(kind: "policy" | "role", name: string, project: In): string {
  if (project === undefined) return formatAddress({ kind: kind === "policy" ? "org-policy" : "org-role", name });
  return formatAddress({ kind: kind === "policy" ? "project-policy" : "project-role", project, name });
}

function withDescription<T extends object>(o: T, description: string | null | undefined, given: boolean): T {
  if (given) (o as { description?: string | null }).description = description;
  return o;
}

export function dPolicy(name: string, permissions: string[], opts: DesiredObjectOptions & { project?: string } = {}): DesiredRbacPolicy {
  const at = opts.at ?? loc(opts.project ? "projects/p.yaml" : "organization.yaml");
  return withDescription(
    {
      name,
      address: rbacAddress("policy", name, opts.project),
      loc: at,
      permissions: permissions.map((p) => ref(p, opts.itemAt?.[p] ?? { file: at.file, line: at.line + 1, col: 20 })),
      previousNames: (opts.previousNames ?? []).map((n) => ref(n, { file: at.file, line: at.line + 2, col: 22 })),
    },
    opts.description,
    "description" in opts,
  );
}

export function dRole(name: string, policies: string[], opts: DesiredObjectOptions & { project?: string } = {}): DesiredRole {
  const at = opts.at ?? loc(opts.project ? "projects/p.yaml" : "organization.yaml");
  return withDescription(
    {
      name,
      address: rbacAddress("role", name, opts.project),
      loc: at,
      policies: policies.map((p) => ref(p, opts.itemAt?.[p] ?? { file: at.file, line: at.line + 1, col: 17 })),
      previousNames: (opts.previousNames ?? []).map((n) => ref(n, { file: at.file, line: at.line + 2, col: 22 })),
    },
    opts.description,
    "description" in opts,
  );
}

/** A scope: a collection key left out is unmanaged; `[]` is authoritative. */
export function dScope(collections: { policies?: DesiredRbacPolicy[]; roles?: DesiredRole[] } = {}, at?: SourcePosition): DesiredRbacScope {
  const s: DesiredRbacScope = { loc: at ?? loc("organization.yaml", 1, 1) };
  if (collections.policies) s.policies = collections.policies;
  if (collections.roles) s.roles = collections.roles;
  return s;
}

export function dProject(name: string, collections: { policies?: DesiredRbacPolicy[]; roles?: DesiredRole[] } = {}, at?: SourcePosition): DesiredProject {
  return { name, ...dScope(collections, at ?? loc("projects/p.yaml")) };
}

// ---- desired: Cedar -------------------------------------------------------------------------------------------

export interface RuleSpec {
  /** Raw Cedar text (a `cedar:` rule) … */
  text?: string;
  /** … or structured fields, assembled with the one assembler. */
  fields?: RuleScopeFields;
  notice?: string | null;
  auditSession?: boolean;
}

/** Structured fields with sensible defaults: `permit(principal, action, resource)`. */
export function ruleFields(f: Partial<RuleScopeFields> = {}): RuleScopeFields {
  return {
    effect: "permit",
    principal_scope_type: "any",
    principal_entity_type: null,
    principal_entity_id: null,
    action_scope_type: "any",
    action_ids: [],
    resource_scope_type: "any",
    resource_entity_type: null,
    resource_entity_id: null,
    conditions: null,
    ...f,
  };
}

export function rule(textOrSpec: string | RuleSpec): RuleSpec {
  return typeof textOrSpec === "string" ? { text: textOrSpec } : textOrSpec;
}

export interface CedarPolicyOptions {
  description?: string | null;
  enabled?: boolean;
  priority?: number;
  maxDurationSeconds?: number;
  defaultDurationSeconds?: number | null;
  notificationChannel?: string | null;
  previousNames?: string[];
  at?: SourcePosition;
}

export function dCedarPolicy(name: string, rules: (string | RuleSpec)[], opts: CedarPolicyOptions = {}): DesiredCedarPolicy {
  const at = opts.at ?? loc("cedar/access.yaml");
  const p: DesiredCedarPolicy = {
    name,
    address: formatAddress({ kind: "cedar-policy", name }),
    loc: at,
    maxDurationSeconds: opts.maxDurationSeconds ?? 3600,
    rules: rules.map((r, i) => desiredRule(name, i + 1, rule(r), { file: at.file, line: at.line + 2 + i, col: 11 })),
    previousNames: (opts.previousNames ?? []).map((n) => ref(n, { file: at.file, line: at.line + 1, col: 22 })),
  };
  for (const k of ["description", "enabled", "priority", "defaultDurationSeconds", "notificationChannel"] as const) {
    if (k in opts) (p as unknown as Record<string, unknown>)[k] = opts[k];
  }
  return p;
}

function desiredRule(policy: string, ordinal: number, spec: RuleSpec, at: SourcePosition): DesiredRule {
  const text = spec.fields ? assembleRule(spec.fields) : spec.text;
  if (text === undefined) throw new Error("a rule needs text or fields");
  const r: DesiredRule = {
    address: formatAddress({ kind: "cedar-rule", policy, ordinal }),
    ordinal,
    form: spec.fields ? "structured" : "cedar",
    text,
    loc: at,
    locate: () => at,
  };
  if (spec.fields) r.fields = spec.fields;
  if ("notice" in spec) r.notice = spec.notice;
  if ("auditSession" in spec) r.auditSession = spec.auditSession;
  return r;
}

// ---- desired: the whole state ---------------------------------------------------------------------------------

export interface SettingsSpec {
  owns?: string[];
  ignore?: string[];
  protect?: string[];
  thresholds?: Partial<Thresholds>;
}

export function settings(s: SettingsSpec = {}): Settings {
  return {
    owns: (s.owns ?? []).map(compilePattern),
    ignore: (s.ignore ?? []).map(compilePattern),
    protect: (s.protect ?? []).map(compilePattern),
    thresholds: { ...DEFAULT_THRESHOLDS, ...s.thresholds },
  };
}

export function desired(parts: {
  organization?: DesiredRbacScope;
  projects?: DesiredProject[];
  /** Cedar policies; `undefined` = no `cedar.policies` key (unmanaged). */
  cedar?: DesiredCedarPolicy[];
  settings?: SettingsSpec;
} = {}): DesiredState {
  const d: DesiredState = {
    dir: "desired",
    projects: parts.projects ?? [],
    settings: settings(parts.settings),
    sources: [],
    digest: "sha256:test",
  };
  if (parts.organization) d.organization = parts.organization;
  if (parts.cedar) d.cedar = { loc: loc("cedar/access.yaml", 1, 1), policies: parts.cedar };
  return d;
}

// ---- live: RBAC -----------------------------------------------------------------------------------------------

export const permId = (name: string): string => `perm:${name}`;

/** A broad default permission list (organization and project names mixed: the diff does not care). */
export const PERMISSIONS = [
  "billing:read",
  "billing:manage",
  "organization:read",
  "user:read",
  "user:manage",
  "iam:read",
  "iam:manage",
  "trace:read",
  "span:read",
  "thread:read",
  "dataset:read",
  "dataset:update",
];

export function lPermissions(names: string[] = PERMISSIONS): LivePermission[] {
  return names.map((name) => ({ id: permId(name), name }));
}

export function lPolicy(id: string, name: string, permissions: string[], description: string | null = null): LiveRbacPolicy {
  return { id, name, description, permissionIds: permissions.map(permId) };
}

export function lRole(id: string, name: string, policyIds: string[], description: string | null = null): LiveRole {
  return { id, name, description, system: false, policyIds };
}

export const SYSTEM_ORG_ROLES = ["Owner", "Admin", "Member"];
export const SYSTEM_PROJECT_ROLES = ["Owner", "Manager", "Member"];

export function systemRoles(names: string[] = SYSTEM_ORG_ROLES, prefix = "sys"): LiveRole[] {
  return names.map((name) => ({ id: `${prefix}-${name.toLowerCase()}`, name, description: null, system: true, policyIds: [] }));
}

export function lMembers(roleId: string, emails: string[]): LiveMember[] {
  return emails.map((email, i) => ({ id: `user-${roleId}-${i}`, email, roleId }));
}

export function lScope(parts: { permissions?: string[]; policies?: LiveRbacPolicy[]; roles?: LiveRole[]; members?: LiveMember[]; system?: string[] } = {}): LiveRbacScope {
  const s: LiveRbacScope = {
    permissions: lPermissions(parts.permissions),
    policies: parts.policies ?? [],
    roles: [...systemRoles(parts.system), ...(parts.roles ?? [])],
  };
  if (parts.members) s.members = parts.members;
  return s;
}

export function lProject(id: string, name: string, scope?: LiveRbacScope): LiveProject {
  return scope ? { id, name, scope } : { id, name };
}

// ---- live: Cedar ----------------------------------------------------------------------------------------------

export function lRule(id: string, ordinal: number, text: string, opts: { notice?: string | null; auditSession?: boolean; createdAt?: string } = {}): LiveCedarRule {
  return {
    id,
    ordinal,
    text,
    notice: opts.notice ?? null,
    auditSession: opts.auditSession ?? true,
    createdAt: opts.createdAt ?? `2024-01-01T00:00:${String(ordinal).padStart(2, "0")}.000Z`,
  };
}

export function lCedarPolicy(
  id: string,
  name: string,
  rules: LiveCedarRule[] = [],
  opts: Partial<Omit<LiveCedarPolicy, "id" | "name" | "rules">> = {},
): LiveCedarPolicy {
  return {
    id,
    name,
    description: null,
    enabled: true,
    priority: 0,
    maxDurationSeconds: 3600,
    defaultDurationSeconds: null,
    notificationChannel: null,
    ...opts,
    rules,
  };
}

export function live(parts: { organization?: LiveRbacScope; projects?: LiveProject[]; cedar?: LiveCedarPolicy[] } = {}): LiveState {
  const l: LiveState = {};
  if (parts.organization) l.organization = parts.organization;
  if (parts.projects) l.projects = parts.projects;
  if (parts.cedar) l.cedar = { policies: parts.cedar };
  return l;
}

/** The three seeded projects, with `scope`s only for those given. */
export function lProjects(scopes: Record<string, LiveRbacScope> = {}): LiveProject[] {
  return [
    lProject("proj-support", "Support Bot", scopes["Support Bot"]),
    lProject("proj-search", "Search", scopes["Search"]),
    lProject("proj-analytics", "Analytics", scopes["Analytics"]),
  ];
}
