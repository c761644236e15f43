/**
 * Problems are data with places. Every stage (YAML, schema, references, Cedar, access tests, name resolution)
 * reports problems in this one shape; renderers turn them into text or JSON.
 */

export type Severity = "error" | "warning";

export interface SourcePosition {
  /** Path as the user sees it (relative to the working directory when possible). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters (UTF-16 code units of the line, as editors count). */
  col: number;
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  file?: string;
  line?: number;
  col?: number;
  /** The address of the object the problem belongs to, when there is one. */
  address?: string;
  /** What to do next. */
  hint?: string;
  /** A short stable code, for tests and tools (e.g. `yaml-syntax`, `schema`, `duplicate`, `cedar-parse`). */
  code: string;
}

export function diag(
  code: string,
  message: string,
  at?: SourcePosition,
  extra: { address?: string; hint?: string; severity?: Severity } = {},
): Diagnostic {
  const d: Diagnostic = { severity: extra.severity ?? "error", code, message };
  if (at) {
    d.file = at.file;
    d.line = at.line;
    d.col = at.col;
  }
  if (extra.address !== undefined) d.address = extra.address;
  if (extra.hint !== undefined) d.hint = extra.hint;
  return d;
}

/** Sorted by place: file, line, column, then message, so that output is stable. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      cmp(a.file ?? "", b.file ?? "") ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === "error");
}

/** `--deny-warnings`: every warning becomes an error. */
export function denyWarnings(list: readonly Diagnostic[]): Diagnostic[] {
  return list.map((d) => (d.severity === "warning" ? { ...d, severity: "error" } : d));
}
