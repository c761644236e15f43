/**
 * What was reviewed, and how a fresh plan differs from it. A review is a checksum plus, when available, a digest
 * of each reviewed change (its id and a short hash of everything it would send): a saved plan file gives both,
 * the GitHub Action's plan comment gives both in its hidden markers.
 */
import { createHash } from "node:crypto";
import { stableJson } from "../json/stable-json.js";
import type { Change } from "../plan/model.js";

/** One reviewed change: its id and a short hash of everything it would send. */
export type ChangeDigest = [id: string, hash: string];

export interface Review {
  checksum: string;
  changes?: ChangeDigest[];
  /** `targetsDigest` of the targets the reviewed plan was made against, when recorded. */
  targets?: string;
}

export function digestChanges(changes: readonly Change[]): ChangeDigest[] {
  return changes.map((c) => [c.id, createHash("sha256").update(stableJson(c)).digest("hex").slice(0, 16)]);
}

export interface ReviewDifference {
  how: "added" | "removed" | "changed";
  /** The change id (`<kind>:<address>`). */
  id: string;
  /** The fresh change, for added and changed ones. */
  change?: Change;
}

/** The fresh plan against the reviewed digest, change by change, in the fresh plan's order, then removed ones. */
export function reviewDifferences(reviewed: readonly ChangeDigest[], fresh: readonly Change[]): ReviewDifference[] {
  const before = new Map(reviewed);
  const hashes = new Map(digestChanges(fresh));
  const out: ReviewDifference[] = [];
  for (const c of fresh) {
    const r = before.get(c.id);
    if (r === undefined) out.push({ how: "added", id: c.id, change: c });
    else if (r !== hashes.get(c.id)) out.push({ how: "changed", id: c.id, change: c });
  }
  for (const [id] of reviewed) if (!hashes.has(id)) out.push({ how: "removed", id });
  return out;
}
