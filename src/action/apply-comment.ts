/**
 * Markdown for the apply outcome comment on the merged pull request: applied / failed / skipped, change by
 * change; why an apply was refused (a plan that is not the reviewed one, guards); whether the fresh plan after
 * apply is empty. Every user-supplied string is escaped; lists are cut to keep the body under GitHub's limit.
 */
import { formatAddress } from "../address/address.js";
import type { ApplySummary } from "../apply/report.js";
import type { Change, Guard, Plan } from "../plan/model.js";
import { escapeMarkdown } from "../render/plan-markdown.js";
import { changeHeadline, closingLine } from "../render/plan-text.js";
import { applyMarker, digestChanges, type ChangeDigest } from "./markers.js";

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
  const verdict = !s.ok ? "❌ failed" : converged ? "✅ applied" : "⚠️ applied, not converged";
  const lines = head(h, verdict);
  lines.push("| applied | failed | skipped |", "|---:|---:|---:|", `| ${c.applied}${c.adopted ? ` (${c.adopted} adopted)` : ""} | ${c.failed} | ${c.skipped} |`, "");
  const share = Math.floor(LIST_BUDGET / 3);
  if (s.failed.length) lines.push("#### Failed", "", ...list(s.failed.map((f) => `- <code>${escapeMarkdown(formatAddress(f.address))}</code>: ${escapeMarkdown(f.error)}`), share), "");
  if (s.skipped.length) lines.push("#### Skipped", "", ...list(s.skipped.map((k) => `- <code>${escapeMarkdown(formatAddress(k.address))}</code>: ${escapeMarkdown(k.message)}`), share), "");
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

export interface Difference {
  how: "added" | "removed" | "changed";
  /** A headline for changes in the fresh plan; the change id for one only in the reviewed plan. */
  what: string;
}

/** The fresh plan against the reviewed digest, change by change. */
export function differences(reviewed: readonly ChangeDigest[], fresh: readonly Change[]): Difference[] {
  const before = new Map(reviewed);
  const hashes = new Map(digestChanges(fresh));
  const out: Difference[] = [];
  for (const c of fresh) {
    const r = before.get(c.id);
    if (r === undefined) out.push({ how: "added", what: changeHeadline(c) });
    else if (r !== hashes.get(c.id)) out.push({ how: "changed", what: changeHeadline(c) });
  }
  for (const [id] of reviewed) if (!hashes.has(id)) out.push({ how: "removed", what: id });
  return out;
}

const HOW = { added: "➕ new since the review", removed: "➖ reviewed, no longer planned", changed: "✏️ changed since the review" } as const;

export interface StaleReview {
  reviewedChecksum?: string;
  prNumber?: number;
  /** The reviewed change digest from the plan comment, when it had one. */
  reviewed?: ChangeDigest[];
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
    if (review.reviewed) {
      const diffs = differences(review.reviewed, fresh.changes);
      lines.push("| | change |", "|---|---|", ...list(diffs.map((d) => `| ${HOW[d.how]} | ${escapeMarkdown(d.what)} |`), LIST_BUDGET / 2), "");
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
