/**
 * Coverage of the access tests (SPEC sections 4a and 10): per managed Cedar policy, how many test cases each rule
 * decided — a rule decides a case when it matches and has the winning effect in the deciding priority group (the
 * cases' `deciding` rules). The share counts the rules of enabled policies only (a disabled policy decides
 * nothing); `cedar.tests.minCoverage` is the least share. Pure.
 */
import { refFor } from "../decisions/rule-refs.js";
import type { RuleRef, RuleRefs } from "../decisions/rule-refs.js";
import type { TestResult } from "../desired/access-tests.js";
import type { DesiredState } from "../desired/types.js";

export interface CoverageRule {
  rule: RuleRef;
  /** Test cases it decided. */
  cases: number;
}

export interface CoveragePolicy {
  address: string;
  /** A disabled policy's rules are listed but not counted. */
  enabled: boolean;
  rules: CoverageRule[];
}

export interface Coverage {
  policies: CoveragePolicy[];
  /** Rules of enabled policies that no test case decides, in file order. */
  uncovered: RuleRef[];
  /** Rules of enabled policies. */
  rules: number;
  covered: number;
  /** covered / rules (1 when there is no rule to cover). */
  share: number;
  minCoverage?: number;
  /** The share is at least `minCoverage` (true without one). */
  met: boolean;
}

export function computeCoverage(desired: DesiredState, results: readonly TestResult[], refs?: RuleRefs): Coverage {
  const decided = new Map<string, number>();
  for (const r of results) for (const k of new Set(r.deciding)) decided.set(k, (decided.get(k) ?? 0) + 1);
  const policies: CoveragePolicy[] = [];
  const uncovered: RuleRef[] = [];
  let rules = 0;
  let covered = 0;
  for (const p of desired.cedar?.policies ?? []) {
    const enabled = p.enabled ?? true;
    const list = p.rules.map((r) => ({ rule: refFor(refs, r.address), cases: decided.get(r.address) ?? 0 }));
    if (enabled) {
      rules += list.length;
      for (const r of list) {
        if (r.cases > 0) covered++;
        else uncovered.push(r.rule);
      }
    }
    policies.push({ address: p.address, enabled, rules: list });
  }
  const share = rules === 0 ? 1 : covered / rules;
  const min = desired.cedar?.tests?.minCoverage?.value;
  return { policies, uncovered, rules, covered, share, ...(min === undefined ? {} : { minCoverage: min }), met: min === undefined || share >= min };
}
