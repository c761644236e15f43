/**
 * Identity matching within one scope: a desired object is the live object of the same name, else the live
 * object named by one of its `previousNames` (a rename). Live objects matching `ignore` are never read; two live
 * objects with one name stop the plan. The pairing is the diff's answer to "which live object is which": the
 * changes, the guards' counts and the access impact all follow from it.
 */
import { formatAddress, type Address } from "../address/address.js";
import { diag } from "../diagnostics/diagnostic.js";
import type { DesiredCedarPolicy, DesiredRbacPolicy, DesiredRole, NameRef } from "../desired/types.js";
import type { LiveCedarPolicy, LiveRbacPolicy, LiveRbacScope, LiveRole } from "../live/types.js";
import { isIgnored, type DiffContext } from "./diff-context.js";
import type { ScopeKey } from "./model.js";

export interface Matchable {
  name: string;
  address: string;
  loc: NameRef["loc"];
  previousNames: NameRef[];
}

export interface Match<D, L> {
  desired: D;
  /** The live object it is; none when it is created in this run. */
  live?: L;
  /** The previous name it was found under (a rename). */
  renamedFrom?: string;
}

export interface Pairing<D, L> {
  matched: Match<D, L>[];
  /** Live objects no desired object claimed (ignored ones left out): deleted when ours (`owns`), else left alone. */
  unclaimed: L[];
}

/** One RBAC scope the diff read: its live state, and a pairing per managed collection (none: unmanaged). */
export interface RbacScopePairing {
  scope: ScopeKey;
  /** Undefined for the organization. */
  project?: { name: string; id: string };
  live: LiveRbacScope;
  policies?: Pairing<DesiredRbacPolicy, LiveRbacPolicy>;
  /** Custom roles only: system roles are never paired, written or counted. */
  roles?: Pairing<DesiredRole, LiveRole>;
}

/** The Cedar tenant, when its policies are managed: every live policy (ignored ones too), and the pairing. */
export interface CedarPairing {
  live: readonly LiveCedarPolicy[];
  policies: Pairing<DesiredCedarPolicy, LiveCedarPolicy>;
}

/** Everything the diff paired, scope by scope (organization first, then projects in the files' order). */
export interface Pairings {
  rbac: RbacScopePairing[];
  cedar?: CedarPairing;
}

export function pairObjects<D extends Matchable, L extends { id: string; name: string }>(
  desired: readonly D[],
  live: readonly L[],
  addressOf: (name: string) => Address,
  what: string,
  ctx: DiffContext,
): Pairing<D, L> {
  const byName = new Map<string, L>();
  for (const l of live) {
    const address = addressOf(l.name);
    if (isIgnored(ctx.settings, address)) continue;
    const other = byName.get(l.name);
    if (other) {
      ctx.liveErrors.push(
        `${formatAddress(address)}: two live ${what}s are named ${JSON.stringify(l.name)} (ids ${other.id} and ${l.id}); ` +
          "accessctl identifies objects by name, so it will not guess: rename or delete one of them in the service, then plan again",
      );
      continue;
    }
    byName.set(l.name, l);
  }
  const claimed = new Set<L>();
  const matched: Match<D, L>[] = [];
  for (const d of desired) {
    if (isIgnored(ctx.settings, addressOf(d.name))) {
      ctx.diagnostics.push(
        diag("declared-ignored", `${d.address} is declared, but matches an \`ignore\` pattern`, d.loc, {
          address: d.address,
          hint: "an ignored object is managed elsewhere: remove the declaration or the ignore pattern",
        }),
      );
      continue;
    }
    let l = byName.get(d.name);
    let renamedFrom: string | undefined;
    if (!l) {
      for (const prev of d.previousNames) {
        const candidate = byName.get(prev.name);
        if (candidate && !claimed.has(candidate)) {
          l = candidate;
          renamedFrom = prev.name;
          break;
        }
      }
    }
    if (l) claimed.add(l);
    matched.push(renamedFrom === undefined ? { desired: d, ...(l ? { live: l } : {}) } : { desired: d, live: l!, renamedFrom });
  }
  const unclaimed = [...byName.values()].filter((l) => !claimed.has(l));
  return { matched, unclaimed };
}
