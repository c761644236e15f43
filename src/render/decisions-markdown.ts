/**
 * The plan's decision review as Markdown (docs/plan-and-apply.md#decision-review): a table of the (principal type,
 * action, resource type) groups whose decisions change, then one `<details>` per group with its example requests
 * and the rules that decide them. User text (entity literals, addresses, contexts) sits in `<code>`, escaped
 * minimally (markdown-escape.ts). Fits in `max` characters: groups that do not fit are counted in a note.
 * Renders only.
 */
import type { Decisions } from "../decisions/decision-diff.js";
import type { DecisionExample, DecisionGroup } from "../decisions/decision-groups.js";
import type { RuleRef } from "../decisions/rule-refs.js";
import { decidedBy, emptyHeadline, groupCounts, universePhrase } from "./decisions-text.js";
import { code, escapeMarkdown } from "./markdown-escape.js";

const count = (n: number): string => n.toLocaleString("en-US");

function ruleMarkdown(r: RuleRef): string {
  const where = [...(r.id === undefined ? [] : [code(`@id(${JSON.stringify(r.id)})`)]), ...(r.file === undefined ? [] : [code(`${r.file}${r.line === undefined ? "" : `:${r.line}`}`)])];
  return `${code(r.address)}${where.length ? ` (${where.join(", ")})` : ""}`;
}

function exampleLine(e: DecisionExample): string {
  const context = Object.keys(e.context).length > 0 ? ` with context ${code(JSON.stringify(e.context))}` : "";
  const drift = e.drift ? " — drift (live differs from Git; merging reverts it)" : "";
  return (
    `- ${code(e.principal)} on ${code(e.resource)}${context}: ${e.before} → <b>${e.after}</b>${drift}\n` +
    `  now ${decidedBy(e.after, e.decidingAfter, ruleMarkdown)}; before, ${decidedBy(e.before, e.decidingBefore, ruleMarkdown)}`
  );
}

function groupDetails(g: DecisionGroup): string {
  const more = g.counts.wider + g.counts.narrower - g.examples.length;
  return [
    `<details><summary>${g.change}: ${code(g.principalType)} · ${code(g.action)} · ${code(g.resourceType)} — ${escapeMarkdown(groupCounts(g))}</summary>`,
    "",
    ...g.examples.map(exampleLine),
    ...(more > 0 ? [`- … and ${count(more)} more request${more === 1 ? "" : "s"}`] : []),
    "",
    "</details>",
    "",
  ].join("\n");
}

/** The section's lines, at most `max` characters; `notes` are the review's warnings. */
export function renderDecisionsMarkdown(d: Decisions | undefined, notes: readonly string[], max: number): string[] {
  if (!d) return [];
  const out = ["#### Decision review", ""];
  const warnings = notes.map((n) => `- ⚠️ ${escapeMarkdown(n)}`);
  const empty = emptyHeadline(d);
  if (empty) return [...out, escapeMarkdown(empty), "", ...(warnings.length ? [...warnings, ""] : [])];
  out.push(`On ${escapeMarkdown(universePhrase(d))}: ${count(d.universe.evaluated)} requests that the changed rules can match, decided before and after.`, "");
  const drift = d.groups.some((g) => g.counts.drift !== undefined);
  out.push(
    `| change | principal | action | resource | newly allowed | newly denied | evaluated |${drift ? " drift |" : ""}`,
    `|---|---|---|---|---:|---:|---:|${drift ? "---:|" : ""}`,
  );
  const rows = d.groups.map(
    (g) =>
      `| ${g.change} | ${code(g.principalType)} | ${code(g.action)} | ${code(g.resourceType)} | ${count(g.counts.wider)} | ${count(g.counts.narrower)} | ${count(g.counts.evaluated)} |${drift ? ` ${count(g.counts.drift ?? 0)} |` : ""}`,
  );
  const details = d.groups.map(groupDetails);
  const tail = [...(warnings.length ? ["", ...warnings] : []), ""];
  // Room for the note that says how many groups were left out.
  let size = out.join("\n").length + tail.join("\n").length + 200;
  const keptRows: string[] = [];
  for (const r of rows) {
    if (size + r.length + 1 > max) break;
    keptRows.push(r);
    size += r.length + 1;
  }
  const keptDetails: string[] = [];
  for (const [i, x] of details.entries()) {
    if (i >= keptRows.length || size + x.length + 1 > max) break;
    keptDetails.push(x);
    size += x.length + 1;
  }
  out.push(...keptRows, "");
  const groups = (n: number): string => `${count(n)} more group${n === 1 ? "" : "s"}`;
  if (keptRows.length < rows.length) out.push(`- … and ${groups(rows.length - keptRows.length)} (see the full plan)`, "");
  out.push(...keptDetails);
  if (keptDetails.length < keptRows.length) out.push(`- examples of ${groups(keptRows.length - keptDetails.length)} are in the full plan`);
  return [...out, ...tail];
}
