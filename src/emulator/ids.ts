/**
 * Id minting. Ids are opaque but deterministic: seeded objects take ids derived from their names (so a state file
 * and a fresh emulator agree on them), created objects take ids derived from a persisted counter (so the same
 * requests against a fresh emulator yield the same ids, which keeps seeded fault runs reproducible).
 */

import { createHash } from "node:crypto";

function digestHex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** RBAC ids look like `perm_3f9c0a1b2c4d5e6f`: a kind prefix (readable in logs) and 16 hex digits. */
export function seededId(prefix: string, ...parts: string[]): string {
  return `${prefix}_${digestHex(`seed\u0000${prefix}\u0000${parts.join("\u0000")}`).slice(0, 16)}`;
}

export function createdId(prefix: string, counter: number): string {
  return `${prefix}_${digestHex(`created\u0000${prefix}\u0000${counter}`).slice(0, 16)}`;
}

/**
 * Cedar API ids are UUIDs (docs/services.md#authentication-and-errors): a v4-shaped UUID whose random bits come
 * from the counter's digest.
 */
export function createdUuid(kind: string, counter: number): string {
  const hex = digestHex(`uuid\u0000${kind}\u0000${counter}`).slice(0, 32).split("");
  hex[12] = "4";
  hex[16] = ((parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
