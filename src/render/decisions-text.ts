/**
 * The plan's decision review as terminal text (docs/plan-and-apply.md#decision-review): one line per (principal
 * type, action, resource type) whose decisions change — `wider`, `narrower` or `mixed`, with its counts — and its
 * example requests, each with before → after and the rule that decides after (address, `@id`, file:line). The
 * universe's size is always said; "No decision changes on N requests" when nothing changes. Renders only.
 */
import type { Decisions } from "../decisions/decision-diff.js";
import type { DecisionExample, DecisionGroup } from "../decisions/decision-groups.js";
import type { RuleRef } from "../decisions/rule-refs.js";
import type { Plan } from "../plan/model.js";
import type { Palette } from "./colour.js";
import { ruleLabelAt } from "../quality/labels.js";

const count = (n: number): string => n.toLocaleString("en-US");
const plural = (n: number, one: string, many = `${one}s`): string => `${count(n)} ${n === 1 ? one : many}`;

/** What decides one side of an example, in words: `permitted by <rule>`, `forbidden by <rule>`, `no rule matches …`. */
export function decidedBy(decision: DecisionExample["after"], rules: readonly RuleRef[], label: (r: RuleRef) => string = ruleLabelAt): string {
  if (decision === "error") return "the request could not be evaluated";
  if (rules.length === 0) return "no rule matches (denied by default)";
  return `${decision === "allow" ? "permitted" : "forbidden"} by ${rules.map(label).join(", ")}`;
}

/** The universe in one phrase: `a declared universe of 1,234 requests (56 decided before and after)`. */
export function universePhrase(d: Decisions): string {
  const u = d.universe;
  const schema = u.schema ? "" : ", built without a schema";
  return `a declared universe of ${plural(u.requests, "request")}${schema}`;
}

/** A group's counts: `3 newly allowed, 1 newly denied of 12 evaluated (1 drift)`. */
export function groupCounts(g: DecisionGroup): string {
  const c = g.counts;
  const parts = [...(c.wider > 0 ? [`${count(c.wider)} newly allowed`] : []), ...(c.narrower > 0 ? [`${count(c.narrower)} newly denied`] : [])];
  const extra = [
    ...(c.errorChanged > 0 ? [`${count(c.errorChanged)} with other erroring rules`] : []),
    ...(c.drift ? [`${count(c.drift)} drift`] : []),
  ];
  return `${parts.join(", ")} of ${plural(c.evaluated, "request")} evaluated${extra.length ? ` (${extra.join("; ")})` : ""}`;
}

/** The request of an example: `User::"bob" on Doc::"d1"`, and its context when it has one. */
export function exampleRequest(e: DecisionExample): string {
  const context = Object.keys(e.context).length > 0 ? ` with context ${JSON.stringify(e.context)}` : "";
  return `${e.principal} on ${e.resource}${context}`;
}

/** The headline of the section when nothing is listed: not computed, or no change. */
export function emptyHeadline(d: Decisions): string | undefined {
  if (d.universe.capped) {
    return `Decision review not computed: the changed rules can match more requests than cedar.review.maxRequests allows (${universePhrase(d)}).`;
  }
  if (d.groups.length === 0) return `No decision changes on ${plural(d.universe.requests, "request")} (${universePhrase(d)}; ${count(d.universe.evaluated)} evaluated).`;
  return undefined;
}

export function renderDecisionsText(plan: Plan, p: Palette): string[] {
  const d = plan.decisions;
  if (!d) return [];
  const empty = emptyHeadline(d);
  if (empty) return [p.bold("Decision review:"), `  ${empty}`, ""];
  const out = [p.bold(`Decision review (${universePhrase(d)}; ${count(d.universe.evaluated)} evaluated before and after):`)];
  for (const g of d.groups) {
    const paint = g.change === "wider" ? p.green : g.change === "narrower" ? p.red : p.yellow;
    out.push(`  ${paint(g.change.padEnd(8))} ${g.principalType} · ${g.action} · ${g.resourceType}: ${groupCounts(g)}`);
    for (const e of g.examples) {
      const mark = e.after === "allow" ? p.green("+") : p.red("-");
      const drift = e.drift ? p.yellow(" [drift: live differs from Git; this apply reverts it]") : "";
      out.push(`      ${mark} ${exampleRequest(e)}: ${e.before} → ${e.after}${drift}`);
      out.push(`          now ${decidedBy(e.after, e.decidingAfter)}; before, ${decidedBy(e.before, e.decidingBefore)}`);
    }
    const more = g.counts.wider + g.counts.narrower - g.examples.length;
    if (more > 0) out.push(p.dim(`      … and ${plural(more, "more request")}`));
  }
  out.push("");
  return out;
}
