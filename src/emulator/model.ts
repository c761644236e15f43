/**
 * The records the emulator stores. They are plain JSON (the snapshot and the journal hold them as they are);
 * the wire shapes of docs/services.md are rendered from them by the route modules, so storage and wire can differ
 * (e.g. a role stores policy ids, the wire shows `{id, name}` pairs).
 */

import type { RuleScopeFields } from "../cedar/rule-fields.js";

/** `"org"` for the organization, else the project id: RBAC objects live in one scope. */
export type RbacScope = string;
export const ORG_SCOPE: RbacScope = "org";

export interface PermissionRecord {
  id: string;
  scope: RbacScope;
  name: string;
  description: string | null;
}

export interface RbacPolicyRecord {
  id: string;
  scope: RbacScope;
  name: string;
  description: string | null;
  permissionIds: string[];
}

export interface RoleRecord {
  id: string;
  scope: RbacScope;
  name: string;
  description: string | null;
  /** System roles are seeded, answer with a null organizationId/projectId, and refuse edits. */
  system: boolean;
  policyIds: string[];
}

export interface MemberRecord {
  id: string;
  email: string;
  name: string;
  organizationRoleId: string;
  /** projectId → roleId, for the projects the member belongs to. */
  projectRoleIds: Record<string, string>;
}

export interface ProjectRecord {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
}

export interface CedarPolicyRecord {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  priority: number;
  max_duration_seconds: number;
  default_duration_seconds: number | null;
  notification_channel: string | null;
  created_at: string;
  updated_at: string;
  /** Creation sequence: list order and keyset cursor (timestamps can tie within a millisecond). */
  createdSeq: number;
}

/**
 * A stored rule: its structured fields (posted text is decomposed into them) and the rest. Its `policy_text` is not
 * stored: every answer assembles it from the fields, as the vendor documents.
 */
export interface CedarRuleRecord extends RuleScopeFields {
  id: string;
  policy_id: string;
  ordinal: number;
  notice: string | null;
  audit_session: boolean;
  created_at: string;
  updated_at: string;
  /** Tie-breaker after (ordinal, created_at), and part of the rules cursor. */
  createdSeq: number;
}

export interface CollectionRecords {
  permissions: PermissionRecord;
  policies: RbacPolicyRecord;
  roles: RoleRecord;
  members: MemberRecord;
  projects: ProjectRecord;
  cedarPolicies: CedarPolicyRecord;
  cedarRules: CedarRuleRecord;
}

export type CollectionName = keyof CollectionRecords;

export const COLLECTION_NAMES: readonly CollectionName[] = [
  "permissions",
  "projects",
  "members",
  "policies",
  "roles",
  "cedarPolicies",
  "cedarRules",
];

/** One write, as the journal records it: put the whole record, or delete by id (idempotent on replay). */
export type Change =
  | { [C in CollectionName]: { op: "put"; c: C; v: CollectionRecords[C] } }[CollectionName]
  | { op: "del"; c: CollectionName; id: string };

/** The whole state: what the snapshot file holds. Arrays keep creation order, which the lists show. */
export interface StateData {
  format: "accessctl-emulator-state";
  version: 1;
  organizationId: string;
  /** The sequence number of the last change included. */
  seq: number;
  /** Id counter: created ids derive from it, so the same requests on a fresh state get the same ids. */
  counter: number;
  collections: { [C in CollectionName]: CollectionRecords[C][] };
}
