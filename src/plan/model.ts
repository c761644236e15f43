/**
 * The plan is plain data: `JSON.stringify(plan)` is the saved plan, and nothing else is needed to apply it.
 * A change is one write (or one object's writes, for RBAC PUT bodies) with everything its API call needs,
 * names beside ids so that every renderer can show names.
 */
import type { SourceFile } from "../desired/types.js";

export const PLAN_FORMAT_VERSION = 1;

export type ChangeKind = "create" | "update" | "rename" | "delete" | "move";

/** The object kinds a change can be about. */
export type ObjectType = "rbac-policy" | "role" | "cedar-policy" | "cedar-rule";

/** `organization`, `projects/<escaped name>` or `cedar`: the unit of thresholds and concurrency. */
export type ScopeKey = string;

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** A reference by name that may not exist yet: `id` is set when the object is live at plan time. */
export interface Ref {
  name: string;
  id?: string;
}

/** RBAC bodies: PUT is a full replacement, so the whole body is planned. */
export interface RbacPolicyBody {
  name: string;
  description: string | null;
  permissions: Ref[];
}

export interface RoleBody {
  name: string;
  description: string | null;
  /** Policies of the same scope; those created in this run get their id at apply time. */
  policies: Ref[];
}

/** PolicyCreate / PolicyUpdate fields of the Cedar API (snake_case, as sent). */
export interface CedarPolicyFields {
  name?: string;
  description?: string | null;
  enabled?: boolean;
  priority?: number;
  max_duration_seconds?: number;
  default_duration_seconds?: number | null;
  notification_channel?: string | null;
}

/** RuleCreate fields accessctl sends: always `policy_text`, never the structured fields. */
export interface CedarRuleFields {
  policy_text?: string;
  ordinal?: number;
  notice?: string | null;
  audit_session?: boolean;
}

interface ChangeBase {
  /** `<kind>:<address>`, unique within a plan; dependencies name these. */
  id: string;
  kind: ChangeKind;
  type: ObjectType;
  address: string;
  scope: ScopeKey;
  /** The project's live id, for project-scoped RBAC objects. */
  projectId?: string;
  /** Ids of changes that must succeed before this one runs. */
  dependsOn: string[];
  /** Field-level before/after, for updates, renames and moves (display only; the body is what is sent). */
  fields: FieldChange[];
}

export type RbacPolicyChange = ChangeBase & { type: "rbac-policy" } & (
    | { kind: "create"; body: RbacPolicyBody }
    | { kind: "update" | "rename"; liveId: string; fromName?: string; body: RbacPolicyBody }
    | { kind: "delete"; liveId: string; before: RbacPolicyBody }
  );

export type RoleChange = ChangeBase & { type: "role" } & (
    | { kind: "create"; body: RoleBody }
    | { kind: "update" | "rename"; liveId: string; fromName?: string; body: RoleBody }
    | { kind: "delete"; liveId: string; before: RoleBody }
  );

export type CedarPolicyChange = ChangeBase & { type: "cedar-policy" } & (
    | { kind: "create"; body: CedarPolicyFields & { name: string; max_duration_seconds: number } }
    | { kind: "update" | "rename"; liveId: string; fromName?: string; body: CedarPolicyFields }
    | { kind: "delete"; liveId: string; name: string; ruleCount: number }
  );

export type CedarRuleChange = ChangeBase & {
  type: "cedar-rule";
  /** The policy's name after this run, and its live id when it exists at plan time. */
  policy: Ref;
} & (
    | { kind: "create"; body: CedarRuleFields & { policy_text: string; ordinal: number } }
    | { kind: "update"; liveId: string; body: CedarRuleFields; beforeText: string }
    | { kind: "move"; liveId: string; body: { ordinal: number }; text: string }
    | { kind: "delete"; liveId: string; text: string; ordinal: number }
  );

export type Change = RbacPolicyChange | RoleChange | CedarPolicyChange | CedarRuleChange;

export type GuardKind = "threshold-update" | "threshold-delete" | "protected" | "assigned-role" | "attached-policy";

export interface Guard {
  kind: GuardKind;
  /** What `apply` would refuse, in words, with how to proceed. */
  message: string;
  hint: string;
  /** The object (or scope, for thresholds) concerned. */
  address: string;
  /** `--force` overrides thresholds only. */
  forceable: boolean;
  /** For assigned roles: how many members, and up to five emails (local text output only; never in Markdown). */
  members?: { count: number; emails: string[] };
}

export interface PlanSummary {
  create: number;
  update: number;
  rename: number;
  delete: number;
  move: number;
}

/** Access impact of one changed role: effective permissions gained and lost, and how many members hold it. */
export interface RoleImpact {
  address: string;
  gained: string[];
  lost: string[];
  members?: number;
}

/** An access test whose decision differs between the live rules and the desired rules. */
export interface TestImpact {
  name: string;
  live: "allow" | "deny";
  desired: "allow" | "deny";
}

export interface Impact {
  roles: RoleImpact[];
  tests: TestImpact[];
}

/** `--base`: where each change comes from. */
export type DriftMark = "files" | "drift" | "both";

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** Digest of the desired-state files as written. */
  sourceDigest: string;
  /** The desired-state files as written (before `${env:…}` replacement): a saved plan can be re-planned. */
  desired: { dir: string; files: SourceFile[] };
  /** Which services the plan was made against (URLs only; never keys). */
  targets: { rbac?: string; cedar?: string; local: boolean };
  /** Sorted by phase, then address. */
  changes: Change[];
  summary: PlanSummary;
  /** sha256 over the sorted changes alone. */
  checksum: string;
  guards: Guard[];
  impact: Impact;
  /** Change id → mark, with `--base`. */
  drift?: Record<string, DriftMark>;
  /** `--only` patterns the plan was limited to. */
  only?: string[];
}
