/**
 * The first two stages of validation — the files loaded, their Cedar checked — on their own, for `validate` (which
 * goes on with the access tests and rule quality) and for `explain` (which runs no access test, and so does not load
 * that code). Diagnostics come back sorted, as every command prints them.
 */
import { denyWarnings as promote, hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { checkCedar } from "./check-cedar.js";
import { loadDesiredState, type LoadOptions } from "./load.js";
import type { DesiredState } from "./types.js";

/** The desired state when the files and their Cedar hold no error; the diagnostics, sorted, either way. */
export function loadCheckedDesiredState(dir: string, options: LoadOptions & { denyWarnings?: boolean }): { desired?: DesiredState; diagnostics: Diagnostic[] } {
  const finish = (diagnostics: Diagnostic[]): Diagnostic[] => sortDiagnostics(options.denyWarnings ? promote(diagnostics) : diagnostics);
  const loaded = loadDesiredState(dir, options);
  if (!loaded.desired) return { diagnostics: finish(loaded.diagnostics) };
  const diagnostics = finish([...loaded.diagnostics, ...checkCedar(loaded.desired)]);
  return hasErrors(diagnostics) ? { diagnostics } : { desired: loaded.desired, diagnostics };
}
