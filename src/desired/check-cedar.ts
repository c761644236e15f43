/**
 * The Cedar stage of validation: every rule of the desired state parsed in ONE engine call, validated against
 * `cedar.schema` in ONE call, one statement per `cedar:`, no two rules of equal meaning in one policy. Engine
 * offsets come back as offsets into each rule's text and are placed with the rule's locator.
 */
import { findDuplicateRules, parseRules, validateRules, type CedarProblem } from "../cedar/check-rules.js";
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
  // With a schema, the one validation call also reports parse errors per rule: no separate parse call.
  const report = schema ? validateRules(texts, schema.text) : { rules: parseRules(texts), schema: [] };
  for (const p of report.rules) {
    const rule = byAddress.get(p.key);
    if (!rule) continue;
    const parseProblem = !schema || /parse|unexpected|invalid token|expected/i.test(p.message);
    out.push(
      ruleDiagnostic(
        rule,
        p,
        p.severity === "warning" ? "cedar-warning" : parseProblem && !schema ? "cedar-parse" : "cedar-validate",
        schema ? `the rule does not agree with the schema ${schema.path}: fix the rule or the schema` : "fix the Cedar syntax of this rule",
      ),
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
