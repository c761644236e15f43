/**
 * Every object a plan can speak about: the declared objects and the live objects of the managed collections
 * (ignored ones left out), as addresses. `--only` patterns must match one of them (docs/plan-and-apply.md,
 * "Selection"), and so should `protect` / `ignore` / `owns` patterns. Pure.
 */
import type { Address } from "../address/address.js";
import type { Pairing, Pairings } from "./match-objects.js";

export function managedAddresses(pairings: Pairings): Address[] {
  const out: Address[] = [];
  const names = <D extends { name: string }, L extends { name: string }>(p: Pairing<D, L> | undefined): string[] => {
    if (!p) return [];
    const all: string[] = [];
    for (const m of p.matched) {
      all.push(m.desired.name);
      if (m.live && m.live.name !== m.desired.name) all.push(m.live.name);
    }
    for (const l of p.unclaimed) all.push(l.name);
    return all;
  };
  for (const scope of pairings.rbac) {
    const project = scope.project?.name;
    for (const name of names(scope.policies)) out.push(project === undefined ? { kind: "org-policy", name } : { kind: "project-policy", project, name });
    for (const name of names(scope.roles)) out.push(project === undefined ? { kind: "org-role", name } : { kind: "project-role", project, name });
  }
  for (const name of names(pairings.cedar?.policies)) out.push({ kind: "cedar-policy", name });
  return out;
}
