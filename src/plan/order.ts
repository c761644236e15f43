/**
 * The stable order of a plan (phase, then address) and its dependency layers. Phases follow SPEC section 5:
 * policies and Cedar policy metadata → roles and Cedar rules → deletes of roles and rules → deletes of policies.
 */
import type { Change } from "./model.js";

export function phaseOf(c: Change): number {
  if (c.kind === "delete") return c.type === "role" || c.type === "cedar-rule" ? 3 : 4;
  return c.type === "role" || c.type === "cedar-rule" ? 2 : 1;
}

const KIND_ORDER = { create: 0, rename: 1, update: 2, move: 3, delete: 4 } as const;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rule addresses sort by policy, then numerically by ordinal. */
function addressKey(c: Change): [string, number] {
  const m = /^(.*)\/rules\/(\d+)$/.exec(c.address);
  return m ? [m[1]!, Number(m[2])] : [c.address, 0];
}

export function sortChanges(changes: readonly Change[]): Change[] {
  return [...changes].sort((a, b) => {
    const [aa, an] = addressKey(a);
    const [ba, bn] = addressKey(b);
    return phaseOf(a) - phaseOf(b) || cmp(aa, ba) || an - bn || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || cmp(a.id, b.id);
  });
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
