/**
 * `accessctl explain` as terminal text: the decision, the priority group that made it and its deciding rules, the
 * permits a forbid overrode, the rules of higher groups that did not match, and the rules whose conditions
 * errored — each rule by its address, `@id` and file:line. Renders only.
 */
import type { Explanation } from "../decisions/explain.js";
import type { Palette } from "./colour.js";
import { ruleLabelAt as ruleLabel } from "../quality/labels.js";

/** Rules listed per group that did not match; `--json` has them all. */
const MAX_LISTED = 10;

export function renderExplanationText(e: Explanation, source: "desired" | "live", p: Palette): string {
  const r = e.request;
  const context = Object.keys(r.context).length > 0 ? ` with context ${JSON.stringify(r.context)}` : "";
  const verdict = e.decision === "allow" ? p.green("ALLOW") : e.decision === "deny" ? p.red("DENY") : p.yellow("ERROR");
  const out = [`${p.bold(`${r.principal} ${r.action} ${r.resource}`)}${context}: ${verdict}`];
  const against = source === "live" ? "the live policies of the tenant" : "the desired managed policies (offline)";
  if (e.decision === "error") {
    out.push(`  the request could not be evaluated against ${against}: ${e.requestError ?? "unknown error"}`);
    return out.join("\n");
  }
  if (e.group === null) out.push(`  no rule of ${against} matches: denied by default`);
  else {
    const how = e.decision === "allow" ? "permitted" : "forbidden";
    out.push(`  decided by the priority-${e.group.priority} group of ${against}, ${how} by:`);
    for (const rule of e.deciding) out.push(`    ${ruleLabel(rule)}`);
    if (e.overridden.length > 0) {
      out.push("  matching permits of that group, overridden by the forbid:");
      for (const rule of e.overridden) out.push(`    ${ruleLabel(rule)}`);
    }
  }
  if (e.notMatched.length > 0) {
    out.push(e.group === null ? "  rules consulted, none matching:" : "  higher priority groups, none of whose rules matched:");
    for (const g of e.notMatched) {
      out.push(`    priority ${g.priority}:`);
      for (const rule of g.rules.slice(0, MAX_LISTED)) out.push(`      ${ruleLabel(rule)}`);
      if (g.rules.length > MAX_LISTED) out.push(p.dim(`      … and ${g.rules.length - MAX_LISTED} more (--json lists them all)`));
    }
  }
  if (e.errored.length > 0) {
    out.push(p.yellow("  rules whose conditions errored (an erroring rule does not match):"));
    for (const x of e.errored) out.push(`    ${ruleLabel(x.rule)}: ${x.message}`);
  }
  return out.join("\n");
}
