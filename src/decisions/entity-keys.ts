/**
 * Entities as map keys (`type \0 id`, built by `uidKey` in cedar/entity-key.ts) and back to what users read
 * (`User::"alice"`). Kept apart so every module of the decision review agrees on one key form.
 */
import { entityLiteral, parseEntityLiteral } from "../cedar/assemble.js";
import type { EntityRef } from "../cedar/assemble.js";
import { uidKey } from "../cedar/entity-key.js";

const SEP = "\u0000";

/** `uidKey`, under the name the decision review uses. */
export const keyOf: (ref: EntityRef) => string = uidKey;

export function refOf(key: string): EntityRef {
  const at = key.indexOf(SEP);
  return { type: key.slice(0, at), id: key.slice(at + 1) };
}

export function typeOfKey(key: string): string {
  return key.slice(0, key.indexOf(SEP));
}

export function literalOf(ref: EntityRef): string {
  return entityLiteral(ref.type, ref.id);
}

/** `Action` and `NS::Action`: action entities are never principals or resources. */
export function isActionType(type: string): boolean {
  return type === "Action" || type.endsWith("::Action");
}

/** Parses a literal; a bare action id (`view`) means `Action::"view"` when `bareAction` is set. */
export function parseLiteral(text: string, bareAction = false): EntityRef | undefined {
  const ref = parseEntityLiteral(text);
  if (ref) return ref;
  const trimmed = text.trim();
  if (bareAction && trimmed !== "" && !trimmed.includes("::") && !trimmed.includes('"')) return { type: "Action", id: trimmed };
  return undefined;
}

/** Entities in the order every output uses: by type, then id (code-unit order, stable across platforms). */
export function compareRefs(a: EntityRef, b: EntityRef): number {
  return compareStrings(a.type, b.type) || compareStrings(a.id, b.id);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
