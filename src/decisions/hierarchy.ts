/**
 * Who is `in` whom: the transitive parents of every entity, from the entities file and the schema's action groups
 * — the same data the engine is given, so that matching a scope here (`principal in Group::"g"`, `action in
 * [Action::"read"]`) agrees with Cedar. An entity that no data describes has no parents, as in Cedar.
 */
import type { EntityJson } from "../cedar/engine.js";
import { uidKey } from "../cedar/entity-index.js";
import type { EntityRef } from "../cedar/assemble.js";
import { keyOf } from "./entity-keys.js";

export class Hierarchy {
  private readonly parents = new Map<string, string[]>();
  private readonly closure = new Map<string, ReadonlySet<string>>();

  constructor(entities: readonly EntityJson[], actionGroups: readonly { ref: EntityRef; parents: readonly EntityRef[] }[] = []) {
    const add = (child: string, parent: string) => {
      const list = this.parents.get(child);
      if (list) list.push(parent);
      else this.parents.set(child, [parent]);
    };
    for (const e of entities) for (const p of e.parents ?? []) add(uidKey(e.uid), uidKey(p));
    for (const a of actionGroups) for (const p of a.parents) add(keyOf(a.ref), keyOf(p));
  }

  /** Every ancestor of the entity (not the entity itself). Memoized; cycles in the data are tolerated. */
  ancestors(key: string): ReadonlySet<string> {
    const hit = this.closure.get(key);
    if (hit) return hit;
    const out = new Set<string>();
    const queue = [...(this.parents.get(key) ?? [])];
    while (queue.length > 0) {
      const k = queue.pop() as string;
      if (out.has(k)) continue;
      out.add(k);
      const cached = this.closure.get(k);
      if (cached) for (const c of cached) out.add(c);
      else queue.push(...(this.parents.get(k) ?? []));
    }
    this.closure.set(key, out);
    return out;
  }

  /** Cedar's `in`: the entity itself or one of its ancestors. */
  isIn(key: string, container: string): boolean {
    return key === container || this.ancestors(key).has(container);
  }
}
