/**
 * The rule-quality stage of validation (SPEC sections 4a and 10; docs/file-format.md#invariants): invariants
 * wherever the files are validated (validate, test, plan, apply), and — in `validate` and `test` only, where their
 * cost belongs — hygiene warnings and the coverage threshold. Every check runs on one universe with one
 * evaluator; nothing is built when there is nothing to check. Returns data: the report and its diagnostics.
 */
import { diag, type Diagnostic, type SourcePosition } from "../diagnostics/diagnostic.js";
import { DEFAULT_MAX_REQUESTS, everyRequest } from "../decisions/request-space.js";
import { desiredRuleRefs, refFor } from "../decisions/rule-refs.js";
import type { Outcome } from "../decisions/service-decision.js";
import type { RuleRefs } from "../decisions/rule-refs.js";
import { desiredEvalPolicies, type TestResult } from "../desired/access-tests.js";
import type { DesiredInvariant, DesiredRule, DesiredState } from "../desired/types.js";
import { computeCoverage, type Coverage } from "./coverage.js";
import { findHygiene, type HygieneFinding, type HygieneInput } from "./hygiene.js";
import { checkInvariants, shownRequest, type InvariantCheck } from "./invariants.js";
import { requestLabel, ruleLabel } from "./labels.js";
import { createUniverseDecider, qualityUniverse } from "./universe-decider.js";

export interface QualityOptions {
  /** Shadowed and redundant rules (warnings). */
  hygiene?: boolean;
  /** The coverage report, and `cedar.tests.minCoverage`. */
  coverage?: boolean;
}

export interface QualityReport {
  invariants: InvariantCheck[];
  coverage?: Coverage;
  /** The universe the invariants and hygiene looked at, when one was built. */
  universe?: { requests: number; schema: boolean };
  /** For the reader: requests evaluated without the schema, entities that do not match it, … */
  notes: string[];
}

export function checkQuality(
  desired: DesiredState,
  results: readonly TestResult[],
  options: QualityOptions = {},
): { report: QualityReport; diagnostics: Diagnostic[] } {
  const cedar = desired.cedar;
  const diagnostics: Diagnostic[] = [];
  const report: QualityReport = { invariants: [], notes: [] };
  if (!cedar) return { report, diagnostics };
  const refs = desiredRuleRefs(desired);

  if (options.coverage && cedar.policies) {
    report.coverage = computeCoverage(desired, results, refs);
    const min = cedar.tests?.minCoverage;
    if (min && !report.coverage.met) diagnostics.push(coverageDiagnostic(report.coverage, min));
  }

  const invariants = (cedar.invariants ?? []).filter((i) => i.scopeText !== "");
  const policies = desiredEvalPolicies(desired);
  const hasRules = policies.some((p) => p.enabled && p.rules.length > 0);
  const hygiene = options.hygiene === true && hasRules;
  if (invariants.length === 0 && !hygiene) return { report, diagnostics };

  const universe = qualityUniverse(desired);
  const max = cedar.review?.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const schema = cedar.schema?.text;
  const entities = cedar.tests?.entities?.value;
  const decider = createUniverseDecider({ universe, sides: [policies], ...(schema === undefined ? {} : { schema }), ...(entities === undefined ? {} : { entities }) });
  report.universe = { requests: universe.size, schema: universe.schema };
  report.notes.push(...universe.notes);

  if (hygiene) {
    const space = everyRequest(universe, { maxRequests: max });
    let decided: HygieneInput["decided"];
    if (space.capped) {
      diagnostics.push(
        diag("hygiene-capped", `shadowed and redundant rules are checked by scope only: the universe has ${universe.size} requests, more than cedar.review.maxRequests (${max})`, cedar.review?.loc ?? cedar.loc, {
          severity: "warning",
          hint: "raise cedar.review.maxRequests to decide every request of the universe, or leave it: rules without conditions are still checked exactly",
        }),
      );
    } else {
      const found = decider.decide(universe, space.requests);
      decided = { requests: found.requests, outcomes: found.outcomes.map((o) => o[0] as Outcome) };
    }
    const rules = new Map<string, DesiredRule>();
    for (const p of cedar.policies ?? []) for (const r of p.rules) rules.set(r.address, r);
    for (const f of findHygiene({ policies, universe, ...(decided ? { decided } : {}) })) {
      const rule = rules.get(f.rule);
      if (rule) diagnostics.push(hygieneDiagnostic(f, rule, refs, universe.size));
    }
  }

  report.invariants = checkInvariants({ invariants, universe, decider, maxRequests: max, refs });
  report.invariants.forEach((check, i) => {
    const d = invariantDiagnostic(check, invariants[i] as DesiredInvariant, max, desired.dir);
    if (d) diagnostics.push(d);
  });
  report.notes.push(...decider.warnings);
  return { report, diagnostics };
}

function coverageDiagnostic(c: Coverage, min: { value: number; loc: SourcePosition }): Diagnostic {
  const shown = c.uncovered.slice(0, 10).map(ruleLabel);
  const more = c.uncovered.length > shown.length ? `, and ${c.uncovered.length - shown.length} more` : "";
  return diag(
    "min-coverage",
    `access tests decide ${c.covered} of ${c.rules} rules (${percent(c.share)}), below cedar.tests.minCoverage ${percent(min.value)}; no test decides ${shown.join(", ")}${more}`,
    min.loc,
    { hint: "add access tests that these rules decide (`accessctl test --coverage` lists every rule), or lower minCoverage" },
  );
}

export function percent(share: number): string {
  return `${Math.floor(share * 1000) / 10}%`;
}

function hygieneDiagnostic(f: HygieneFinding, rule: DesiredRule, refs: RuleRefs, universeSize: number): Diagnostic {
  const other = ruleLabel(refFor(refs, f.other));
  const onUniverse = f.exact ? "" : ` on the declared universe (${universeSize} requests)`;
  let message: string;
  let hint: string;
  if (f.kind === "shadowed") {
    const why = f.higherGroup ? "a rule of a higher priority group" : "a forbid of its own priority group";
    message = f.exact
      ? `this rule never decides: ${why}, ${other}, matches every request it matches and decides first`
      : `this rule decides no request${onUniverse}: on each of the ${f.matched ?? 0} it matches, ${why} decides first, e.g. ${other} on ${f.example ? requestLabel(shownRequest(f.example)) : "?"}`;
    hint = f.exact
      ? "remove the rule, or narrow the rule that decides first (or raise this policy's priority)"
      : "remove or change the rule; if it should decide somewhere, add that case (entities, an access test) to the universe";
  } else {
    message = f.exact
      ? `this rule repeats ${other}: same effect, and the same requests match both`
      : `this rule matches exactly the requests ${other} matches${onUniverse}, with the same effect`;
    hint = f.exact ? "remove one of the two rules" : "remove one of the two rules, or add the case (entities, an access test) that tells them apart";
  }
  return diag(f.kind === "shadowed" ? "shadowed-rule" : "redundant-rule", message, rule.loc, { severity: "warning", address: rule.address, hint });
}

function invariantDiagnostic(check: InvariantCheck, inv: DesiredInvariant, max: number, dir: string): Diagnostic | undefined {
  if (check.status === "capped") {
    return diag("invariant-capped", `invariant \`${check.name}\` matches ${check.requests} requests of the universe, more than cedar.review.maxRequests (${max}): it was not checked`, inv.loc, {
      hint: "narrow its scope, or raise cedar.review.maxRequests: an invariant is checked on every request it matches, never on a sample",
    });
  }
  if (check.status === "holds") {
    if (check.requests > 0) return undefined;
    return diag("invariant-empty", `invariant \`${check.name}\` matches no request of the universe: it checks nothing`, inv.loc, {
      severity: "warning",
      hint: "check its scope against the schema's types and actions; the universe holds the entities of the tests, the rules and the invariants",
    });
  }
  const v = check.violation!;
  const by =
    v.decision === "error"
      ? `cannot be evaluated (${v.requestError ?? "unknown error"})`
      : `is ${v.decision === "allow" ? "allowed" : "denied"} by ${v.deciding.length > 0 ? v.deciding.map(ruleLabel).join(", ") : "no rule (nothing matches: deny by default)"}`;
  const others = v.count > 1 ? `; ${v.count} of the ${check.requests} requests it matches violate it` : "";
  return diag("invariant", `invariant \`${check.name}\` (expect ${check.expect}) does not hold: ${requestLabel(v.request)} ${by}${others}`, inv.loc, {
    hint: `fix the rules, or the invariant if the rules are right; \`accessctl explain ${dir} '${v.request.principal}' '${v.request.action}' '${v.request.resource}'${Object.keys(v.request.context).length > 0 ? ` --context '${JSON.stringify(v.request.context)}'` : ""}\` shows why`,
  });
}
