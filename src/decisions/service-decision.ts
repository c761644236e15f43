/**
 * The Cedar policy service's decision (API.md, "Evaluation semantics") from the rules that matched and the rules
 * that errored on one request: rules are grouped by their policy's priority, highest first; the first group with a
 * match decides, a matching forbid winning inside it; nothing matches → deny. An erroring rule did not match;
 * errors are reported for the groups consulted (the deciding group and those above it).
 */
import { groupDecision } from "../cedar/evaluate.js";
import type { RuleError } from "../cedar/evaluate.js";

export interface SideRule {
  key: string;
  priority: number;
  effect: "permit" | "forbid";
  /** Position among the side's rules (policy order, then rule order): outputs list rules in this order. */
  order: number;
}

export interface Outcome {
  /** "error" only when the engine could not evaluate the request at all. */
  decision: "allow" | "deny" | "error";
  /** Every rule that matched, in rule order. */
  matched: string[];
  /** The matching forbids (deny) or permits (allow) of the deciding group. */
  deciding: string[];
  /** The deciding group's priority; absent when nothing matched (default deny) or on error. */
  priority?: number;
  /** Rules whose conditions errored, in the groups consulted. */
  errors: RuleError[];
  requestError?: string;
}

/** `groupDecision` of evaluate.ts: the decision review decides as the access tests do. */
export function serviceDecision(matched: readonly SideRule[], errored: readonly { rule: SideRule; message: string }[]): Outcome {
  return groupDecision(matched, errored);
}

export function errorOutcome(message: string): Outcome {
  return { decision: "error", matched: [], deciding: [], errors: [], requestError: message };
}
