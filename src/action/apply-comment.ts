/**
 * Markdown for the apply outcome comment on the merged pull request: applied / failed / skipped, change by
 * change; why an apply was refused (a plan that is not the reviewed one, guards); whether the fresh plan after
 * apply is empty. Every user-supplied string is escaped; lists are cut to keep the body under GitHub's limit.
 */
import { formatAddress } from "../address/address.js";
import type { ApplySummary } from "../apply/report.js";
import type { Guard, Plan } from "../plan/model.js";
import { escapeMarkdown } from "../render/plan-markdown.js";
import { changeHeadline, closingLine } from "../render/plan-text.js";
import type { ReviewDifference } from "../flow/review.js";
import { applyMarker } from "./markers.js";

/** Room for lists; the rest of the body is short. */
const LIST_BUDGET = 55_000;

export interface ApplyHeader {
  path: string;
  sha: string;
  runUrl?: string;
}

function head(h: ApplyHeader, verdict: string): string[] {
  const run = h.runUrl ? ` (${escapeMarkdown(h.runUrl)})` : "";
  return [applyMarker(h.path), "", `### accessctl apply: ${escapeMarkdown(h.path)} — ${verdict}`, "", `Commit <code>${h.sha.slice(0, 12)}</code>${run}.`, ""];
}

/** Items as `- …` lines, cut with a count when the budget runs out. */
function list(items: readonly string[], budget: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const [i, item] of items.entries()) {
    if (used + item.length > budget) {
      out.push(`- … and ${items.length - i} more`);
      break;
    }
    out.push(item);
    used += item.length + 1;
  }
  return out;
}

export function appliedBody(h: ApplyHeader, s: ApplySummary, after: Plan | undefined): string {
  const c = s.counts;
  const converged = after !== undefined && after.changes.length === 0;
  const verdict = s.aborted ? "⏹️ interrupted" : !s.ok ? "❌ failed" : converged ? "✅ applied" : "⚠️ applied, not converged";
  const lines = head(h, verdict);
  if (s.aborted) lines.push("The run was interrupted (the job was cancelled): nothing new was started, and no convergence check followed.", "");
  lines.push(
    "| applied | failed | outcome unknown | skipped | not started |",
    "|---:|---:|---:|---:|---:|",
    `| ${c.applied}${c.adopted ? ` (${c.adopted} adopted)` : ""} | ${c.failed} | ${c.unknown} | ${c.skipped} | ${c.notStarted} |`,
    "",
  );
  const share = Math.floor(LIST_BUDGET / 5);
  const item = (address: ApplySummary["failed"][number]["address"], text: string): string => `- <code>${escapeMarkdown(formatAddress(address))}</code>: ${escapeMarkdown(text)}`;
  if (s.failed.length) lines.push("#### Failed", "", ...list(s.failed.map((f) => item(f.address, f.error)), share), "");
  if (s.unknown.length) lines.push("#### Outcome unknown", "", "Sent, but the answer was lost and could not be settled; the next plan shows the live state.", "", ...list(s.unknown.map((f) => item(f.address, f.error)), share), "");
  if (s.skipped.length) lines.push("#### Skipped", "", ...list(s.skipped.map((k) => item(k.address, k.message)), share), "");
  if (s.notStarted.length) lines.push("#### Not started", "", ...list(s.notStarted.map((n) => item(n.address, n.message)), share), "");
  if (s.applied.length) {
    lines.push(`<details><summary>Applied (${s.applied.length})</summary>`, "", ...list(s.applied.map((a) => `- ${a.kind} <code>${escapeMarkdown(formatAddress(a.address))}</code>${a.adopted ? " (adopted)" : ""}`), share), "", "</details>", "");
  }
  if (after) {
    if (converged) lines.push("A fresh plan after the apply is empty: the live state matches the files.", "");
    else {
      lines.push("#### Not converged", "", `A fresh plan after the apply still has changes — ${escapeMarkdown(closingLine(after))}`, "");
      lines.push(...list(after.changes.map((ch) => `- ${escapeMarkdown(changeHeadline(ch))}`), share), "");
    }
  } else if (!s.ok) lines.push("The changes that failed or were skipped are still pending; fix the cause and re-run the workflow.", "");
  return lines.join("\n");
}

export function nothingToApplyBody(h: ApplyHeader): string {
  return [...head(h, "✅ nothing to apply"), "No changes. Live state matches the desired state.", ""].join("\n");
}

const HOW = { added: "➕ new since the review", removed: "➖ reviewed, no longer planned", changed: "✏️ changed since the review" } as const;

export interface StaleReview {
  reviewedChecksum?: string;
  prNumber?: number;
  /** How the fresh plan differs, change by change, when the plan comment carried the reviewed changes' digest. */
  differences?: ReviewDifference[];
}

export function refusedNotReviewedBody(h: ApplyHeader, fresh: Plan, review: StaleReview): string {
  const lines = head(h, "⛔ refused: not the reviewed plan");
  if (review.prNumber === undefined) {
    lines.push("No merged pull request was found for this commit, so there is no reviewed plan; nothing was applied.", "");
  } else if (review.reviewedChecksum === undefined) {
    lines.push(`Pull request #${review.prNumber} has no plan comment with a checksum, so nothing was reviewed; nothing was applied.`, "");
  } else {
    lines.push(
      `The fresh plan (<code>${escapeMarkdown(fresh.checksum)}</code>) is not the plan last shown on this pull request (<code>${escapeMarkdown(review.reviewedChecksum)}</code>), so nothing was applied. ` +
        "The live state or the files changed after the review.",
      "",
    );
    if (review.differences) {
      const what = (d: ReviewDifference): string => (d.change ? changeHeadline(d.change) : d.id);
      lines.push("| | change |", "|---|---|", ...list(review.differences.map((d) => `| ${HOW[d.how]} | ${escapeMarkdown(what(d))} |`), LIST_BUDGET / 2), "");
    } else {
      lines.push("The reviewed comment was too large to carry its change list; the fresh plan is:", "", ...list(fresh.changes.map((c) => `- ${escapeMarkdown(changeHeadline(c))}`), LIST_BUDGET / 2), "");
    }
  }
  lines.push(
    `Fresh plan: ${escapeMarkdown(closingLine(fresh))}`,
    "",
    "**What to do:** open a pull request (an empty change is enough) so the plan is shown and reviewed again, then merge it; or, after reviewing the plan in this run's job summary, re-run the workflow with `force: true`.",
    "",
  );
  return lines.join("\n");
}

export function refusedRetargetedBody(h: ApplyHeader, fresh: Plan): string {
  const lines = head(h, "⛔ refused: the target changed since the review");
  lines.push(
    "The plan shown on the pull request was made against other services (URL or tenant) than this run's, so nothing was applied.",
    "",
    `Fresh plan: ${escapeMarkdown(closingLine(fresh))}`,
    "",
    "**What to do:** check the workflow's `ACCESSCTL_*` variables and secrets; if the new targets are intended, open a pull request so the plan against them is shown and reviewed, or re-run with `force: true` after reviewing this run's job summary.",
    "",
  );
  return lines.join("\n");
}

export function refusedGuardsBody(h: ApplyHeader, fresh: Plan, guards: readonly Guard[]): string {
  const lines = head(h, `⛔ refused by ${guards.length} guard${guards.length === 1 ? "" : "s"}`);
  lines.push("Nothing was written.", "");
  for (const g of guards) {
    const members = g.members ? ` (${g.members.count} member${g.members.count === 1 ? "" : "s"})` : "";
    lines.push(`- ${escapeMarkdown(g.message)}${members} — ${escapeMarkdown(g.hint)}${g.forceable ? " (`force: true` overrides this one)" : ""}`);
  }
  lines.push("", `Fresh plan: ${escapeMarkdown(closingLine(fresh))}`, "");
  return lines.join("\n");
}
