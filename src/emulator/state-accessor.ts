/**
 * Out-of-band access to the emulator's state, for tests: inspect any object, or change what the APIs cannot
 * (assign a member to a custom role, add a member, plant two policies with one name to test identity errors).
 * Writes go through the store's commit and the journal like API writes, so they survive a restart too.
 */

import { createdId, createdUuid } from "./ids.js";
import type { CollectionName, CollectionRecords, MemberRecord, StateData } from "./model.js";
import type { Durability } from "./state-file.js";
import type { Store } from "./store.js";

export interface EmulatorState {
  readonly organizationId: string;
  /** A deep copy of everything (the snapshot's shape). */
  snapshot(): StateData;
  list<C extends CollectionName>(collection: C): CollectionRecords[C][];
  get<C extends CollectionName>(collection: C, id: string): CollectionRecords[C] | undefined;
  /** Inserts or replaces a whole record, bypassing every API rule; resolves once durable. */
  put<C extends CollectionName>(collection: C, record: CollectionRecords[C]): Promise<void>;
  remove(collection: CollectionName, id: string): Promise<void>;
  /** Gives the member (by email) this organization role. */
  assignOrganizationRole(email: string, roleId: string): Promise<void>;
  /** Gives the member (by email) this role in the role's project (adding them to the project if needed). */
  assignProjectRole(email: string, projectId: string, roleId: string): Promise<void>;
  addMember(member: { email: string; name?: string; organizationRoleId: string; projectRoleIds?: Record<string, string> }): Promise<MemberRecord>;
  /** A fresh id of the kind the APIs mint (`pol`, `role`, `user`, …; `uuid` for the Cedar API). */
  newId(kind: string): string;
}

export function createStateAccessor(store: Store, durability: Durability): EmulatorState {
  const commitAndWait = (changes: Parameters<Store["commit"]>[0]) => durability.waitDurable(store.commit(changes));
  const member = (email: string): MemberRecord => {
    const m = [...store.all("members")].find((x) => x.email === email);
    if (!m) throw new Error(`no member with email ${email}`);
    return m;
  };
  return {
    organizationId: store.organizationId,
    snapshot: () => structuredClone(store.toData()),
    list: (c) => [...store.all(c)].map((r) => structuredClone(r)),
    get: (c, id) => {
      const r = store.get(c, id);
      return r === undefined ? undefined : structuredClone(r);
    },
    put: (c, record) => commitAndWait([{ op: "put", c, v: structuredClone(record) } as Parameters<Store["commit"]>[0][number]]),
    remove: (c, id) => commitAndWait([{ op: "del", c, id }]),
    assignOrganizationRole: (email, roleId) =>
      commitAndWait([{ op: "put", c: "members", v: { ...member(email), organizationRoleId: roleId } }]),
    assignProjectRole: (email, projectId, roleId) => {
      const m = member(email);
      return commitAndWait([
        { op: "put", c: "members", v: { ...m, projectRoleIds: { ...m.projectRoleIds, [projectId]: roleId } } },
      ]);
    },
    addMember: async (input) => {
      const record: MemberRecord = {
        id: createdId("user", store.nextCounter()),
        email: input.email,
        name: input.name ?? input.email,
        organizationRoleId: input.organizationRoleId,
        projectRoleIds: input.projectRoleIds ?? {},
      };
      await commitAndWait([{ op: "put", c: "members", v: record }]);
      return structuredClone(record);
    },
    newId: (kind) => (kind === "uuid" ? createdUuid("oob", store.nextCounter()) : createdId(kind, store.nextCounter())),
  };
}
