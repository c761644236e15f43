/**
 * Every object a plan can speak about: the declared objects and the live objects of the managed collections
 * (ignored ones left out), as addresses. `--only` patterns must match one of them (docs/plan-and-apply.md,
 * "Selection"), and so should `protect` / `ignore` / `owns` patterns. Pure.
 */
import { rbacAddress, type Address } from "../address/address.js";
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
    for (const name of names(scope.policies)) out.push(rbacAddress("policy", name, project));
    for (const name of names(scope.roles)) out.push(rbacAddress("role", name, project));
  }
  for (const name of names(pairings.cedar?.policies)) out.push({ kind: "cedar-policy", name });
  return out;
}

/**
 * Every live object of the managed collections, ignored ones included (an `ignore` pattern names those), and each
 * live Cedar policy's rules: a `protect` pattern may name a live rule the files no longer hold, and the guard does
 * protect it, so the pattern protects something.
 */
export function liveAddresses(pairings: Pairings): Address[] {
  const out: Address[] = [];
  for (const scope of pairings.rbac) {
    const project = scope.project?.name;
    if (scope.policies) for (const p of scope.live.policies) out.push(rbacAddress("policy", p.name, project));
    if (scope.roles) {
      for (const r of scope.live.roles) {
        if (r.system) continue;
        out.push(rbacAddress("role", r.name, project));
      }
    }
  }
  for (const p of pairings.cedar?.live ?? []) {
    out.push({ kind: "cedar-policy", name: p.name });
    for (const r of p.rules) out.push({ kind: "cedar-rule", policy: p.name, ordinal: r.ordinal });
  }
  return out;
}
