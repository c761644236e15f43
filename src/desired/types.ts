/**
 * The desired state: every YAML file of a directory merged into one value, each object with its place.
 * `undefined` collections are unmanaged (absent); an empty array is authoritative (present, `[]`).
 * Optional fields: `undefined` keeps the live value, `null` clears it.
 */
import type { Pattern } from "../address/address.js";
import type { SourcePosition } from "../diagnostics/diagnostic.js";
import type { RuleScopeFields } from "../cedar/rule-fields.js";

export interface NameRef {
  name: string;
  loc: SourcePosition;
}

export interface DesiredRbacPolicy {
  name: string;
  address: string;
  loc: SourcePosition;
  description?: string | null;
  permissions: NameRef[];
  previousNames: NameRef[];
}

export interface DesiredRole {
  name: string;
  address: string;
  loc: SourcePosition;
  description?: string | null;
  policies: NameRef[];
  previousNames: NameRef[];
}

export interface DesiredRbacScope {
  /** Where the scope is first declared. */
  loc: SourcePosition;
  policies?: DesiredRbacPolicy[];
  roles?: DesiredRole[];
}

export interface DesiredProject extends DesiredRbacScope {
  name: string;
}

/** Maps a UTF-16 offset inside a rule's Cedar text to the place in the user's files it came from. */
export type Locator = (offset: number) => SourcePosition;

export interface DesiredRule {
  /** `cedar/policies/<name>/rules/<n>`, n the 1-based position in the files. */
  address: string;
  ordinal: number;
  /** How the user wrote it. */
  form: "structured" | "cedar" | "file";
  /** The single Cedar statement sent as `policy_text`. */
  text: string;
  /** Structured rules only: the fields the text was assembled from. */
  fields?: RuleScopeFields;
  notice?: string | null;
  auditSession?: boolean;
  loc: SourcePosition;
  locate: Locator;
}

export interface DesiredCedarPolicy {
  name: string;
  address: string;
  loc: SourcePosition;
  description?: string | null;
  enabled?: boolean;
  priority?: number;
  maxDurationSeconds: number;
  defaultDurationSeconds?: number | null;
  notificationChannel?: string | null;
  rules: DesiredRule[];
  previousNames: NameRef[];
}

export interface AccessTestCase {
  name: string;
  principal: string;
  action: string;
  resource: string;
  context: Record<string, unknown>;
  expect: "allow" | "deny";
  loc: SourcePosition;
}

/** A decision that must hold for every request of the universe its scope matches ("contractors never delete"). */
export interface DesiredInvariant {
  name: string;
  /** The scope as a rule's, `permit(<scope>);`: the requests it matches are those checked. */
  scopeText: string;
  expect: "allow" | "deny";
  /** Replaces the universe's contexts for the requests checked. */
  context?: Record<string, unknown>;
  loc: SourcePosition;
}

export interface DesiredCedar {
  loc: SourcePosition;
  schema?: { path: string; text: string; loc: SourcePosition };
  policies?: DesiredCedarPolicy[];
  tests?: {
    entities?: { path: string; value: unknown; loc: SourcePosition };
    /** `minCoverage`: the least share (0..1) of rules of enabled policies some test case must decide. */
    minCoverage?: { value: number; loc: SourcePosition };
    cases: AccessTestCase[];
  };
  /** `cedar.invariants`, in file order (docs/file-format.md#invariants). */
  invariants?: DesiredInvariant[];
  /** `cedar.review`: the plan's decision review (docs/plan-and-apply.md#decision-review). */
  review?: { maxRequests?: number; loc: SourcePosition };
}

export interface Thresholds {
  updatePercent: number;
  deletePercent: number;
  minExisting: number;
}

/** A compiled `owns` / `ignore` / `protect` pattern, with its place in the files (when read from them). */
export interface SettingsPattern extends Pattern {
  loc?: SourcePosition;
}

export interface Settings {
  owns: SettingsPattern[];
  ignore: SettingsPattern[];
  protect: SettingsPattern[];
  thresholds: Thresholds;
  loc?: SourcePosition;
}

/** A file as written (before `${env:…}` replacement), for plan files and their digest. */
export interface SourceFile {
  /** Relative to the desired-state directory, with `/` separators. */
  path: string;
  text: string;
}

export interface DesiredState {
  /** The directory the files were read from, as given. */
  dir: string;
  organization?: DesiredRbacScope;
  projects: DesiredProject[];
  cedar?: DesiredCedar;
  settings: Settings;
  sources: SourceFile[];
  /** sha256 over the sorted sources. */
  digest: string;
}

export const DEFAULT_THRESHOLDS: Thresholds = { updatePercent: 30, deletePercent: 30, minExisting: 10 };
