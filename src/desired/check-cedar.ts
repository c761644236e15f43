/**
 * The Cedar stage of validation: every rule of the desired state parsed in ONE engine call, validated against
 * `cedar.schema` in ONE call (per 10,000 rules; a second call for a chunk only when some rule of that chunk does not
 * parse, so that every rule's problems are reported in one run), one statement per `cedar:`, no two rules of equal
 * meaning in one policy. Engine offsets come back as offsets into each rule's text and are placed with the rule's
 * locator. A syntax error is said as one, with or without a schema.
 */
import { pushAll } from "../arrays/push-all.js";
import { findDuplicateRules, parseRules, validateRules, type CedarProblem, type RuleText, type ValidationReport } from "../cedar/check-rules.js";
import { reserveEngineMemory } from "../cedar/engine-memory.js";
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

/** Every rule validated against the schema, chunk by chunk, each chunk retried on its own (`validateWithRetry`). */
function validateEveryRule(texts: readonly RuleText[], schemaText: string): ValidationReport {
  return inChunks(texts, (chunk) => validateWithRetry(chunk, schemaText));
}

/**
 * With a schema, one validation call also reports parse errors per rule (no separate parse call when every rule
 * parses). The engine validates nothing when a rule does not parse, so then the rules of this chunk that parsed
 * are validated in a second call: a syntax error in one rule never hides the other rules' problems. The retry is
 * per chunk, so a syntax error costs its own chunk a second call, not every chunk. The schema's problems come
 * back from both calls; `inChunks` keeps each once.
 */
function validateWithRetry(chunk: readonly RuleText[], schemaText: string): ValidationReport {
  const first = validateRules(chunk, schemaText);
  const unparsed = new Set(first.rules.filter((p) => p.kind === "parse").map((p) => p.key));
  if (unparsed.size === 0) return first;
  const rest = chunk.filter((t) => !unparsed.has(t.key));
  if (rest.length === 0) return first;
  const second = validateRules(rest, schemaText);
  return { rules: [...first.rules, ...second.rules], schema: [...first.schema, ...second.schema] };
}

/**
 * Rules per engine call. The engine's cost grows faster than the number of rules in one call (38,723 generated
 * rules: 127 s of CPU validated in one call, 11 s in calls of 10,000), so a large desired state is checked in
 * calls of this size: still one call for the 10,000-object bench, a few for 200,000 objects. Rules are checked
 * independently, so the chunks change no result.
 */
export const RULES_PER_ENGINE_CALL = 10_000;

/** The chunks' reports in order, the schema's problems kept once (each call reports them again). */
function inChunks(texts: readonly RuleText[], check: (chunk: readonly RuleText[]) => ValidationReport): ValidationReport {
  const out: ValidationReport = { rules: [], schema: [] };
  for (const chunk of chunksOf(texts)) {
    const r = check(chunk);
    pushAll(out.rules, r.rules);
    pushAll(out.schema, r.schema);
  }
  return { rules: out.rules, schema: uniqueSchemaProblems(out.schema) };
}

/** Always at least one chunk, even of no rules: that call still reports the schema's own problems. */
function chunksOf(texts: readonly RuleText[]): (readonly RuleText[])[] {
  if (texts.length <= RULES_PER_ENGINE_CALL) return [texts];
  const chunks: (readonly RuleText[])[] = [];
  for (let i = 0; i < texts.length; i += RULES_PER_ENGINE_CALL) chunks.push(texts.slice(i, i + RULES_PER_ENGINE_CALL));
  return chunks;
}

/** Each call reports the schema's own problems again: once is enough. */
function uniqueSchemaProblems(list: readonly CedarProblem[]): CedarProblem[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = `${p.severity}:${p.start ?? ""}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
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
  // The engine needs about 20 bytes of memory per byte of rule text to check them, and as much again to keep the
  // rules parsed for the access tests, the impact and the decision review of the same run: reserved once.
  reserveEngineMemory(48 * texts.reduce((n, t) => n + t.text.length, 0));
  const schema = desired.cedar?.schema;
  const report = schema ? validateEveryRule(texts, schema.text) : inChunks(texts, (chunk) => ({ rules: parseRules(chunk), schema: [] }));
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
