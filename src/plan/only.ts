/**
 * The selection stage (`--only <pattern>`): keep the changes whose address matches. It does not pull in
 * dependencies: a kept change that needs an object another, left-out change would create is an error, said with
 * both addresses. Pure.
 */
import { formatAddress, matchAny, type Pattern } from "../address/address.js";
import type { Change } from "./model.js";

export interface Selection {
  changes: Change[];
  /** `--only` leaving out a dependency that is not live yet (exit 1). */
  errors: string[];
}

export function selectChanges(changes: readonly Change[], only: readonly Pattern[]): Selection {
  if (only.length === 0) return { changes: [...changes], errors: [] };
  const byId = new Map(changes.map((c) => [c.id, c]));
  const kept = changes.filter((c) => matchAny(only, c.address));
  const keptIds = new Set(kept.map((c) => c.id));
  const errors: string[] = [];
  const out = kept.map((c) => {
    for (const d of c.dependsOn) {
      const dep = byId.get(d);
      if (dep && !keptIds.has(d) && dep.kind === "create") {
        errors.push(`${formatAddress(c.address)} needs ${formatAddress(dep.address)}, which is not live yet and which --only leaves out; add a pattern for it`);
      }
    }
    return { ...c, dependsOn: c.dependsOn.filter((d) => keptIds.has(d)) };
  });
  return { changes: out, errors };
}
