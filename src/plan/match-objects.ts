/**
 * Identity matching within one scope: a desired object is the live object of the same name, else the live
 * object named by one of its `previousNames` (a rename). Live objects matching `ignore` are never read; two live
 * objects with one name stop the plan.
 */
import { diag } from "../diagnostics/diagnostic.js";
import type { NameRef } from "../desired/types.js";
import { isIgnored, type DiffContext } from "./diff-context.js";

export interface Matchable {
  name: string;
  address: string;
  loc: NameRef["loc"];
  previousNames: NameRef[];
}

export interface Pairing<D, L> {
  matched: { desired: D; live?: L; renamedFrom?: string }[];
  /** Live objects no desired object claimed (not ignored). */
  unclaimed: L[];
}

export function pairObjects<D extends Matchable, L extends { id: string; name: string }>(
  desired: readonly D[],
  live: readonly L[],
  addressOf: (name: string) => string,
  what: string,
  ctx: DiffContext,
): Pairing<D, L> {
  const byName = new Map<string, L>();
  for (const l of live) {
    if (isIgnored(ctx, addressOf(l.name))) continue;
    const other = byName.get(l.name);
    if (other) {
      ctx.liveErrors.push(
        `${addressOf(l.name)}: two live ${what}s are named ${JSON.stringify(l.name)} (ids ${other.id} and ${l.id}); ` +
          "accessctl identifies objects by name, so it will not guess: rename or delete one of them in the service, then plan again",
      );
      continue;
    }
    byName.set(l.name, l);
  }
  const claimed = new Set<L>();
  const matched: Pairing<D, L>["matched"] = [];
  for (const d of desired) {
    if (isIgnored(ctx, d.address)) {
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
