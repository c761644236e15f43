/**
 * Diagnostics as workflow annotations: each error or warning lands on its file and line in the pull request's
 * "Files changed" view. Paths are relative to the workspace, as the loader reports them for a relative `path`.
 */
import * as core from "@actions/core";
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";

export function annotate(diagnostics: readonly Diagnostic[], redact: (s: string) => string): void {
  for (const d of sortDiagnostics(diagnostics)) {
    const message = redact([d.address ? `${d.address}: ${d.message}` : d.message, d.hint ? `hint: ${d.hint}` : ""].filter(Boolean).join("\n"));
    const properties: core.AnnotationProperties = { title: `accessctl ${d.code}` };
    if (d.file) {
      properties.file = d.file;
      properties.startLine = d.line ?? 1;
      properties.startColumn = d.col ?? 1;
    }
    if (d.severity === "error") core.error(message, properties);
    else core.warning(message, properties);
  }
}
