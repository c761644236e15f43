/**
 * One schema-checked file → its fragment of the desired state, every object carrying its place. The file's value
 * is the generated `AccessctlFile` type (schema-check.ts hands it over once ajv accepts it), so this walks typed
 * values. Files referenced by the YAML (`cedar.schema`, `rules: {file}`, `tests.entities`) are read relative to it.
 */
import { formatAddress } from "../address/address.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { AccessTestCase, DesiredCedarPolicy, DesiredInvariant, DesiredRbacPolicy, DesiredRole, NameRef } from "./types.js";
import { buildInvariants } from "../quality/invariant-scope.js";
import { keyPositionOf, positionOf, type PathItem, type YamlFile } from "./yaml-file.js";
import { buildRules, type ReadText } from "./build-rules.js";
import type { AccessctlFile, AccessTestsFile, CedarFile, RbacPolicyFile, RbacScopeFile, SettingsFile } from "./file-format.generated.js";
import { jsonErrorOffset } from "./json-error.js";
import { LineIndex } from "./line-index.js";
import { CEDAR_ID_BYTES, RBAC_ID_BYTES, checkBody, checkDurations, field, type BodyPart } from "./limits.js";

export interface FragmentScope {
  loc: ReturnType<typeof positionOf>;
  policies?: DesiredRbacPolicy[];
  roles?: DesiredRole[];
}

export interface FileFragment {
  file: string;
  organization?: FragmentScope;
  projects: (FragmentScope & { name: string })[];
  cedar?: {
    loc: ReturnType<typeof positionOf>;
    schema?: { path: string; text: string; loc: ReturnType<typeof positionOf> };
    policies?: DesiredCedarPolicy[];
    tests?: {
      entities?: { path: string; value: unknown; loc: ReturnType<typeof positionOf> };
      minCoverage?: { value: number; loc: ReturnType<typeof positionOf> };
      cases: AccessTestCase[];
    };
    invariants?: DesiredInvariant[];
    review?: { maxRequests?: number; loc: ReturnType<typeof positionOf> };
  };
  settings?: { value: RawSettings; loc: ReturnType<typeof positionOf>; y: YamlFile };
}

/** The `accessctl:` block as written (compiled by settings.ts). */
export type RawSettings = SettingsFile;

type Path = readonly PathItem[];

/** The names listed under `key` (absent: none), each with its place. */
function refs(y: YamlFile, list: readonly string[] | undefined, at: Path, key: string): NameRef[] {
  return (list ?? []).map((name, i) => ({ name, loc: positionOf(y, [...at, key, i]) }));
}

/** One file's objects, from its value as the schema accepted it (`checkSchema`). */
export function buildFragment(y: YamlFile, file: AccessctlFile, readText: ReadText): { fragment: FileFragment; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fragment: FileFragment = { file: y.file, projects: [] };

  if (file.organization) fragment.organization = buildScope(y, file.organization, ["organization"], undefined, diagnostics);
  file.projects?.forEach((p, i) => fragment.projects.push({ name: p.name, ...buildScope(y, p, ["projects", i], p.name, diagnostics) }));
  if (file.cedar) fragment.cedar = buildCedar(y, file.cedar, readText, diagnostics);
  if (file.accessctl) fragment.settings = { value: file.accessctl, loc: keyPositionOf(y, ["accessctl"]), y };
  return { fragment, diagnostics };
}

/** A list of ids as sent (`"ids":[…]`), each id counted at `idBytes`. */
function idList(path: Path, wire: string, count: number, idBytes: number): BodyPart {
  return { path, wire, bytes: wire.length + 4 + count * idBytes };
}

/** The body of the PUT/POST that writes an RBAC object: name, description (null when left out), its id list. */
function rbacBody(at: Path, o: { name: string; description?: string | null }, listKey: string, wire: string, count: number): BodyPart[] {
  return [field([...at, "name"], "name", o.name), field([...at, "description"], "description", o.description ?? null), idList([...at, listKey], wire, count, RBAC_ID_BYTES)];
}

function buildScope(y: YamlFile, scope: RbacScopeFile, path: Path, project: string | undefined, diagnostics: Diagnostic[]): FragmentScope {
  const s: FragmentScope = { loc: positionOf(y, path) };
  if (scope.policies) s.policies = buildRbacObjects(y, scope.policies, [...path, "policies"], POLICY, project, diagnostics);
  if (scope.roles) s.roles = buildRbacObjects(y, scope.roles, [...path, "roles"], ROLE, project, diagnostics);
  return s;
}

/**
 * What tells a custom policy from a custom role: the key of the names it lists (and `listed`, that key holding them),
 * the ids they are sent as, its address kinds.
 */
interface RbacKind<L extends string> {
  list: L;
  listed: (names: NameRef[]) => Record<L, NameRef[]>;
  wire: string;
  org: "org-policy" | "org-role";
  project: "project-policy" | "project-role";
}

const POLICY: RbacKind<"permissions"> = { list: "permissions", listed: (permissions) => ({ permissions }), wire: "permissionIds", org: "org-policy", project: "project-policy" };
const ROLE: RbacKind<"policies"> = { list: "policies", listed: (policies) => ({ policies }), wire: "policyIds", org: "org-role", project: "project-role" };

/** A custom policy or role as written: a policy lists `permissions`, a role `policies`. */
type RbacObjectFile<L extends string> = Pick<RbacPolicyFile, "name" | "description" | "previousNames"> & Record<L, string[]>;

/** A custom policy (`DesiredRbacPolicy`) or role (`DesiredRole`), its names under `L`. */
type DesiredRbacObject<L extends string> = Omit<DesiredRbacPolicy, "permissions"> & Record<L, NameRef[]>;

/** The custom policies or roles of a scope (`at`: their list), each checked against the body that writes it. */
function buildRbacObjects<L extends string>(
  y: YamlFile,
  items: readonly RbacObjectFile<L>[],
  at: Path,
  kind: RbacKind<L>,
  project: string | undefined,
  diagnostics: Diagnostic[],
): DesiredRbacObject<L>[] {
  const place = (p: readonly PathItem[]) => positionOf(y, p);
  return items.map((o, i) => {
    const here = [...at, i];
    const object: DesiredRbacObject<L> = {
      name: o.name,
      address: formatAddress(project === undefined ? { kind: kind.org, name: o.name } : { kind: kind.project, project, name: o.name }),
      loc: positionOf(y, here),
      ...kind.listed(refs(y, o[kind.list], here, kind.list)),
      previousNames: refs(y, o.previousNames, here, "previousNames"),
    };
    // Optional fields are copied only when written: a key left out stays absent, and keeps the live value.
    if (o.description !== undefined) object.description = o.description;
    const tooBig = checkBody(`writes ${object.address}`, rbacBody(here, o, kind.list, kind.wire, o[kind.list].length), place, object.address);
    if (tooBig) diagnostics.push(tooBig);
    return object;
  });
}

function buildCedar(y: YamlFile, c: CedarFile, readText: ReadText, diagnostics: Diagnostic[]): NonNullable<FileFragment["cedar"]> {
  const cedar: NonNullable<FileFragment["cedar"]> = { loc: positionOf(y, ["cedar"]) };
  if (c.schema !== undefined) {
    const loc = positionOf(y, ["cedar", "schema"]);
    const read = readText(y.file, c.schema, loc, "the Cedar schema");
    if ("error" in read) diagnostics.push(read.error);
    else cedar.schema = { path: read.path, text: read.text, loc };
  }
  if (c.policies) {
    cedar.policies = c.policies.map((p, i) => {
      const at = ["cedar", "policies", i];
      const policy: DesiredCedarPolicy = {
        name: p.name,
        address: formatAddress({ kind: "cedar-policy", name: p.name }),
        loc: positionOf(y, at),
        maxDurationSeconds: p.maxDurationSeconds,
        rules: buildRules(y, p.name, p.rules, [...at, "rules"], readText, diagnostics),
        previousNames: refs(y, p.previousNames, at, "previousNames"),
      };
      if (p.description !== undefined) policy.description = p.description;
      if (p.notificationChannel !== undefined) policy.notificationChannel = p.notificationChannel;
      if (p.enabled !== undefined) policy.enabled = p.enabled;
      if (p.priority !== undefined) policy.priority = p.priority;
      if (p.defaultDurationSeconds !== undefined) policy.defaultDurationSeconds = p.defaultDurationSeconds;
      for (const d of cedarLimits(y, policy, at, Array.isArray(p.rules))) diagnostics.push(d);
      return policy;
    });
  }
  if (c.tests) cedar.tests = buildTests(y, c.tests, readText, diagnostics);
  if (c.invariants) cedar.invariants = buildInvariants(y, c.invariants, diagnostics);
  if (c.review) cedar.review = { ...(c.review.maxRequests === undefined ? {} : { maxRequests: c.review.maxRequests }), loc: positionOf(y, ["cedar", "review"]) };
  return cedar;
}

/** The Cedar policy's limits: durations, and the bodies that write it, its rules, and its one reorder call. */
function cedarLimits(y: YamlFile, policy: DesiredCedarPolicy, at: Path, rulesInYaml: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  const place = (p: readonly PathItem[]) => positionOf(y, p);
  const add = (d: Diagnostic | undefined): void => {
    if (d) out.push(d);
  };
  add(checkDurations(policy.maxDurationSeconds, policy.defaultDurationSeconds, positionOf(y, [...at, "defaultDurationSeconds"]), policy.address));
  const settings: BodyPart[] = [
    field([...at, "name"], "name", policy.name),
    field([...at, "description"], "description", policy.description ?? null),
    field([...at, "notificationChannel"], "notification_channel", policy.notificationChannel ?? null),
    // enabled, priority and the two durations: small numbers, counted at their largest.
    { path: at, wire: "enabled", bytes: 120 },
  ];
  add(checkBody(`writes ${policy.address}`, settings, place, policy.address));
  policy.rules.forEach((rule, i) => {
    const ruleAt = [...at, "rules", i];
    // A rule read from a `.cedar` file has no YAML path of its own: its problems stand at the rule in that file.
    const rulePlace = (p: readonly PathItem[]) => (rulesInYaml && p.length > 0 && p[p.length - 1] === "notice" ? positionOf(y, p) : rule.loc);
    const parts: BodyPart[] = [
      field([...ruleAt, "cedar"], "policy_text", rule.text),
      field([...ruleAt, "notice"], "notice", rule.notice ?? null),
      { path: ruleAt, wire: "ordinal", bytes: 60 },
    ];
    add(checkBody(`writes ${rule.address}`, parts, rulePlace, rule.address));
  });
  add(checkBody(`reorders the rules of ${policy.address}`, [idList([...at, "rules"], "ids", policy.rules.length, CEDAR_ID_BYTES)], place, policy.address));
  return out;
}

function buildTests(y: YamlFile, t: AccessTestsFile, readText: ReadText, diagnostics: Diagnostic[]): NonNullable<NonNullable<FileFragment["cedar"]>["tests"]> {
  const tests: NonNullable<NonNullable<FileFragment["cedar"]>["tests"]> = {
    cases: t.cases.map((tc, i) => ({
      name: tc.name,
      principal: tc.principal,
      action: tc.action,
      resource: tc.resource,
      context: tc.context ?? {},
      expect: tc.expect,
      loc: positionOf(y, ["cedar", "tests", "cases", i]),
    })),
  };
  if (t.minCoverage !== undefined) tests.minCoverage = { value: t.minCoverage, loc: positionOf(y, ["cedar", "tests", "minCoverage"]) };
  if (t.entities !== undefined) {
    const loc = positionOf(y, ["cedar", "tests", "entities"]);
    const read = readText(y.file, t.entities, loc, "the entities file");
    if ("error" in read) diagnostics.push(read.error);
    else {
      try {
        tests.entities = { path: read.path, value: JSON.parse(read.text) as unknown, loc };
      } catch {
        const at = jsonErrorOffset(read.text);
        const lines = new LineIndex(read.path, read.text);
        const found = at >= read.text.length ? "the text ends too early" : `unexpected ${JSON.stringify(read.text.slice(at, at + 1))}`;
        diagnostics.push(
          diag("entities-json", `the entities file is not valid JSON: ${found}`, lines.position(Math.max(0, at)), {
            hint: "fix the JSON (a trailing comma? a missing quote?): a Cedar entities file is an array of {uid, attrs, parents}",
          }),
        );
      }
    }
  }
  return tests;
}
