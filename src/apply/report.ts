/**
 * What an apply did, as data: `executePlan` returns an `ApplyReport`, and `summarizeApply` turns it into counts
 * and sorted lists for the renderers (CLI text, PR comment). Nothing here prints.
 */
import type { Address } from "../address/address.js";
import type { Change, ChangeKind, ObjectType } from "../plan/model.js";
import { sortChanges } from "../plan/order.js";

export interface AppliedChange {
  change: Change;
  /** A create whose answer was lost, settled by adopting the object found live (SPEC section 5). */
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
  /** `upstream-failed`: a change it depends on failed (or was skipped for that reason); `aborted`: never started. */
  reason: "upstream-failed" | "aborted";
  /** Ids of the failed changes upstream that caused the skip (empty when aborted). */
  failedDependencies: string[];
  /** One line, naming the failed dependency by address. */
  message: string;
}

export interface ApplyReport {
  applied: AppliedChange[];
  failed: FailedChange[];
  skipped: SkippedChange[];
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
}

export interface ApplySummary {
  counts: { total: number; applied: number; adopted: number; failed: number; skipped: number };
  /** True when every change was applied: the run may exit 0 (then a fresh plan must still be empty). */
  ok: boolean;
  aborted: boolean;
  durationMs: number;
  applied: Array<ReportLine & { adopted: boolean; note?: string }>;
  failed: Array<ReportLine & { error: string }>;
  skipped: Array<ReportLine & { reason: SkippedChange["reason"]; failedDependencies: string[]; message: string }>;
}

/** Counts and lists, each list in plan order (phase, then address). Pure. */
export function summarizeApply(report: ApplyReport): ApplySummary {
  const line = (c: Change): ReportLine => ({ id: c.id, address: c.address, kind: c.kind, type: c.type });
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
  const skipped = inPlanOrder(report.skipped).map((s) => ({
    ...line(s.change),
    reason: s.reason,
    failedDependencies: [...s.failedDependencies],
    message: s.message,
  }));
  return {
    counts: {
      total: applied.length + failed.length + skipped.length,
      applied: applied.length,
      adopted: applied.filter((a) => a.adopted).length,
      failed: failed.length,
      skipped: skipped.length,
    },
    ok: failed.length === 0 && skipped.length === 0,
    aborted: report.aborted,
    durationMs: report.durationMs,
    applied,
    failed,
    skipped,
  };
}
