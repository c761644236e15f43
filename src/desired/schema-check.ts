/**
 * JSON Schema validation of one file's value, with ajv's errors rewritten in plain words and placed on the
 * YAML node they are about. The schema file is the single source of truth for the format.
 */
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { schemaPath } from "./package-root.js";
import { keyPositionOf, positionOf, type PathItem, type YamlFile } from "./yaml-file.js";
import { addressForPath } from "./path-address.js";

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(schemaPath(), "utf8")) as object;
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: false });
    validator = ajv.compile(schema);
  }
  return validator;
}

export function checkSchema(y: YamlFile): Diagnostic[] {
  const validate = getValidator();
  if (validate(y.value)) return [];
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
  return out;
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
 * ajv reports every branch of a failed `oneOf`. Keep the branch that got furthest into the data (the one the
 * user meant); when no branch got past the value itself, keep only the `oneOf` error, which `describe` words.
 */
function pickBranches(errors: ErrorObject[]): ErrorObject[] {
  let result = errors;
  const oneOfs = errors.filter((e) => e.keyword === "oneOf" || e.keyword === "not");
  for (const o of oneOfs) {
    const prefix = o.schemaPath + "/";
    const branchErrors = result.filter((e) => e !== o && e.schemaPath.startsWith(prefix) && e.instancePath.startsWith(o.instancePath));
    if (o.keyword === "not") {
      result = result.filter((e) => !branchErrors.includes(e));
      continue;
    }
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of branchErrors) {
      const branch = e.schemaPath.slice(prefix.length).split("/")[0]!;
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
    }
    let best: ErrorObject[] | undefined;
    let bestDepth = -1;
    for (const list of byBranch.values()) {
      // A branch that failed only on its type (or shape at the value itself) was not the one meant.
      const depth = Math.max(...list.map((e) => e.instancePath.length + (e.keyword === "type" || e.keyword === "oneOf" || e.keyword === "not" || e.keyword === "required" ? 0 : 1)));
      if (depth > bestDepth) {
        best = list;
        bestDepth = depth;
      }
    }
    const meant = best && bestDepth > o.instancePath.length ? best : undefined;
    result = result.filter((e) => !branchErrors.includes(e) || (meant?.includes(e) ?? false));
    if (meant) result = result.filter((e) => e !== o);
  }
  return result;
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
    case "minItems":
      return diag("schema-empty", `${field} should not be an empty list`, at, extra);
    case "minProperties":
      return path.length === 0
        ? diag("not-accessctl", "this YAML file holds no accessctl key (organization, projects, cedar or accessctl)", at, {
            hint: "every YAML file in the directory is read as an accessctl file: add content, or move the file out of the directory",
          })
        : diag("schema-empty", `${field} should not be empty`, at, { ...extra, hint: scopeHint(path) });
    case "maxProperties":
      return diag("schema-shape", `${field} takes exactly one of \`eq\` or \`in\``, at, extra);
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

function scopeHint(path: PathItem[]): string {
  const last = path[path.length - 1];
  if (last === "principal" || last === "resource") return "use {eq: E}, {in: E}, {is: T} or {is: T, in: E}; leave the key out for any";
  if (last === "action") return "use {eq: a} or {in: [a, b]}; leave the key out for any action";
  return "remove the key, or give it content";
}

function shapeMessage(e: ErrorObject, field: string | undefined, v: unknown): string {
  const s = e.schemaPath;
  if (s.includes("/rule/")) {
    const o = (v ?? {}) as Record<string, unknown>;
    const structured = ["effect", "principal", "action", "resource", "when", "unless"].filter((k) => k in o);
    if ("cedar" in o && structured.length > 0) {
      return `a rule is either structured fields or one \`cedar:\` statement, not both (found \`cedar\` with ${structured.map((k) => `\`${k}\``).join(", ")})`;
    }
    return "a rule needs `effect` (structured fields) or `cedar` (one whole Cedar statement)";
  }
  if (s.includes("/rules/")) return "`rules` should be a list of rules, or `{file: ./path.cedar}`";
  if (s.includes("conditionList")) return `${field} should be a Cedar expression, or a list of them`;
  if (s.includes("entityScope")) return `${field} takes {eq: E}, {in: E}, {is: T} or {is: T, in: E}`;
  return `${field ?? "the value"} does not have an accepted shape`;
}

function shapeHint(e: ErrorObject): string | undefined {
  const s = e.schemaPath;
  if (s.includes("/rule/")) return "write `effect: permit` with optional principal/action/resource/when/unless, or `cedar: permit(…);`";
  if (s.includes("entityScope")) return "`eq` and `in` cannot be combined; `is` may carry `in`";
  return undefined;
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
