/**
 * Diagnostics as text: `file:line:col  address  message`, then the hint on its own line.
 */
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Palette } from "./colour.js";

export function renderDiagnostics(list: readonly Diagnostic[], p: Palette): string {
  const lines: string[] = [];
  for (const d of sortDiagnostics(list)) {
    const place = d.file ? `${d.file}:${d.line ?? 1}:${d.col ?? 1}` : "";
    const label = d.severity === "error" ? p.red("error") : p.yellow("warning");
    const head = [place, d.address ?? "", `${label}: ${d.message}`].filter((s) => s !== "").join("  ");
    lines.push(head);
    if (d.hint) lines.push(`  ${p.dim("hint:")} ${d.hint}`);
  }
  return lines.join("\n");
}

export function summarizeDiagnostics(list: readonly Diagnostic[]): string {
  const errors = list.filter((d) => d.severity === "error").length;
  const warnings = list.length - errors;
  const part = (n: number, w: string): string => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `${part(errors, "error")}, ${part(warnings, "warning")}`;
}
