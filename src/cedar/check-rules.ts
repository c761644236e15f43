/**
 * Offline checks of many rules at once: parse (one engine call for all rules), validate against a schema (one
 * engine call), and find rules of equal meaning within one policy (no per-rule engine call unless two rules
 * are likely equal). Results are plain data keyed by the caller's rule keys; offsets are UTF-16 offsets into
 * the rule's own text (or the schema text), ready for a `Locator`.
 */
import { bucketKey, canonicalRule } from "./canonical.js";
import { checkParsePolicySet, validate } from "./engine.js";
import type { DetailedError, Schema } from "./engine.js";
import { errorSpan } from "./offsets.js";

export interface RuleText {
  /** The caller's name for the rule, unique within one call (e.g. its address). */
  key: string;
  text: string;
}

export interface CedarProblem {
  severity: "error" | "warning";
  message: string;
  /** The engine's suggestion, when it has one. */
  help?: string;
  start?: number;
  end?: number;
}

export interface RuleProblem extends CedarProblem {
  key: string;
  /** A syntax error (the rule does not parse), or a disagreement with the schema. */
  kind: "parse" | "validation";
}

export interface ValidationReport {
  /** Per-rule errors (parse and validation) and warnings. */
  rules: RuleProblem[];
  /** Problems of the schema itself; offsets into the schema text. */
  schema: CedarProblem[];
}

// The engine names policies by the ids we give it; short positional ids keep its messages small and keep any
// character a user key may hold out of them.
const ID_PREFIX = "r";

function idsFor(rules: readonly RuleText[]): Record<string, string> {
  const set: Record<string, string> = {};
  rules.forEach((r, i) => (set[`${ID_PREFIX}${i}`] = r.text));
  return set;
}

const PARSE_ID = /^failed to parse policy with id `r(\d+)` from string: /;
const POLICY_ID = /^for policy `r(\d+)`, /;

function problem(e: DetailedError, severity: "error" | "warning", message: string, text: string): CedarProblem {
  const p: CedarProblem = { severity, message, ...errorSpan(e, text) };
  if (e.help) p.help = e.help;
  return p;
}

/** A parse error from the engine, attributed to its rule; undefined when it names none. */
function ruleParseProblem(e: DetailedError, rules: readonly RuleText[]): RuleProblem | undefined {
  const m = PARSE_ID.exec(e.message);
  const rule = m?.[1] === undefined ? undefined : rules[Number(m[1])];
  if (!m || !rule) return undefined;
  return { key: rule.key, kind: "parse", ...problem(e, "error", e.message.slice(m[0].length), rule.text) };
}

/** Parses every rule in one engine call. Returns the problems (empty when all parse). */
export function parseRules(rules: readonly RuleText[]): RuleProblem[] {
  if (rules.length === 0) return [];
  const answer = checkParsePolicySet({ staticPolicies: idsFor(rules) });
  if (answer.type === "success") return [];
  return answer.errors.map(
    (e) =>
      ruleParseProblem(e, rules) ?? {
        key: rules[0]?.key ?? "",
        kind: "parse" as const,
        severity: "error",
        message: `bug: the Cedar engine reported an error that names no rule: ${e.message}`,
      },
  );
}

/**
 * Validates every rule against the schema (strict mode) in one engine call. Rules that do not parse are
 * reported as parse errors (`kind: "parse"`); the engine then validates nothing, so a caller that wants every
 * rule's problems validates the others again. A schema written as JSON (text starting with `{`) is accepted too.
 */
export function validateRules(rules: readonly RuleText[], schemaText: string): ValidationReport {
  const report: ValidationReport = { rules: [], schema: [] };
  let schema: Schema = schemaText;
  if (schemaText.trimStart().startsWith("{")) {
    try {
      schema = JSON.parse(schemaText) as Schema;
    } catch (err) {
      report.schema.push({ severity: "error", message: `the schema is not valid JSON: ${(err as Error).message}` });
      return report;
    }
  }
  const answer = validate({
    schema,
    policies: { staticPolicies: idsFor(rules) },
    validationSettings: { mode: "strict" },
  });
  if (answer.type === "failure") {
    for (const e of answer.errors) {
      const ruleProblem = ruleParseProblem(e, rules);
      if (ruleProblem) report.rules.push(ruleProblem);
      else report.schema.push(schemaProblem(e, "error", schemaText));
    }
    for (const w of answer.warnings) report.schema.push(schemaProblem(w, "warning", schemaText));
    return report;
  }
  const perRule = (list: typeof answer.validationErrors, severity: "error" | "warning") => {
    for (const { policyId, error } of list) {
      const rule = rules[Number(policyId.slice(ID_PREFIX.length))];
      if (!rule) continue;
      const message = error.message.replace(POLICY_ID, "");
      report.rules.push({ key: rule.key, kind: "validation", ...problem(error, severity, message, rule.text) });
    }
  };
  perRule(answer.validationErrors, "error");
  perRule(answer.validationWarnings, "warning");
  for (const w of answer.otherWarnings) report.schema.push(schemaProblem(w, "warning", schemaText));
  return report;
}

const SCHEMA_PREFIX = /^failed to parse schema from string: /;

function schemaProblem(e: DetailedError, severity: "error" | "warning", schemaText: string): CedarProblem {
  return problem(e, severity, e.message.replace(SCHEMA_PREFIX, ""), schemaText);
}

/**
 * Groups of rules with equal meaning (two in one policy are an invalid desired state: docs/file-format.md#rules),
 * each group in input order, groups ordered by their first rule. Rules are bucketed by a cheap key that equal
 * rules always share; only buckets of two or more pay for the engine's canonical form, so 10,000 distinct
 * rules cost no engine call.
 */
export function findDuplicateRules(rules: readonly RuleText[]): string[][] {
  const buckets = new Map<string, number[]>();
  rules.forEach((r, i) => {
    const key = bucketKey(r.text);
    const bucket = buckets.get(key);
    if (bucket) bucket.push(i);
    else buckets.set(key, [i]);
  });
  const groups: { first: number; keys: string[] }[] = [];
  for (const bucket of buckets.values()) {
    if (bucket.length < 2) continue;
    const byCanonical = new Map<string, number[]>();
    for (const i of bucket) {
      const canonical = canonicalRule(rules[i]?.text ?? "");
      const same = byCanonical.get(canonical);
      if (same) same.push(i);
      else byCanonical.set(canonical, [i]);
    }
    for (const same of byCanonical.values()) {
      if (same.length >= 2) groups.push({ first: same[0] ?? 0, keys: same.map((i) => rules[i]?.key ?? "") });
    }
  }
  return groups.sort((a, b) => a.first - b.first).map((g) => g.keys);
}
