/**
 * The plan as Markdown for pull-request comments and job summaries: summary table first, one `<details>` per
 * change, then drift, access impact and guards in their own sections, and the checksum. User-supplied text is
 * escaped minimally (markdown-escape.ts): it cannot open HTML, a link, an image, a mention or a table cell, and
 * names, permissions and Cedar stay readable in the raw text. Member emails never appear. At most `limit`
 * characters (default 60,000), cut with a note.
 */
import { formatAddress } from "../address/address.js";
import type { Change, FieldChange, Plan } from "../plan/model.js";
import { isEmpty } from "../plan/summary.js";
import { cedarPolicyFields } from "./cedar-policy-fields.js";
import { renderDecisionsMarkdown } from "./decisions-markdown.js";
import { escapeMarkdown, escapePre } from "./markdown-escape.js";
import { changeHeadline, closingLine, isRuleText } from "./plan-text.js";

export interface MarkdownOptions {
  /** Hard limit on the output's length. */
  limit?: number;
  /** Where the full plan can be found when the output is cut (e.g. "the job summary of run 42"). */
  fullPlanAt?: string;
  /** A heading, e.g. the desired-state path. */
  title?: string;
}

export const MARKDOWN_LIMIT = 60_000;

export { escapeMarkdown };

/**
 * A `<pre>` block that starts its own line: CommonMark then reads it as one HTML block up to `</pre>`, blank
 * lines included, so nothing inside is taken for Markdown.
 */
function pre(text: string): string {
  return `<pre>${escapePre(text)}</pre>`;
}

function prefixed(mark: string, text: unknown): string[] {
  return String(text).split("\n").map((l) => mark + l);
}

function value(v: unknown): string {
  if (v === null || v === undefined) return "<em>none</em>";
  if (Array.isArray(v)) return v.length ? v.map((x) => `<code>${escapeMarkdown(String(x))}</code>`).join(", ") : "<em>none</em>";
  return `<code>${escapeMarkdown(typeof v === "string" ? v : JSON.stringify(v))}</code>`;
}

function fieldRow(c: Change, f: FieldChange): string {
  if (isRuleText(c, f)) return `<p><b>cedar</b></p>\n\n${pre([...prefixed("- ", f.before), ...prefixed("+ ", f.after)].join("\n"))}`;
  if (Array.isArray(f.before) && Array.isArray(f.after)) {
    const before = new Set(f.before.map(String));
    const after = new Set(f.after.map(String));
    const added = [...after].filter((x) => !before.has(x));
    const removed = [...before].filter((x) => !after.has(x));
    return `<p><b>${escapeMarkdown(f.field)}</b>: ${added.length ? `added ${value(added)}` : ""}${added.length && removed.length ? "; " : ""}${removed.length ? `removed ${value(removed)}` : ""}</p>`;
  }
  return `<p><b>${escapeMarkdown(f.field)}</b>: ${value(f.before)} → ${value(f.after)}</p>`;
}

function createBody(c: Change): string {
  if (c.kind !== "create") return "";
  switch (c.type) {
    case "rbac-policy":
      return `<p><b>permissions</b>: ${value(c.body.permissions.map((r) => r.name))}</p>` + (c.body.description ? `<p><b>description</b>: ${value(c.body.description)}</p>` : "");
    case "role":
      return `<p><b>policies</b>: ${value(c.body.policies.map((r) => r.name))}</p>` + (c.body.description ? `<p><b>description</b>: ${value(c.body.description)}</p>` : "");
    case "cedar-policy":
      return cedarPolicyFields(c.body).map(([k, v]) => `<p><b>${k}</b>: ${value(v)}</p>`).join("");
    case "cedar-rule":
      return (
        pre(c.body.text) +
        (c.body.notice ? `\n\n<p><b>notice</b>: ${value(c.body.notice)}</p>` : "") +
        (c.body.auditSession === false ? `\n\n<p><b>auditSession</b>: <code>false</code></p>` : "")
      );
  }
}

function changeDetails(c: Change, plan: Plan): string {
  const mark = plan.drift?.[c.id];
  const tag = mark === "drift" ? " — drift (changed outside Git; merging reverts it)" : mark === "both" ? " — files and drift" : "";
  const body =
    c.kind === "create"
      ? createBody(c)
      : c.kind === "reorder"
        ? c.moves.map((m) => `<p><code>${escapeMarkdown(formatAddress(m.address))}</code>: moved from ${m.from}</p>\n\n${pre(m.text)}`).join("\n\n")
        : c.kind === "delete" && c.type === "cedar-rule"
          ? pre(c.text)
          : c.fields.map((f) => fieldRow(c, f)).join("\n\n");
  return `<details><summary>${escapeMarkdown(changeHeadline(c))}${escapeMarkdown(tag)}</summary>\n\n${body || "<p><em>no fields</em></p>"}\n\n</details>\n`;
}

export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? MARKDOWN_LIMIT;
  const head: string[] = [];
  if (options.title) head.push(`### accessctl plan: ${escapeMarkdown(options.title)}`, "");
  const s = plan.summary;
  head.push(escapeMarkdown(closingLine(plan)), "");
  if (!isEmpty(s)) {
    head.push("| create | update | rename | delete | rule moves |", "|---:|---:|---:|---:|---:|", `| ${s.create} | ${s.update} | ${s.rename} | ${s.delete} | ${s.move} |`, "");
  }
  // Guards, drift and impact are capped so that the changes, the cut note and the checksum always fit.
  const capped = (lines: string[], total: number, what: string, max: number): string[] => {
    const out: string[] = [];
    let size = 0;
    for (const [i, l] of lines.entries()) {
      if (size + l.length + 1 > max) {
        out.push(`- … and ${total - i} more ${what} (see the full plan)`);
        break;
      }
      out.push(l);
      size += l.length + 1;
    }
    return out;
  };
  const section = Math.floor(limit / 6);
  if (plan.guards.length > 0) {
    head.push(`#### ⚠️ apply would refuse this plan (${plan.guards.length} guard${plan.guards.length === 1 ? "" : "s"})`, "");
    const lines = plan.guards.map((g) => {
      const members = g.members ? ` (${g.members.count} member${g.members.count === 1 ? "" : "s"})` : "";
      return `- ${escapeMarkdown(g.message)}${members} — ${escapeMarkdown(g.hint)}`;
    });
    head.push(...capped(lines, lines.length, "guards", section), "");
  }
  const tail: string[] = [];
  if (plan.drift) {
    const drifted = plan.changes.filter((c) => plan.drift?.[c.id] === "drift" || plan.drift?.[c.id] === "both");
    tail.push("#### Drift", "");
    if (drifted.length === 0) tail.push("No drift: the live state matches the base branch.", "");
    else {
      tail.push(`${drifted.length} change${drifted.length === 1 ? "" : "s"} revert edits made outside Git:`, "");
      tail.push(...capped(drifted.map((c) => `- ${escapeMarkdown(changeHeadline(c))}`), drifted.length, "drifted changes", section), "");
    }
  }
  if (plan.impact.roles.length > 0) {
    tail.push("#### Access impact", "", "| role | members | gains | loses |", "|---|---:|---|---|");
    const rows = plan.impact.roles.map(
      (r) => `| ${escapeMarkdown(r.address)} | ${r.members ?? "–"} | ${r.gained.map(escapeMarkdown).join(", ") || "–"} | ${r.lost.map(escapeMarkdown).join(", ") || "–"} |`,
    );
    const kept = capped(rows, rows.length, "roles", section);
    // A table row cannot hold the "more" note: it follows the table.
    tail.push(...kept.filter((l) => l.startsWith("|")), "", ...kept.filter((l) => !l.startsWith("|")), "");
  }
  if (plan.impact.tests.length > 0) {
    tail.push("#### Access tests whose decision changes", "", "| test | live rules | desired rules |", "|---|---|---|");
    const rows = plan.impact.tests.map((t) => `| ${escapeMarkdown(t.name)} | ${t.live} | ${t.desired} |`);
    const kept = capped(rows, rows.length, "access tests", Math.floor(section / 2));
    tail.push(...kept.filter((l) => l.startsWith("|")), "", ...kept.filter((l) => !l.startsWith("|")), "");
  }
  // The decision review has its own share of the budget: the changes are cut before it is.
  tail.push(...renderDecisionsMarkdown(plan.decisions, plan.decisionNotes ?? [], Math.floor(limit / 4)));
  tail.push(`<sub>checksum <code>${escapeMarkdown(plan.checksum)}</code></sub>`, "");

  const headText = head.join("\n") + "\n";
  const tailText = tail.join("\n");
  const changes = plan.changes.length ? "#### Changes\n\n" : "";
  let body = changes;
  const where = options.fullPlanAt ? escapeMarkdown(options.fullPlanAt) : "the output of <code>accessctl plan</code>";
  const note = (n: number): string =>
    `\n> ✂️ ${n} more change${n === 1 ? "" : "s"} not shown: this comment is cut at ${limit.toLocaleString("en-US")} characters. The full plan is in ${where}.\n`;
  const budget = limit - headText.length - tailText.length - note(plan.changes.length).length - 2;
  let shown = 0;
  for (const c of plan.changes) {
    const d = changeDetails(c, plan);
    if (body.length + d.length > budget) break;
    body += d;
    shown++;
  }
  if (shown < plan.changes.length) body += note(plan.changes.length - shown);
  const out = headText + body + "\n" + tailText;
  // Only a limit too small for the fixed parts can still overflow; never return more than asked.
  return out.length <= limit ? out : out.slice(0, limit);
}
