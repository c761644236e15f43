/**
 * The pull-request comment and drift-issue bodies around the Markdown plan: the hidden markers first, then the
 * plan (cut so the whole body stays under GitHub's 65,536-character limit, saying where the full plan is), then
 * the reviewed-changes digest when it fits. Renders only; the flows decide what to post.
 */
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Plan } from "../plan/model.js";
import { escapeMarkdown, MARKDOWN_LIMIT, renderPlanMarkdown } from "../render/plan-markdown.js";
import { targetsDigest } from "../flow/binding.js";
import { changesMarker, checksumMarker, pathMarker, targetsMarker } from "./markers.js";

/** GitHub refuses comment and issue bodies longer than this. */
export const GITHUB_BODY_LIMIT = 65_536;
/** Room kept for the reviewed-changes digest; a plan whose digest is longer goes without it. */
const DIGEST_LIMIT = 4_000;

export interface PlanBodyOptions {
  path: string;
  /** Where the full plan is when the comment is cut, e.g. "the job summary of <run> and the plan-file artifact". */
  fullPlanAt: string;
  /** A line under the title, e.g. "Compared with the base branch 1a2b3c4 for drift." */
  note?: string;
}

export function planCommentBody(plan: Plan, options: PlanBodyOptions): string {
  const head = [pathMarker(options.path), checksumMarker(plan.checksum), targetsMarker(targetsDigest(plan.targets))];
  const digest = changesMarker(plan.changes, DIGEST_LIMIT);
  const note = options.note ? `${options.note}\n\n` : "";
  const markdown = renderPlanMarkdown(plan, {
    title: options.path,
    fullPlanAt: options.fullPlanAt,
    limit: Math.min(MARKDOWN_LIMIT, GITHUB_BODY_LIMIT - 1_000 - DIGEST_LIMIT - note.length),
  });
  const body = [...head, "", insertNote(markdown, note), ...(digest ? ["", digest] : [])].join("\n");
  return body.length <= GITHUB_BODY_LIMIT ? body : body.slice(0, GITHUB_BODY_LIMIT);
}

/** The comment when the files are invalid: every problem, with its place. No checksum: there is no plan. */
export function invalidCommentBody(path: string, diagnostics: readonly Diagnostic[], fullPlanAt: string): string {
  return [pathMarker(path), "", `### accessctl plan: ${escapeMarkdown(path)}`, "", "❌ The desired state is invalid; no plan was made.", "", diagnosticsMarkdown(diagnostics, fullPlanAt)].join("\n");
}

/** A comment that says the plan could not be made (a target unreachable, live state breaking identity, …). */
export function errorCommentBody(path: string, message: string): string {
  return [pathMarker(path), "", `### accessctl plan: ${escapeMarkdown(path)}`, "", `❌ No plan: ${escapeMarkdown(message)}`, ""].join("\n");
}

/** Diagnostics as a Markdown list (escaped), at most `max` of them. */
export function diagnosticsMarkdown(diagnostics: readonly Diagnostic[], fullListAt: string, max = 200): string {
  const sorted = sortDiagnostics(diagnostics);
  const lines = sorted.slice(0, max).map((d) => {
    const place = d.file ? `<code>${escapeMarkdown(`${d.file}:${d.line ?? 1}:${d.col ?? 1}`)}</code> ` : "";
    const address = d.address ? `<code>${escapeMarkdown(d.address)}</code> ` : "";
    const hint = d.hint ? ` — ${escapeMarkdown(d.hint)}` : "";
    return `- ${d.severity === "error" ? "**error**" : "warning"} ${place}${address}${escapeMarkdown(d.message)}${hint}`;
  });
  if (sorted.length > max) lines.push(`- … and ${sorted.length - max} more, in ${escapeMarkdown(fullListAt)}`);
  return lines.join("\n") + "\n";
}

function insertNote(markdown: string, note: string): string {
  if (!note) return markdown;
  const title = markdown.indexOf("\n\n");
  return title < 0 || !markdown.startsWith("### ") ? note + markdown : `${markdown.slice(0, title + 2)}${note}${markdown.slice(title + 2)}`;
}
