/**
 * The raw desired-state file format, as written in YAML, before `${env:…}` replacement, merging and checks.
 * `schemas/accessctl.schema.json` is the single source of truth; these types mirror it key for key, and
 * `test/unit/schema-types.test.ts` fails (at type-check or at run time) when the two drift apart.
 *
 * Optional keys follow SPEC section 1: a left-out key keeps the live value (or, for a collection, leaves it
 * unmanaged); `null` clears a nullable field.
 */

/** One YAML file of a desired-state directory. At least one key is present. */
export interface AccessctlFile {
  organization?: RbacScopeFile;
  projects?: ProjectFile[];
  cedar?: CedarFile;
  /** Settings: at most once across all files. */
  accessctl?: SettingsFile;
}

/** The organization's (or a project's) custom policies and roles. A present collection is authoritative. */
export interface RbacScopeFile {
  policies?: RbacPolicyFile[];
  roles?: RoleFile[];
}

/** An existing project, matched by name; its collections merge across files. */
export interface ProjectFile extends RbacScopeFile {
  name: string;
}

export interface RbacPolicyFile {
  name: string;
  description?: string | null;
  /** Permission names (`resource:action`), resolved to ids from the live list. */
  permissions: string[];
  previousNames?: string[];
}

export interface RoleFile {
  name: string;
  description?: string | null;
  /** Names of policies of the same scope. */
  policies: string[];
  previousNames?: string[];
}

export interface CedarFile {
  /** Path (relative to the YAML file) of a `.cedarschema` file. */
  schema?: string;
  policies?: CedarPolicyFile[];
  tests?: AccessTestsFile;
}

export interface CedarPolicyFile {
  name: string;
  description?: string | null;
  enabled?: boolean;
  priority?: number;
  maxDurationSeconds: number;
  defaultDurationSeconds?: number | null;
  notificationChannel?: string | null;
  previousNames?: string[];
  /** Ordered rules, or a `.cedar` file whose every statement is a rule. */
  rules: RuleFile[] | RulesFromFile;
}

export interface RulesFromFile {
  file: string;
}

export const EFFECTS = ["permit", "forbid"] as const;
export type Effect = (typeof EFFECTS)[number];

/** `{eq: E} | {in: E} | {is: T} | {is: T, in: E}`; E an entity literal such as `User::"alice"`. */
export interface EntityScopeFile {
  eq?: string;
  in?: string;
  is?: string;
}

/** `{eq: a} | {in: [a, b]}`; bare ids mean `Action::"a"`. */
export interface ActionScopeFile {
  eq?: string;
  in?: string[];
}

/** A Cedar expression, or a list of them (one clause each). */
export type ConditionFile = string | string[];

interface RuleCommonFile {
  notice?: string | null;
  auditSession?: boolean;
}

/** A rule written as structured fields. */
export interface StructuredRuleFile extends RuleCommonFile {
  effect: Effect;
  principal?: EntityScopeFile;
  action?: ActionScopeFile;
  resource?: EntityScopeFile;
  when?: ConditionFile;
  unless?: ConditionFile;
  cedar?: never;
}

/** A rule written as one whole Cedar statement. */
export interface CedarStatementRuleFile extends RuleCommonFile {
  cedar: string;
  effect?: never;
  principal?: never;
  action?: never;
  resource?: never;
  when?: never;
  unless?: never;
}

/** Either form; the schema's `rule` definition lists the union of their keys. */
export type RuleFile = StructuredRuleFile | CedarStatementRuleFile;

export const EXPECTATIONS = ["allow", "deny"] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

export interface AccessTestsFile {
  /** Path of a Cedar entities JSON file. */
  entities?: string;
  cases: AccessTestCaseFile[];
}

export interface AccessTestCaseFile {
  name: string;
  principal: string;
  action: string;
  resource: string;
  context?: Record<string, unknown>;
  expect: Expectation;
}

export interface SettingsFile {
  owns?: string[];
  ignore?: string[];
  protect?: string[];
  thresholds?: ThresholdsFile;
}

export interface ThresholdsFile {
  updatePercent?: number;
  deletePercent?: number;
  minExisting?: number;
}
