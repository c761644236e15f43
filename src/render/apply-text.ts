/**
 * Apply output: progress lines (a live `done/total` line on a TTY, one line per finished change otherwise),
 * and the final report in its five categories: applied, failed (with the API's message), outcome unknown,
 * skipped (a dependency did not apply), not started (interrupted, or the API stopped answering).
 */
import { formatAddress, type Address } from "../address/address.js";
import type { ApplySummary } from "../apply/report.js";
import type { ProgressEvent, ProgressStatus } from "../apply/execute.js";
import type { Palette } from "./colour.js";
import { changeHeadline } from "./plan-text.js";

/** Addresses listed per not-started reason; the rest are counted (a fresh plan lists them all). */
const NOT_STARTED_SHOWN = 20;

const STATUS_WORD: Record<ProgressStatus, (p: Palette) => string> = {
  applied: (p) => p.green("applied"),
  adopted: (p) => p.green("adopted"),
  failed: (p) => p.red("failed "),
  unknown: (p) => p.red("unknown"),
  skipped: (p) => p.yellow("skipped"),
  "not-started": (p) => p.yellow("not started"),
};

export function progressLine(e: ProgressEvent, p: Palette): string {
  const width = String(e.total).length;
  const counter = `[${String(e.done).padStart(width)}/${e.total}]`;
  return `${counter} ${STATUS_WORD[e.status](p)} ${changeHeadline(e.change)}${e.error && e.status !== "applied" ? ` — ${e.error}` : ""}`;
}

export function renderApplyReport(s: ApplySummary, p: Palette): string {
  const out: string[] = [];
  if (s.failed.length > 0) {
    out.push(p.red(p.bold("Failed:")));
    for (const f of s.failed) out.push(`  ${formatAddress(f.address)}: ${f.error}`);
  }
  if (s.unknown.length > 0) {
    out.push(p.red(p.bold("Outcome unknown (sent, but the answer was lost; run plan to see the live state):")));
    for (const f of s.unknown) out.push(`  ${formatAddress(f.address)}: ${f.error}`);
  }
  if (s.skipped.length > 0) {
    out.push(p.yellow(p.bold("Skipped:")));
    for (const k of s.skipped) out.push(`  ${formatAddress(k.address)}: ${k.message}`);
  }
  for (const [message, addresses] of notStartedByMessage(s.notStarted)) {
    out.push(p.yellow(p.bold(`Not started (${addresses.length}): ${message.replace(/^not started: /, "")}`)));
    for (const a of addresses.slice(0, NOT_STARTED_SHOWN)) out.push(`  ${formatAddress(a)}`);
    if (addresses.length > NOT_STARTED_SHOWN) out.push(`  … and ${addresses.length - NOT_STARTED_SHOWN} more`);
  }
  out.push(applyCountsLine(s, p));
  return out.join("\n");
}

/**
 * The not-started changes' addresses grouped by reason, reasons in order of first appearance. Appended in place
 * (copying each list per change made 80,000 not-started changes take minutes) and left unformatted: only the
 * first NOT_STARTED_SHOWN of each reason are printed.
 */
function notStartedByMessage(notStarted: ApplySummary["notStarted"]): Map<string, Address[]> {
  const byMessage = new Map<string, Address[]>();
  for (const n of notStarted) {
    const list = byMessage.get(n.message);
    if (list) list.push(n.address);
    else byMessage.set(n.message, [n.address]);
  }
  return byMessage;
}

/** The closing line: `Apply complete: …` or `Apply incomplete: N applied, N failed, …`. */
export function applyCountsLine(s: ApplySummary, p: Palette): string {
  const c = s.counts;
  const reorders = s.applied.filter((a) => a.moves !== undefined);
  const moved = reorders.reduce((n, a) => n + (a.moves ?? 0), 0);
  const calls = reorders.length === 0 ? "" : `, including ${reorders.length} reorder call${reorders.length === 1 ? "" : "s"} for ${moved} rule move${moved === 1 ? "" : "s"}`;
  const adopted = `${c.adopted ? ` (${c.adopted} adopted after a lost answer)` : ""}${calls}`;
  const secs = (s.durationMs / 1000).toFixed(1);
  if (s.ok) return p.green(`Apply complete: ${c.applied} applied${adopted} in ${secs}s.`);
  const interrupted = s.aborted ? "Apply interrupted" : "Apply incomplete";
  return p.red(`${interrupted}: ${c.applied} applied${adopted}, ${c.failed} failed, ${c.unknown} outcome unknown, ${c.skipped} skipped, ${c.notStarted} not started in ${secs}s.`);
}
