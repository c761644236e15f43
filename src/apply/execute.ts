/**
 * The executor: walks the plan's dependency graph (STYLE 7, terraform's `dag/walk.go`). A change starts as soon as
 * every change it depends on has succeeded — not layer by layer — with at most `concurrency` changes in flight per
 * API; each API client's adaptive limiter further shrinks the requests really in flight while the server answers
 * 429, and grows them back after. A failed change marks everything depending on it (transitively) skipped, naming
 * the failure; independent work goes on. Pure of printing: progress goes to a callback.
 */
import { formatAddress } from "../address/address.js";
import { UndocumentedCallError, type CedarClient } from "../live/cedar-client.js";
import { DEFAULT_CONCURRENCY, defaultSleep } from "../live/concurrency.js";
import type { RbacClient } from "../live/rbac-client.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../live/retry.js";
import type { Change } from "../plan/model.js";
import { applyCedarPolicyChange, applyCedarRuleChange } from "./apply-cedar.js";
import { applyRbacChange } from "./apply-rbac.js";
import { HttpError, SERVICE_NAME, type ServiceName } from "../live/http-error.js";
import { ApplyChangeError, OutcomeUnknownError, type ChangeOutcome } from "./change-outcome.js";
import type { ApplyReport, NotStartedChange } from "./report.js";
import { RunState } from "./run-state.js";
import type { SettleOptions } from "./settle.js";

export interface ApplyClients {
  rbac?: RbacClient;
  cedar?: CedarClient;
}

export type ProgressStatus = "applied" | "adopted" | "failed" | "unknown" | "skipped" | "not-started";

export interface ProgressEvent {
  change: Change;
  status: ProgressStatus;
  /** Changes finished so far (this one included), whatever their status. */
  done: number;
  total: number;
  /** For every status but applied: why. */
  error?: string;
}

export interface ExecuteOptions {
  /**
   * Most changes in flight per API (RBAC and Cedar each have their own). Default: the client's limiter maximum
   * (8 unless the client was built otherwise). Requests never exceed the client limiter's current limit either,
   * so build the clients with at least this concurrency.
   */
  concurrency?: number;
  /** Told once per finished change, in completion order. It must not throw. */
  onProgress?: (event: ProgressEvent) => void;
  /** Stops starting new changes; those in flight finish; the rest are reported "not started" (interrupted). */
  signal?: AbortSignal;
  /** The settle loops' attempts and backoff (on top of the HTTP client's own retries). */
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

type Api = ServiceName;

const APIS: readonly Api[] = ["rbac", "cedar"];

export function apiOf(change: Change): Api {
  return change.type === "rbac-policy" || change.type === "role" ? "rbac" : "cedar";
}

export async function executePlan(changes: readonly Change[], clients: ApplyClients, options: ExecuteOptions = {}): Promise<ApplyReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const settle: SettleOptions = {
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
  };
  if (options.concurrency !== undefined && (!Number.isInteger(options.concurrency) || options.concurrency < 1)) {
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${options.concurrency}`);
  }
  const limit = (api: Api): number => options.concurrency ?? clients[api]?.http.limiter.max ?? DEFAULT_CONCURRENCY;
  const run = new RunState(changes);
  const graph = buildGraph(changes);

  const report: ApplyReport = { applied: [], failed: [], unknown: [], skipped: [], notStarted: [], durationMs: 0, aborted: false };
  const finished = new Set<string>();
  const queues: Record<Api, Change[]> = { rbac: [], cedar: [] };
  const inFlight: Record<Api, number> = { rbac: 0, cedar: 0 };
  const total = changes.length;

  const emit = (change: Change, status: ProgressStatus, error?: string): void => {
    finished.add(change.id);
    if (!options.onProgress) return;
    try {
      options.onProgress({ change, status, done: finished.size, total, ...(error !== undefined ? { error } : {}) });
    } catch {
      // A progress display must not break the walk.
    }
  };

  const succeeded = (change: Change, outcome: ChangeOutcome): void => {
    report.applied.push({ change, ...outcome });
    emit(change, outcome.adopted ? "adopted" : "applied");
    for (const id of graph.dependents.get(change.id) ?? []) {
      if (finished.has(id)) continue;
      const left = (graph.pending.get(id) ?? 1) - 1;
      graph.pending.set(id, left);
      if (left === 0) {
        const next = graph.byId.get(id)!;
        queues[apiOf(next)].push(next);
      }
    }
  };

  /** Everything downstream of a change that did not apply: skipped, or not started for the same reason. */
  const downstream = (change: Change, mark: (dependent: Change) => void): void => {
    const stack = [...(graph.dependents.get(change.id) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (finished.has(id)) continue;
      mark(graph.byId.get(id)!);
      for (const next of graph.dependents.get(id) ?? []) stack.push(next);
    }
  };

  const skipDownstream = (change: Change): void =>
    downstream(change, (dependent) => {
      const message = `upstream failed: ${formatAddress(change.address)} (${change.kind}) did not apply`;
      report.skipped.push({ change: dependent, reason: "upstream-failed", failedDependencies: [change.id], message });
      emit(dependent, "skipped", message);
    });

  const notStarted = (change: Change, reason: NotStartedChange["reason"], message: string): void => {
    report.notStarted.push({ change, reason, message });
    emit(change, "not-started", message);
    downstream(change, (dependent) => {
      report.notStarted.push({ change: dependent, reason, message });
      emit(dependent, "not-started", message);
    });
  };

  // Set when the service lacks a call accessctl assumed (UndocumentedCallError): nothing more is sent in this run.
  let stoppedBy: string | undefined;

  const unreachableMessage = (api: Api): string | undefined => {
    const down = clients[api]?.http?.health?.unreachable;
    return down ? `not started: ${SERVICE_NAME[api]} stopped answering (${down.reason})` : undefined;
  };

  const ended = (change: Change, error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof HttpError && error.unreachable !== undefined && error.outcome === "not-applied") {
      notStarted(change, "unreachable", unreachableMessage(apiOf(change)) ?? message);
      return;
    }
    if (error instanceof UndocumentedCallError) stoppedBy ??= error.message;
    if (error instanceof OutcomeUnknownError) {
      report.unknown.push({ change, error: message });
      emit(change, "unknown", message);
    } else {
      report.failed.push({ change, error: message });
      emit(change, "failed", message);
    }
    skipDownstream(change);
  };

  const runChange = (change: Change): Promise<ChangeOutcome> => {
    switch (change.type) {
      case "rbac-policy":
      case "role":
        if (!clients.rbac) throw new ApplyChangeError(`bug: ${formatAddress(change.address)} needs the RBAC API but no RBAC client was given`);
        return applyRbacChange(change, clients.rbac, run, settle);
      case "cedar-policy":
        if (!clients.cedar) throw new ApplyChangeError(`bug: ${formatAddress(change.address)} needs the Cedar API but no Cedar client was given`);
        return applyCedarPolicyChange(change, clients.cedar, run, settle);
      case "cedar-rule":
        if (!clients.cedar) throw new ApplyChangeError(`bug: ${formatAddress(change.address)} needs the Cedar API but no Cedar client was given`);
        return applyCedarRuleChange(change, clients.cedar, run, settle);
    }
  };

  return new Promise<ApplyReport>((resolve) => {
    let closed = false;

    const close = (): void => {
      if (closed) return;
      closed = true;
      const aborted = options.signal?.aborted === true;
      for (const change of changes) {
        if (finished.has(change.id)) continue;
        const down = unreachableMessage(apiOf(change));
        if (aborted) notStarted(change, "interrupted", "not started: the apply was interrupted");
        else if (down) notStarted(change, "unreachable", down);
        else {
          // Nothing in flight, nothing ready, yet not finished: only a cycle leaves a change waiting for ever.
          const error = `bug: ${change.id} waits on a dependency cycle (${change.dependsOn.join(", ")})`;
          report.failed.push({ change, error });
          emit(change, "failed", error);
        }
      }
      report.aborted = aborted && report.notStarted.some((n) => n.reason === "interrupted");
      report.durationMs = now() - started;
      resolve(report);
    };

    const start = (api: Api, change: Change): void => {
      inFlight[api]++;
      void Promise.resolve()
        .then(() => runChange(change))
        .then(
          (outcome) => succeeded(change, outcome),
          (error: unknown) => ended(change, error),
        )
        .finally(() => {
          inFlight[api]--;
          pump();
        });
    };

    const pump = (): void => {
      if (options.signal?.aborted !== true) {
        for (const api of APIS) {
          const queue = queues[api];
          if (stoppedBy !== undefined) {
            const message = `not started: the run stopped — ${stoppedBy}`;
            for (const change of queue.splice(0)) if (!finished.has(change.id)) notStarted(change, "stopped", message);
            continue;
          }
          const down = unreachableMessage(api);
          if (down) {
            // Nothing more is sent to an API that stopped answering.
            for (const change of queue.splice(0)) if (!finished.has(change.id)) notStarted(change, "unreachable", down);
            continue;
          }
          while (inFlight[api] < limit(api) && queue.length > 0) start(api, queue.shift()!);
        }
      }
      if (inFlight.rbac + inFlight.cedar === 0) close();
    };

    for (const change of changes) {
      if (graph.pending.get(change.id) === 0) queues[apiOf(change)].push(change);
    }
    pump();
  });
}

interface Graph {
  byId: Map<string, Change>;
  /** Change id → ids of the changes that depend on it. */
  dependents: Map<string, string[]>;
  /** Change id → how many of its dependencies have not succeeded yet. */
  pending: Map<string, number>;
}

/** Dependencies outside the change set (left out by `--only`, or live already) are taken as met. */
function buildGraph(changes: readonly Change[]): Graph {
  const byId = new Map<string, Change>();
  for (const c of changes) {
    if (byId.has(c.id)) throw new Error(`bug: two changes share the id ${c.id}`);
    byId.set(c.id, c);
  }
  const dependents = new Map<string, string[]>();
  const pending = new Map<string, number>();
  for (const c of changes) {
    const deps = new Set(c.dependsOn.filter((d) => d !== c.id && byId.has(d)));
    pending.set(c.id, deps.size);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(c.id);
      else dependents.set(d, [c.id]);
    }
  }
  return { byId, dependents, pending };
}
