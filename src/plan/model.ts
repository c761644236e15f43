/**
 * The plan is plain data: `JSON.stringify(plan)` is the saved plan, and nothing else is needed to apply it.
 * A change is one write (or one object's writes, for RBAC PUT bodies) with everything its API call needs,
 * names beside ids so that every renderer can show names.
 */
import { formatAddress, type Address } from "../address/address.js";
import type { Decisions } from "../decisions/decision-diff.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../desired/types.js";
import type { CedarPolicySettings, CedarRuleSettings } from "../live/types.js";

/**
 * Bumped on every change to the saved form. 2: typed addresses (`{kind, …}` objects) and Cedar fields under the
 * model's names (`maxDurationSeconds`, `text`, `auditSession`, …) instead of the API's. 3: rule moves are one
 * `reorder` change per Cedar policy (the documented reorder call) instead of one `move` per rule, and a rule
 * update never carries `ordinal`. 4: the Cedar decision review (`decisions`, `decisionNotes`).
 */
export const PLAN_FORMAT_VERSION = 5;

/**
 * `reorder`: the moves of one Cedar policy's rules, sent as one call of the documented reorder endpoint with every
 * rule id of the policy in the desired order (docs/plan-and-apply.md#changes).
 */
export type ChangeKind = "create" | "update" | "rename" | "delete" | "reorder";

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

/** A Cedar policy's fields to send, under the model's names (the API adapter alone knows the wire names). */
export type CedarPolicyFields = Partial<CedarPolicySettings>;

/** A Cedar rule's fields to send: always the statement's `text`, never the structured fields. */
export type CedarRuleFields = Partial<CedarRuleSettings>;

/** A rule update's fields: its position is never among them (moves are the policy's reorder). */
export type CedarRuleUpdateFields = Partial<Omit<CedarRuleSettings, "ordinal">>;

/** One rule whose position changes: shown in every output, sent within its policy's reorder. */
export interface RuleMove {
  /** The rule at its desired position (`cedar/policies/<name>/rules/<to>`). */
  address: Address;
  liveId: string;
  /** The live ordinal. */
  from: number;
  /** The desired position, 1-based. */
  to: number;
  /** The rule's Cedar text as the files give it (for display). */
  text: string;
}

/**
 * One position of a policy's desired rule order: a rule live at plan time, or the rule a create of this plan
 * makes (its id is known only once that create has run).
 */
export type RuleSlot = { liveId: string } | { create: string };

/** A change's id: `<kind>:<written address>` (a rule delete adds `@<live id>`: two live rules may share an ordinal). */
export function changeId(kind: ChangeKind, address: Address, liveId?: string): string {
  return `${kind}:${formatAddress(address)}${liveId === undefined ? "" : `@${liveId}`}`;
}

interface ChangeBase {
  /** `<kind>:<written address>`, unique within a plan; dependencies name these. */
  id: string;
  kind: ChangeKind;
  type: ObjectType;
  /** The object, as a value; renderers write it with `formatAddress`. */
  address: Address;
  scope: ScopeKey;
  /** The project's live id, for project-scoped RBAC objects. */
  projectId?: string;
  /** Ids of changes that must succeed before this one runs. */
  dependsOn: string[];
  /**
   * Field-level before/after, for updates and renames (display only; the body is what is sent). Cedar
   * fields are named as in the body (`maxDurationSeconds`, `text`, `auditSession`, …).
   */
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
    | { kind: "create"; body: CedarPolicyFields & Pick<CedarPolicySettings, "name" | "maxDurationSeconds"> }
    | { kind: "update" | "rename"; liveId: string; fromName?: string; body: CedarPolicyFields }
    | { kind: "delete"; liveId: string; name: string; ruleCount: number }
    /**
     * The policy's last write: after its rule creates, updates and deletes (all in `dependsOn`), one call with
     * every rule id of the policy, in `order`. `moves` are the rules whose position changes.
     */
    | { kind: "reorder"; liveId: string; moves: RuleMove[]; order: RuleSlot[] }
  );

export type CedarRuleChange = ChangeBase & {
  type: "cedar-rule";
  /** The policy's name after this run, and its live id when it exists at plan time. */
  policy: Ref;
} & (
    | { kind: "create"; body: CedarRuleFields & Pick<CedarRuleSettings, "text" | "ordinal"> }
    | { kind: "update"; liveId: string; body: CedarRuleUpdateFields; beforeText: string }
    | { kind: "delete"; liveId: string; text: string; ordinal: number }
  );

export type Change = RbacPolicyChange | RoleChange | CedarPolicyChange | CedarRuleChange;

export type GuardKind = "threshold-update" | "threshold-delete" | "protected" | "assigned-role" | "attached-policy";

export interface Guard {
  kind: GuardKind;
  /** What `apply` would refuse, in words, with how to proceed. */
  message: string;
  hint: string;
  /** The object concerned, written out (or the scope key, for thresholds): a guard is a finished sentence. */
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
  /** Rules that change position (not reorder calls: one call carries all the moves of a policy). */
  move: number;
}

/** Access impact of one changed role: effective permissions gained and lost, and how many members hold it. */
export interface RoleImpact {
  /** The role's written address, under its name after this run. */
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

/**
 * Where the plan's directory is: relative to the top of its Git work tree, or (outside any) its real path.
 * Compared as real paths when a saved plan is applied.
 */
export type PlanLocation = { kind: "git"; path: string } | { kind: "path"; path: string };

/** The embedded emulator, or each API's normalised URL (and the Cedar tenant). */
export type PlanTargets = { local: true } | { local: false; rbac?: { url: string }; cedar?: { url: string; tenant: string } };

/** `--base`: where each change comes from. */
export type DriftMark = "files" | "drift" | "both";

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** Digest of the desired-state files as written. */
  sourceDigest: string;
  /**
   * The desired-state files as written (before `${env:…}` replacement): a saved plan can be re-planned. `dir` as
   * given; `location` binds the plan to its directory (docs/plan-and-apply.md#reviewed-plans).
   */
  desired: { dir: string; location?: PlanLocation; files: SourceFile[] };
  /** Which services the plan was made against, for the APIs the files use (URLs and tenant; never keys). */
  targets: PlanTargets;
  /** With `--only`: how many changes the selection leaves out (never hidden: renderers say so). */
  outsideOnly?: number;
  /** Warnings found against the live state (a protect/ignore/owns pattern naming nothing); outside the checksum. */
  warnings?: Diagnostic[];
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
  /**
   * The Cedar review by decision (docs/plan-and-apply.md#decision-review), when the plan changes Cedar: what the
   * changes allow and deny on the declared universe of requests. Never part of the checksum.
   */
  decisions?: Decisions;
  /** What the decision review could not do, or a reader should know (the cap, rules that do not parse, …). */
  decisionNotes?: string[];
  /**
   * Invariants (`cedar.invariants`) that hold after the plan but not on the live tenant: "this apply restores
   * invariant X" (docs/plan-and-apply.md#invariants-in-a-plan). Never part of the checksum.
   */
  invariantsRestored?: string[];
}
