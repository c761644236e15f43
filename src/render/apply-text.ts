/**
 * Apply output: progress lines (a live `done/total` line on a TTY, one line per finished change otherwise),
 * and the final report (applied / failed with the API's message / skipped).
 */
import { formatAddress } from "../address/address.js";
import type { ApplySummary } from "../apply/report.js";
import type { ProgressEvent } from "../apply/execute.js";
import type { Palette } from "./colour.js";
import { changeHeadline } from "./plan-text.js";

export function progressLine(e: ProgressEvent, p: Palette): string {
  const width = String(e.total).length;
  const counter = `[${String(e.done).padStart(width)}/${e.total}]`;
  const status =
    e.status === "applied" ? p.green("applied") : e.status === "adopted" ? p.green("adopted") : e.status === "failed" ? p.red("failed ") : p.yellow("skipped");
  return `${counter} ${status} ${changeHeadline(e.change)}${e.error && e.status !== "applied" ? ` — ${e.error}` : ""}`;
}

export function renderApplyReport(s: ApplySummary, p: Palette): string {
  const out: string[] = [];
  if (s.failed.length > 0) {
    out.push(p.red(p.bold("Failed:")));
    for (const f of s.failed) out.push(`  ${formatAddress(f.address)}: ${f.error}`);
  }
  if (s.skipped.length > 0) {
    out.push(p.yellow(p.bold("Skipped:")));
    for (const k of s.skipped) out.push(`  ${formatAddress(k.address)}: ${k.message}`);
  }
  const c = s.counts;
  const adopted = c.adopted ? ` (${c.adopted} adopted after a lost answer)` : "";
  const secs = (s.durationMs / 1000).toFixed(1);
  out.push(
    s.ok
      ? p.green(`Apply complete: ${c.applied} applied${adopted} in ${secs}s.`)
      : p.red(`Apply incomplete: ${c.applied} applied${adopted}, ${c.failed} failed, ${c.skipped} skipped in ${secs}s.`),
  );
  return out.join("\n");
}
