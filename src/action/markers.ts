/**
 * Hidden HTML-comment markers: how the action finds its own comment and issue again (one per desired-state path),
 * and what it remembers in them — the checksum shown, and a compact digest of the reviewed changes so that a
 * refused apply can say change by change what differs.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { digestChanges, type ChangeDigest } from "../flow/review.js";
import type { Change } from "../plan/model.js";

/** A path as a marker value: `-->`, `<`, `>` and `%` cannot appear in it, so the marker cannot be closed early. */
function markerValue(path: string): string {
  return path.replace(/[%<>]/g, (c) => encodeURIComponent(c)).replace(/-(?=-)/g, "%2D");
}

/** The plan comment on a pull request, and the drift issue's body: `<!-- accessctl:path=<path> -->`. */
export function pathMarker(path: string): string {
  return `<!-- accessctl:path=${markerValue(path)} -->`;
}

/** The apply outcome comment on the merged pull request (its own comment: the reviewed plan stays as it was). */
export function applyMarker(path: string): string {
  return `<!-- accessctl:apply:path=${markerValue(path)} -->`;
}

export function checksumMarker(checksum: string): string {
  return `<!-- accessctl:checksum=${checksum} -->`;
}

/** A digest of the targets the plan was made against (never the URLs or tenant: a comment may be public). */
export function targetsMarker(digest: string): string {
  return `<!-- accessctl:targets=${digest} -->`;
}

export function readTargets(body: string): string | undefined {
  return /<!-- accessctl:targets=(sha256:[0-9a-f]{64}) -->/.exec(body)?.[1];
}

/** The checksum a body shows, from its hidden marker. */
export function readChecksum(body: string): string | undefined {
  return /<!-- accessctl:checksum=(sha256:[0-9a-f]{64}) -->/.exec(body)?.[1];
}

/** The digest as a hidden line, or undefined when it would be longer than `maxChars` (a very large plan). */
export function changesMarker(changes: readonly Change[], maxChars: number): string | undefined {
  const packed = deflateRawSync(Buffer.from(JSON.stringify(digestChanges(changes)), "utf8")).toString("base64url");
  const line = `<!-- accessctl:changes=${packed} -->`;
  return line.length <= maxChars ? line : undefined;
}

export function readChanges(body: string): ChangeDigest[] | undefined {
  const packed = /<!-- accessctl:changes=([A-Za-z0-9_-]*) -->/.exec(body)?.[1];
  if (packed === undefined) return undefined;
  try {
    const list = JSON.parse(inflateRawSync(Buffer.from(packed, "base64url")).toString("utf8")) as unknown;
    if (!Array.isArray(list) || !list.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === "string" && typeof e[1] === "string")) return undefined;
    return list as ChangeDigest[];
  } catch {
    return undefined;
  }
}
