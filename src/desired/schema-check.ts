/**
 * JSON Schema validation of one file's value, with ajv's errors rewritten in plain words and placed on the
 * YAML node they are about. The schema file is the single source of truth for the format: the keys and shapes
 * named in messages are read from it (or from the types generated from it), not listed again here.
 */
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { codePoints } from "./code-points.js";
import validateFile, { defs as generatedDefs } from "./schema-validator.generated.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { AccessctlFile } from "./file-format.generated.js";
import { keyPositionOf, notAccessctl, positionOf, type PathItem, type YamlFile } from "./yaml-file.js";
import { addressForPath } from "./path-address.js";
import { closest, distance } from "./near-miss.js";

/** The parts of a schema node this module reads. */
interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  required?: string[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  not?: SchemaNode;
}

/**
 * The validator, compiled ahead of time from the schema (scripts/gen-schema-validator.mjs): all errors, each with
 * its schema node; name lengths in code points, as JSON Schema counts them and as the emulator counts a name.
 */
const validate = validateFile as unknown as ValidateFunction<AccessctlFile>;

/**
 * The schema's `$defs`, for the key lists and shapes named in messages: the very nodes the validator's errors carry
 * as `parentSchema`, so an error's definition is found by identity (`defOf`).
 */
const defs = generatedDefs as Record<string, SchemaNode>;

/**
 * Checks one file against the schema. Accepted, it hands back the file's value as the format's type: the one place
 * where YAML's `unknown` becomes `AccessctlFile`, guarded by the validator itself (ajv's type guard) rather than by
 * a cast; readers of a file's content start from that value. Otherwise the problems, in plain words, placed.
 */
export function checkSchema(y: YamlFile): { diagnostics: Diagnostic[]; file?: AccessctlFile } {
  const value = y.value;
  if (validate(value)) return { diagnostics: [], file: value };
  const errors = pickBranches(validate.errors ?? []);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const d = describe(y, e);
    const key = `${d.line}:${d.col}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  }
  return { diagnostics: out };
}

function pathOf(instancePath: string): PathItem[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * ajv reports every branch of a failed `oneOf` (and `$ref`s make its schema paths relative, so branches cannot
 * be told apart by path). Decide by the data instead: when a `oneOf` value has problems deeper inside, or problems
 * that only one branch can have (an unknown key, a bad enum), the user meant that branch — keep those and drop the
 * branch-selection noise at the value itself (the `oneOf`, type mismatches of other branches, their `required`
 * and `not`). Otherwise nothing points at a branch: keep the `oneOf` alone, which `describe` words for its shape.
 */
function pickBranches(errors: ErrorObject[]): ErrorObject[] {
  const NOISE = new Set(["type", "required", "not", "oneOf", "minProperties", "maxProperties"]);
  let result = errors;
  for (const o of errors.filter((e) => e.keyword === "oneOf")) {
    if (!result.includes(o)) continue;
    const at = o.instancePath;
    const deeper = result.some((e) => e.instancePath.startsWith(at + "/"));
    const same = result.filter((e) => e !== o && e.instancePath === at);
    const telling = same.some((e) => !NOISE.has(e.keyword));
    if (deeper || telling) result = result.filter((e) => e !== o && !(e.instancePath === at && NOISE.has(e.keyword)));
    else result = result.filter((e) => !same.includes(e));
  }
  // An unknown key that is a near-miss of a missing one (`files` for `file`) is one mistake, said once.
  const unknown = result.filter((e) => e.keyword === "additionalProperties");
  return result.filter(
    (e) =>
      e.keyword !== "required" ||
      !unknown.some((u) => u.instancePath === e.instancePath && distance(String((u.params as Record<string, unknown>)["additionalProperty"]), String((e.params as Record<string, unknown>)["missingProperty"])) <= 2),
  );
}

function describe(y: YamlFile, e: ErrorObject): Diagnostic {
  const path = pathOf(e.instancePath);
  const address = addressForPath(y.value, path);
  const field = fieldName(path);
  const at = positionOf(y, path);
  const extra = address === undefined ? {} : { address };
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(p["additionalProperty"]);
      const allowed = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
      const guess = closest(key, allowed);
      return diag("schema-unknown-key", `unknown key \`${key}\`${field ? ` in ${field}` : ""}`, keyPositionOf(y, [...path, key]), {
        ...extra,
        hint: guess ? `did you mean \`${guess}\`?` : `allowed keys here: ${allowed.join(", ") || "none"}`,
      });
    }
    case "required": {
      const missing = String(p["missingProperty"]);
      return diag("schema-missing", `\`${missing}\` is required${field ? ` in ${field}` : ""}`, at, {
        ...extra,
        hint: requiredHint(missing),
      });
    }
    case "type": {
      return diag("schema-type", `${field ?? "the file"} should be ${article(String(p["type"]))}, not ${kindOf(valueAt(y.value, path))}`, at, extra);
    }
    case "enum": {
      const allowed = (p["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      return diag("schema-enum", `${field} should be one of ${allowed}, not ${JSON.stringify(valueAt(y.value, path))}`, at, extra);
    }
    case "minLength":
    case "pattern":
      return diag("schema-format", patternMessage(field, path, valueAt(y.value, path)), at, extra);
    case "maxLength": {
      const v = valueAt(y.value, path);
      const length = typeof v === "string" ? codePoints(v) : 0;
      return diag("limit-name", `${field ?? "the value"} is ${length} characters long; the services take at most ${String(p["limit"])}`, at, {
        ...extra,
        hint: `shorten it to ${String(p["limit"])} characters or fewer (spaces count; a service refuses the whole request)`,
      });
    }
    case "minItems":
      return diag("schema-empty", `${field} should not be an empty list`, at, extra);
    case "minProperties":
      return path.length === 0
        ? notAccessctl(at)
        : diag("schema-empty", `${field} should not be empty`, at, { ...extra, hint: scopeHint(e) });
    case "maxProperties":
      return diag("schema-shape", `${field} takes exactly one of ${orList(Object.keys((e.parentSchema as SchemaNode | undefined)?.properties ?? {}).map((k) => `\`${k}\``))}`, at, extra);
    case "minimum":
    case "maximum":
      return diag("schema-range", `${field} should be ${e.keyword === "minimum" ? "at least" : "at most"} ${String(p["limit"])}`, at, extra);
    case "oneOf":
    case "not":
      return diag("schema-shape", shapeMessage(e, field, valueAt(y.value, path)), at, { ...extra, hint: shapeHint(e) });
    default:
      return diag("schema", `${field ?? "the file"}: ${e.message ?? "does not match the schema"}`, at, extra);
  }
}

function fieldName(path: PathItem[]): string | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const item = path[i];
    if (typeof item === "string") return i === path.length - 1 ? `\`${item}\`` : `an item of \`${item}\``;
  }
  return undefined;
}

function valueAt(value: unknown, path: PathItem[]): unknown {
  let v = value;
  for (const p of path) v = (v as Record<string | number, unknown> | undefined)?.[p];
  return v;
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the text ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

function article(t: string): string {
  const words: Record<string, string> = {
    array: "a list",
    object: "a mapping",
    string: "text",
    integer: "a whole number",
    number: "a number",
    boolean: "true or false",
    "string,null": "text or null",
    "integer,null": "a whole number or null",
  };
  return words[t] ?? t;
}

function requiredHint(missing: string): string {
  const hints: Record<string, string> = {
    name: "give the object a `name`: it is its identity within its scope",
    permissions: "list the policy's permission names, e.g. `permissions: [billing:read]` (or `[]`)",
    policies: "list the role's policy names, e.g. `policies: [Manage billing]` (or `[]`)",
    maxDurationSeconds: "the Cedar API requires `maxDurationSeconds`, e.g. `maxDurationSeconds: 3600`",
    rules: "add `rules:` — a list of rules, or `{file: ./rules.cedar}`",
    cases: "add `cases:` — a list of access tests",
    file: "write `rules: {file: ./path.cedar}`",
    expect: "say what the test expects: `expect: allow` or `expect: deny`",
  };
  return hints[missing] ?? `add \`${missing}\``;
}

function patternMessage(field: string | undefined, path: PathItem[], v: unknown): string {
  const parent = path[path.length - 2];
  if (parent === "permissions") return `permission ${JSON.stringify(v)} is not of the form resource:action (e.g. billing:read)`;
  return `${field ?? "the value"} should not be empty or blank`;
}

/** `a, b or c`. */
function orList(words: readonly string[]): string {
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]!}`;
}

function scopeHint(e: ErrorObject): string {
  const s = defOf(e);
  if (s === "entityScope") return "use {eq: E}, {in: E}, {is: T} or {is: T, in: E}; leave the key out for any";
  if (s === "actionScope") return "use {eq: a} or {in: [a, b]}; leave the key out for any action";
  return "remove the key, or give it content";
}

/**
 * Which definition of the schema an error belongs to (ajv's paths are relative inside `$ref`s): the error carries
 * its schema node, the very object `defs` holds.
 */
function defOf(e: ErrorObject): string | undefined {
  for (const [name, def] of Object.entries(defs)) {
    if (e.parentSchema === def) return name;
  }
  return e.parentSchema === defs["cedarPolicy"]?.properties?.["rules"] ? "rules" : undefined;
}

/**
 * The rule definition's two forms, read from its `oneOf`: the statement form is the branch that forbids all the
 * other form's keys (`cedar`, forbidding `effect`, `principal`, …); the structured form forbids just `cedar`.
 */
function ruleForms(): { statementKey: string; structuredKeys: string[] } {
  const forbids = (b: SchemaNode): string[] => (b.not?.anyOf ?? (b.not ? [b.not] : [])).flatMap((n) => n.required ?? []);
  const statement = (defs["rule"]?.oneOf ?? []).find((b) => forbids(b).length > 1);
  return { statementKey: statement?.required?.[0] ?? "", structuredKeys: statement ? forbids(statement) : [] };
}

function shapeMessage(e: ErrorObject, field: string | undefined, v: unknown): string {
  const s = defOf(e) ?? "";
  if (s === "rule") {
    const o = (v ?? {}) as Record<string, unknown>;
    const { statementKey, structuredKeys } = ruleForms();
    const structured = structuredKeys.filter((k) => k in o);
    if (statementKey in o && structured.length > 0) {
      return `a rule is either structured fields or one \`cedar:\` statement, not both (found \`${statementKey}\` with ${structured.map((k) => `\`${k}\``).join(", ")})`;
    }
    return "a rule needs `effect` (structured fields) or `cedar` (one whole Cedar statement)";
  }
  if (s === "rules") return "`rules` should be a list of rules, or `{file: ./path.cedar}`";
  if (s === "conditionList") return `${field} should be a Cedar expression, or a list of them`;
  if (s === "entityScope") return `${field} takes {eq: E}, {in: E}, {is: T} or {is: T, in: E}`;
  return `${field ?? "the value"} does not have an accepted shape`;
}

function shapeHint(e: ErrorObject): string | undefined {
  const s = defOf(e) ?? "";
  if (s === "rule") return "write `effect: permit` with optional principal/action/resource/when/unless, or `cedar: permit(…);`";
  if (s === "entityScope") return "`eq` and `in` cannot be combined; `is` may carry `in`";
  return undefined;
}
