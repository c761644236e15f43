/**
 * An entity as a map key (`type \0 id`): the one key form of the evaluator's entity index and of the decision
 * review. A module without the engine, so that reading scopes and keys never loads the WebAssembly engine.
 */
import type { EntityUidJson } from "./engine.js";

/** An entity as a map key: `type \0 id` (`keyOf` in src/decisions/entity-keys.ts is this function). */
export function uidKey(uid: EntityUidJson | { type: string; id: string }): string {
  const u = "__entity" in uid ? uid.__entity : uid;
  return `${u.type}\u0000${u.id}`;
}
