/**
 * The Cedar stage of validation: every rule of the desired state parsed in ONE engine call, validated against
 * `cedar.schema` in ONE call (a second one only when some rule does not parse, so that every rule's problems are
 * reported in one run), one statement per `cedar:`, no two rules of equal meaning in one policy. Engine offsets
 * come back as offsets into each rule's text and are placed with the rule's locator. A syntax error is said as
 * one, with or without a schema.
 */
import { findDuplicateRules, parseRules, validateRules, type CedarProblem, type RuleText, type ValidationReport } from "../cedar/check-rules.js";
import { splitStatements } from "../cedar/split.js";
import { diag, type Diagnostic, type Severity } from "../diagnostics/diagnostic.js";
import { LineIndex } from "./line-index.js";
import type { DesiredRule, DesiredState } from "./types.js";

export function allRules(desired: DesiredState): DesiredRule[] {
  return (desired.cedar?.policies ?? []).flatMap((p) => p.rules);
}

function ruleDiagnostic(rule: DesiredRule, p: CedarProblem, code: string, hint: string): Diagnostic {
  const at = p.start === undefined ? rule.loc : rule.locate(p.start);
  return diag(code, p.message, at, {
    address: rule.address,
    severity: p.severity as Severity,
    hint: p.help ? `${p.help}` : hint,
  });
}

/**
 * With a schema, one validation call also reports parse errors per rule (no separate parse call when every rule
 * parses). The engine validates nothing when a rule does not parse, so then the rules that parsed are validated
 * in a second call: a syntax error in one rule never hides the other rules' problems.
 */
function validateEveryRule(texts: readonly RuleText[], schemaText: string): ValidationReport {
  const first = validateRules(texts, schemaText);
  const unparsed = new Set(first.rules.filter((p) => p.kind === "parse").map((p) => p.key));
  if (unparsed.size === 0) return first;
  const rest = texts.filter((t) => !unparsed.has(t.key));
  if (rest.length === 0) return first;
  const second = validateRules(rest, schemaText);
  const seen = new Set(first.schema.map((p) => `${p.start ?? ""}:${p.message}`));
  return {
    rules: [...first.rules, ...second.rules],
    schema: [...first.schema, ...second.schema.filter((p) => !seen.has(`${p.start ?? ""}:${p.message}`))],
  };
}

export function checkCedar(desired: DesiredState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const rules = allRules(desired);
  const byAddress = new Map(rules.map((r) => [r.address, r]));

  // One statement per `cedar:` — said plainly rather than as the parser's "unexpected token".
  const single = rules.filter((r) => {
    if (r.form !== "cedar") return true;
    const statements = splitStatements(r.text);
    if (statements.length > 1) {
      out.push(
        diag("cedar-statements", `a \`cedar:\` rule holds one statement; this one holds ${statements.length}`, r.locate(statements[1]!.start), {
          address: r.address,
          hint: "split it into one rule per statement, or move them to a file and write `rules: {file: ./rules.cedar}`",
        }),
      );
      return false;
    }
    return true;
  });

  const texts = single.map((r) => ({ key: r.address, text: r.text }));
  const schema = desired.cedar?.schema;
  const report = schema ? validateEveryRule(texts, schema.text) : { rules: parseRules(texts), schema: [] };
  for (const p of report.rules) {
    const rule = byAddress.get(p.key);
    if (!rule) continue;
    out.push(
      p.kind === "parse"
        ? ruleDiagnostic(rule, p, "cedar-parse", "fix the Cedar syntax of this rule: a statement is `permit (…)` or `forbid (…)`, optional `when { … }` / `unless { … }` clauses, and `;`")
        : ruleDiagnostic(rule, p, p.severity === "warning" ? "cedar-warning" : "cedar-validate", `the rule does not agree with the schema ${schema?.path ?? ""}: fix the rule or the schema`),
    );
  }
  if (schema) {
    const lines = new LineIndex(schema.path, schema.text);
    for (const p of report.schema) {
      out.push(
        diag("cedar-schema", `Cedar schema: ${p.message}`, p.start === undefined ? { file: schema.path, line: 1, col: 1 } : lines.position(p.start), {
          severity: p.severity as Severity,
          hint: p.help ?? "fix the schema file",
        }),
      );
    }
  }

  for (const policy of desired.cedar?.policies ?? []) {
    for (const group of findDuplicateRules(policy.rules.map((r) => ({ key: r.address, text: r.text })))) {
      const [first, ...rest] = group.map((a) => byAddress.get(a)!);
      for (const dup of rest) {
        out.push(
          diag("cedar-duplicate-rule", `rule ${dup.ordinal} of \`${policy.name}\` has the same meaning as rule ${first!.ordinal} (${first!.loc.file}:${first!.loc.line})`, dup.loc, {
            address: dup.address,
            hint: "two equal rules in one policy cannot be told apart: remove one",
          }),
        );
      }
    }
  }
  return out;
}
