/**
 * The ordering stage: the stable order of a plan (phase, then address) and its dependency layers. Phases follow
 * docs/plan-and-apply.md ("Order and concurrency"): policies and Cedar policy metadata → roles and Cedar rules →
 * deletes of roles and rules → deletes of policies.
 */
import { formatAddress } from "../address/address.js";
import type { Change } from "./model.js";

export function phaseOf(c: Change): number {
  if (c.kind === "delete") return c.type === "role" || c.type === "cedar-rule" ? 3 : 4;
  // A policy's reorder is its last rule write: it runs after the rule deletes.
  if (c.kind === "reorder") return 3;
  return c.type === "role" || c.type === "cedar-rule" ? 2 : 1;
}

const KIND_ORDER = { create: 0, rename: 1, update: 2, delete: 3, reorder: 4 } as const;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Rules sort by their policy's address, then numerically by ordinal; a policy's reorder after its rules;
 * everything else by its written address.
 */
function addressKey(c: Change): [string, number] {
  const a = c.address;
  if (a.kind === "cedar-rule") return [formatAddress({ kind: "cedar-policy", name: a.policy }), a.ordinal];
  return [formatAddress(a), c.kind === "reorder" ? Number.MAX_SAFE_INTEGER : 0];
}

export function sortChanges(changes: readonly Change[]): Change[] {
  const keyed = changes.map((c) => ({ c, key: addressKey(c) }));
  keyed.sort((x, y) => {
    const [a, b] = [x.c, y.c];
    const [aa, an] = x.key;
    const [ba, bn] = y.key;
    return phaseOf(a) - phaseOf(b) || cmp(aa, ba) || an - bn || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || cmp(a.id, b.id);
  });
  return keyed.map((k) => k.c);
}

/** Each change's layer: 0 for no dependency, else one more than its deepest dependency. */
export function dependencyLayers(changes: readonly Change[]): Map<string, number> {
  const byId = new Map(changes.map((c) => [c.id, c]));
  const layer = new Map<string, number>();
  const visit = (c: Change, stack: Set<string>): number => {
    const known = layer.get(c.id);
    if (known !== undefined) return known;
    if (stack.has(c.id)) throw new Error(`internal error: dependency cycle at ${c.id}`);
    stack.add(c.id);
    let l = 0;
    for (const d of c.dependsOn) {
      const dep = byId.get(d);
      if (dep) l = Math.max(l, visit(dep, stack) + 1);
    }
    stack.delete(c.id);
    layer.set(c.id, l);
    return l;
  };
  for (const c of changes) visit(c, new Set());
  return layer;
}
