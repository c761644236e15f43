/**
 * The in-memory state: one Map per collection (insertion order = creation order, which the lists show), plus
 * name indexes so that uniqueness checks stay O(1) at 10,000 objects.
 *
 * Every write goes through `commit`, synchronously: handlers check and write in one tick, so two concurrent
 * creates can never both pass a uniqueness check. `commit` hands the change to the listener (the journal)
 * before returning; the HTTP layer then waits until that sequence number is durable before it answers.
 */

import {
  COLLECTION_NAMES,
  type Change,
  type CollectionName,
  type CollectionRecords,
  type StateData,
} from "./model.js";

/** What one commit adds to the journal. */
export interface CommitEntry {
  seq: number;
  counter: number;
  changes: Change[];
}

type Collections = { [C in CollectionName]: Map<string, CollectionRecords[C]> };

function nameKey(scope: string, name: string): string {
  return `${scope}\u0000${name}`;
}

/** name → ids; a Set because out-of-band writes (the test accessor) may create duplicates on purpose. */
class NameIndex {
  private readonly map = new Map<string, Set<string>>();
  add(key: string, id: string): void {
    let ids = this.map.get(key);
    if (!ids) this.map.set(key, (ids = new Set()));
    ids.add(id);
  }
  remove(key: string, id: string): void {
    const ids = this.map.get(key);
    if (!ids) return;
    ids.delete(id);
    if (ids.size === 0) this.map.delete(key);
  }
  /** The ids holding the name, other than `except` (the object being renamed). */
  holders(key: string, except?: string): string[] {
    return [...(this.map.get(key) ?? [])].filter((id) => id !== except);
  }
}

export class Store {
  readonly organizationId: string;
  seq: number;
  counter: number;
  /** Called synchronously for every commit; the journal appends it to its pending batch. */
  onCommit: ((entry: CommitEntry) => void) | undefined;

  private readonly collections: Collections;
  private readonly policyNames = new NameIndex();
  private readonly roleNames = new NameIndex();
  private readonly cedarPolicyNames = new NameIndex();
  private readonly rulesByPolicy = new Map<string, Set<string>>();

  constructor(data: StateData) {
    this.organizationId = data.organizationId;
    this.seq = data.seq;
    this.counter = data.counter;
    this.collections = {
      permissions: new Map(),
      projects: new Map(),
      members: new Map(),
      policies: new Map(),
      roles: new Map(),
      cedarPolicies: new Map(),
      cedarRules: new Map(),
    };
    for (const c of COLLECTION_NAMES) {
      for (const record of data.collections[c]) this.applyChange({ op: "put", c, v: record } as Change);
    }
  }

  get<C extends CollectionName>(c: C, id: string): CollectionRecords[C] | undefined {
    return this.collections[c].get(id) as CollectionRecords[C] | undefined;
  }

  all<C extends CollectionName>(c: C): IterableIterator<CollectionRecords[C]> {
    return this.collections[c].values() as IterableIterator<CollectionRecords[C]>;
  }

  count(c: CollectionName): number {
    return this.collections[c].size;
  }

  policyNameHolders(scope: string, name: string, except?: string): string[] {
    return this.policyNames.holders(nameKey(scope, name), except);
  }

  roleNameHolders(scope: string, name: string, except?: string): string[] {
    return this.roleNames.holders(nameKey(scope, name), except);
  }

  cedarPolicyNameHolders(name: string, except?: string): string[] {
    return this.cedarPolicyNames.holders(name, except);
  }

  ruleCount(policyId: string): number {
    return this.rulesByPolicy.get(policyId)?.size ?? 0;
  }

  ruleIdsOf(policyId: string): string[] {
    return [...(this.rulesByPolicy.get(policyId) ?? [])];
  }

  /** A fresh value for id derivation; it reaches the journal with the next commit. */
  nextCounter(): number {
    this.counter += 1;
    return this.counter;
  }

  /** Applies the changes atomically (no await in between) and returns their sequence number. */
  commit(changes: Change[]): number {
    for (const change of changes) this.applyChange(change);
    this.seq += 1;
    this.onCommit?.({ seq: this.seq, counter: this.counter, changes });
    return this.seq;
  }

  /** Journal replay: the same changes, without re-journaling them. */
  replay(entry: CommitEntry): void {
    for (const change of entry.changes) this.applyChange(change);
    this.seq = entry.seq;
    this.counter = Math.max(this.counter, entry.counter);
  }

  toData(): StateData {
    const collections = {} as StateData["collections"];
    for (const c of COLLECTION_NAMES) {
      (collections as Record<string, unknown[]>)[c] = [...this.collections[c].values()];
    }
    return {
      format: "accessctl-emulator-state",
      version: 1,
      organizationId: this.organizationId,
      seq: this.seq,
      counter: this.counter,
      collections,
    };
  }

  private applyChange(change: Change): void {
    const map = this.collections[change.c] as Map<string, unknown>;
    const id = change.op === "put" ? change.v.id : change.id;
    const before = map.get(id);
    if (before !== undefined) this.unindex(change.c, before);
    if (change.op === "put") {
      map.set(id, change.v);
      this.index(change.c, change.v);
    } else {
      map.delete(id);
    }
  }

  private index(c: CollectionName, record: unknown): void {
    this.reindex(c, record, true);
  }

  private unindex(c: CollectionName, record: unknown): void {
    this.reindex(c, record, false);
  }

  /** Adds a record to (or removes it from) the name indexes that keep names unique per scope. */
  private reindex(c: CollectionName, record: unknown, add: boolean): void {
    switch (c) {
      case "policies": {
        const r = record as CollectionRecords["policies"];
        this.policyNames[add ? "add" : "remove"](nameKey(r.scope, r.name), r.id);
        break;
      }
      case "roles": {
        const r = record as CollectionRecords["roles"];
        this.roleNames[add ? "add" : "remove"](nameKey(r.scope, r.name), r.id);
        break;
      }
      case "cedarPolicies": {
        const r = record as CollectionRecords["cedarPolicies"];
        this.cedarPolicyNames[add ? "add" : "remove"](r.name, r.id);
        break;
      }
      case "cedarRules": {
        const r = record as CollectionRecords["cedarRules"];
        let ids = this.rulesByPolicy.get(r.policy_id);
        if (add) {
          if (!ids) this.rulesByPolicy.set(r.policy_id, (ids = new Set()));
          ids.add(r.id);
        } else {
          ids?.delete(r.id);
          if (ids && ids.size === 0) this.rulesByPolicy.delete(r.policy_id);
        }
        break;
      }
      default:
        break;
    }
  }
}
