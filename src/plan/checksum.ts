/**
 * The plan's checksum: sha256 over the sorted changes alone, in a key-sorted JSON form. Drift marks, impact and
 * guards are not part of it, so the same change set has the same checksum with or without `--base`.
 */
import { createHash } from "node:crypto";
import { stableJson } from "../json/stable-json.js";
import type { Change } from "./model.js";
import { sortChanges } from "./order.js";

export function planChecksum(changes: readonly Change[]): string {
  return "sha256:" + createHash("sha256").update(stableJson(sortChanges(changes))).digest("hex");
}
