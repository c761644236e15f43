/**
 * What an apply did, as data: `executePlan` returns an `ApplyReport`, and `summarizeApply` turns it into counts
 * and sorted lists for the renderers (CLI text, PR comment). Nothing here prints. Every change ends in exactly one
 * of five categories (docs/exit-codes.md, "Interrupts"): applied, failed, outcome unknown, skipped (a change it
 * depends on did not apply), not started (the run was interrupted, or its API stopped answering).
 */
import type { Address } from "../address/address.js";
import type { Change, ChangeKind, ObjectType } from "../plan/model.js";
import { sortChanges } from "../plan/order.js";

export interface AppliedChange {
  change: Change;
  /**
   * A create whose answer was lost, settled by adopting the object found live
   * (docs/services.md#writes-whose-outcome-is-unknown).
   */
  adopted: boolean;
  /** The object's live id after the change (none for deletes). */
  liveId?: string;
  /** Why it counts as done without a plain success, e.g. a DELETE answering 404. */
  note?: string;
}

export interface FailedChange {
  change: Change;
  /** The API's message, e.g. `[PUT] /v1/organization/roles/r1: 409 Conflict — …`, or why it could not be settled. */
  error: string;
}

export interface SkippedChange {
  change: Change;
  /** A change it depends on failed, had an unknown outcome, or was skipped for that reason. */
  reason: "upstream-failed";
  /** Ids of the changes upstream that caused the skip. */
  failedDependencies: string[];
  /** One line, naming the failed dependency by address. */
  message: string;
}

export interface NotStartedChange {
  change: Change;
  /**
   * `interrupted`: SIGINT/SIGTERM before it started; `unreachable`: its API had stopped answering; `stopped`: the
   * run stopped because the service lacks a call accessctl assumed.
   */
  reason: "interrupted" | "unreachable" | "stopped";
  /** One line: why it was not started. */
  message: string;
}

export interface ApplyReport {
  applied: AppliedChange[];
  failed: FailedChange[];
  /** Writes sent whose outcome could not be settled (the answer was lost and listing again failed). */
  unknown: FailedChange[];
  skipped: SkippedChange[];
  notStarted: NotStartedChange[];
  /** Wall time of the walk. */
  durationMs: number;
  /** True when the signal stopped the walk before every change ran. */
  aborted: boolean;
}

export interface ReportLine {
  id: string;
  address: Address;
  kind: ChangeKind;
  type: ObjectType;
  /** For a reorder: how many rules it moves (one call for all of them). */
  moves?: number;
}

export interface ApplySummary {
  counts: { total: number; applied: number; adopted: number; failed: number; unknown: number; skipped: number; notStarted: number };
  /** True when every change was applied: the run may exit 0 (then a fresh plan must still be empty). */
  ok: boolean;
  aborted: boolean;
  durationMs: number;
  applied: Array<ReportLine & { adopted: boolean; note?: string }>;
  failed: Array<ReportLine & { error: string }>;
  unknown: Array<ReportLine & { error: string }>;
  skipped: Array<ReportLine & { reason: SkippedChange["reason"]; failedDependencies: string[]; message: string }>;
  notStarted: Array<ReportLine & { reason: NotStartedChange["reason"]; message: string }>;
}

/** Counts and lists, each list in plan order (phase, then address). Pure. */
export function summarizeApply(report: ApplyReport): ApplySummary {
  const line = (c: Change): ReportLine => ({
    id: c.id,
    address: c.address,
    kind: c.kind,
    type: c.type,
    ...(c.type === "cedar-policy" && c.kind === "reorder" ? { moves: c.moves.length } : {}),
  });
  const inPlanOrder = <T extends { change: Change }>(entries: readonly T[]): T[] => {
    const byId = new Map(entries.map((e) => [e.change.id, e]));
    return sortChanges(entries.map((e) => e.change)).map((c) => byId.get(c.id)!);
  };
  const applied = inPlanOrder(report.applied).map((a) => ({
    ...line(a.change),
    adopted: a.adopted,
    ...(a.note !== undefined ? { note: a.note } : {}),
  }));
  const failed = inPlanOrder(report.failed).map((f) => ({ ...line(f.change), error: f.error }));
  const unknown = inPlanOrder(report.unknown).map((f) => ({ ...line(f.change), error: f.error }));
  const notStarted = inPlanOrder(report.notStarted).map((n) => ({ ...line(n.change), reason: n.reason, message: n.message }));
  const skipped = inPlanOrder(report.skipped).map((s) => ({
    ...line(s.change),
    reason: s.reason,
    failedDependencies: [...s.failedDependencies],
    message: s.message,
  }));
  return {
    counts: {
      total: applied.length + failed.length + unknown.length + skipped.length + notStarted.length,
      applied: applied.length,
      adopted: applied.filter((a) => a.adopted).length,
      failed: failed.length,
      unknown: unknown.length,
      skipped: skipped.length,
      notStarted: notStarted.length,
    },
    ok: failed.length + unknown.length + skipped.length + notStarted.length === 0,
    aborted: report.aborted,
    durationMs: report.durationMs,
    applied,
    failed,
    unknown,
    skipped,
    notStarted,
  };
}
