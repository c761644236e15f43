/**
 * The offline validation pipeline shared by `validate`, `test`, `plan` and `apply`: load the files, check
 * Cedar, run the access tests and the invariants (and, for `validate` and `test`, hygiene and coverage). Pure of
 * output: it returns data.
 */
import { pushAll } from "../arrays/push-all.js";
import { denyWarnings as promote, hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { InvalidDesiredStateError } from "../errors/user-errors.js";
import { runAccessTests, testDiagnostics, type TestResult } from "./access-tests.js";
import { loadCheckedDesiredState } from "./load-checked.js";
import type { LoadOptions } from "./load.js";
import type { DesiredState } from "./types.js";
import { checkQuality, type QualityOptions, type QualityReport } from "../quality/check-quality.js";

export interface ValidateOptions extends LoadOptions {
  denyWarnings?: boolean;
  /** `validate` and `test`: hygiene warnings and the coverage threshold (invariants always run). */
  quality?: QualityOptions;
}

export interface ValidateResult {
  /** Set only when the desired state is valid. */
  desired?: DesiredState;
  diagnostics: Diagnostic[];
  tests?: TestResult[];
  /** Invariants, and the coverage when asked for. */
  quality?: QualityReport;
}

/** The valid desired state with its (warning) diagnostics, or InvalidDesiredStateError carrying every problem. */
export function requireValidDesiredState(dir: string, options: ValidateOptions): { desired: DesiredState; result: ValidateResult } {
  const result = validateDesiredState(dir, options);
  if (!result.desired) throw new InvalidDesiredStateError(result.diagnostics);
  return { desired: result.desired, result };
}

export function validateDesiredState(dir: string, options: ValidateOptions): ValidateResult {
  const finish = (diagnostics: Diagnostic[]): Diagnostic[] => sortDiagnostics(options.denyWarnings ? promote(diagnostics) : diagnostics);
  const checked = loadCheckedDesiredState(dir, options);
  if (!checked.desired) return { diagnostics: checked.diagnostics };
  const desired = checked.desired;
  const diagnostics = [...checked.diagnostics];
  const { results, diagnostics: testWarnings } = runAccessTests(desired);
  pushAll(diagnostics, testWarnings);
  pushAll(diagnostics, testDiagnostics(results));
  const { report: quality, diagnostics: qualityDiagnostics } = checkQuality(desired, results, options.quality);
  pushAll(diagnostics, qualityDiagnostics);
  const all = finish(diagnostics);
  return hasErrors(all) ? { diagnostics: all, tests: results, quality } : { desired, diagnostics: all, tests: results, quality };
}
