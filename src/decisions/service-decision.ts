/**
 * The Cedar policy service's decision (API.md, "Evaluation semantics") from the rules that matched and the rules
 * that errored on one request: rules are grouped by their policy's priority, highest first; the first group with a
 * match decides, a matching forbid winning inside it; nothing matches → deny. An erroring rule did not match;
 * errors are reported for the groups consulted (the deciding group and those above it).
 */
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

export function serviceDecision(matched: readonly SideRule[], errored: readonly { rule: SideRule; message: string }[]): Outcome {
  const byOrder = [...matched].sort((a, b) => a.order - b.order);
  const top = byOrder.reduce((max, r) => Math.max(max, r.priority), -Infinity);
  const inGroup = byOrder.filter((r) => r.priority === top);
  const forbids = inGroup.filter((r) => r.effect === "forbid");
  const deciding = forbids.length > 0 ? forbids : inGroup;
  const errors = errored
    .filter((e) => e.rule.priority >= top)
    .sort((a, b) => a.rule.order - b.rule.order)
    .map((e) => ({ key: e.rule.key, message: e.message }));
  return {
    decision: byOrder.length > 0 && forbids.length === 0 ? "allow" : "deny",
    matched: byOrder.map((r) => r.key),
    deciding: deciding.map((r) => r.key),
    ...(byOrder.length > 0 ? { priority: top } : {}),
    errors,
  };
}

export function errorOutcome(message: string): Outcome {
  return { decision: "error", matched: [], deciding: [], errors: [], requestError: message };
}
