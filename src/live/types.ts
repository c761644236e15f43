/**
 * The live state as accessctl sees it, independent of the wire shapes of either API.
 * Adapters (`rbac-client.ts`, `cedar-client.ts`) map wire shapes into it, `fetch-live.ts` assembles it;
 * `plan/diff.ts` reads it.
 */
import type { RuleScopeFields } from "../cedar/rule-fields.js";

export interface LivePermission {
  id: string;
  name: string;
}

export interface LiveRbacPolicy {
  id: string;
  name: string;
  description: string | null;
  /** Permission ids, in the order the API gave them. */
  permissionIds: string[];
}

export interface LiveRole {
  id: string;
  name: string;
  description: string | null;
  /** System roles (`organizationId`/`projectId` null) are never written. */
  system: boolean;
  policyIds: string[];
}

/** A member holding a role in one scope (members without a role there are left out: they hold nothing). */
export interface LiveMember {
  id: string;
  email: string;
  roleId: string;
}

/** One RBAC scope: the organization, or one project. */
export interface LiveRbacScope {
  permissions: LivePermission[];
  policies: LiveRbacPolicy[];
  roles: LiveRole[];
  /** Members with their role in this scope; undefined when not read (not needed for the plan). */
  members?: LiveMember[];
}

export interface LiveProject {
  id: string;
  name: string;
  /** Read only for projects the files manage; undefined for the others (their contents were not listed). */
  scope?: LiveRbacScope;
}

/**
 * A Cedar rule's writable fields, under the model's names: the plan, the apply step and the adapter's inputs all
 * use these. Only the adapter (`cedar-client.ts`) knows the wire names (`policy_text`, `audit_session`).
 */
export interface CedarRuleSettings {
  /** The Cedar statement (one), as written or as the service returns it. */
  text: string;
  ordinal: number;
  notice: string | null;
  auditSession: boolean;
}

export interface LiveCedarRule extends CedarRuleSettings {
  id: string;
  createdAt: string;
  /** The structured fields, when the service returned all of them well-formed (for export); diff compares `text`. */
  fields?: RuleScopeFields;
}

/** A Cedar policy's settings, under the model's names (the adapter alone knows the wire names). */
export interface CedarPolicySettings {
  name: string;
  description: string | null;
  enabled: boolean;
  priority: number;
  maxDurationSeconds: number;
  defaultDurationSeconds: number | null;
  notificationChannel: string | null;
}

export interface LiveCedarPolicy extends CedarPolicySettings {
  id: string;
  /** Sorted by (ordinal, createdAt), as the service lists them. */
  rules: LiveCedarRule[];
}

export interface LiveState {
  /** Present when the RBAC API was read. */
  organization?: LiveRbacScope;
  /** Every project of the organization, by the order the API listed them; scopes filled only for managed ones. */
  projects?: LiveProject[];
  /** Present when the Cedar API was read. */
  cedar?: { policies: LiveCedarPolicy[] };
}
