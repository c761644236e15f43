/**
 * Saved plans are bound to where they were made (docs/plan-and-apply.md#reviewed-plans): the desired-state
 * directory (relative to its Git work tree's top, compared as real paths) and the targets (`local`, or each API's
 * normalised URL and the Cedar tenant — never a key). A plan applied elsewhere is refused, saying which differs.
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { findBoundary } from "../desired/file-boundary.js";
import { onFile } from "../errors/file-errors.js";
import type { PlanLocation, PlanTargets } from "../plan/model.js";
import { stableJson } from "../json/stable-json.js";

/** Scheme, host, port (default ports dropped) and path without a trailing `/`: one URL, one spelling. */
function normalizeUrl(url: string): string {
  const u = new URL(url);
  const path = u.pathname.replace(/\/+$/, "");
  return `${u.protocol}//${u.host.toLowerCase()}${path}`;
}

/** The targets a plan records: only the APIs the files use. */
export function planTargets(
  session: { local: boolean; rbac?: string; cedar?: string; tenant?: string },
  need: { rbac: boolean; cedar: boolean },
): PlanTargets {
  if (session.local) return { local: true };
  return {
    local: false,
    ...(need.rbac && session.rbac ? { rbac: { url: normalizeUrl(session.rbac) } } : {}),
    ...(need.cedar && session.cedar ? { cedar: { url: normalizeUrl(session.cedar), tenant: session.tenant ?? "" } } : {}),
  };
}

/** The targets in words, for a refusal: `local (the embedded emulator)`, `RBAC API https://…; Cedar API https://… tenant …`. */
export function describeTargets(t: PlanTargets): string {
  if (t.local) return "the embedded emulator (local)";
  const parts = [t.rbac ? `the RBAC API at ${t.rbac.url}` : "", t.cedar ? `the Cedar policy API at ${t.cedar.url} (tenant ${t.cedar.tenant})` : ""];
  return parts.filter(Boolean).join(" and ") || "no service";
}

/** A digest of the targets, for the GitHub Action's plan comment (which may be public: no URL or tenant in it). */
export function targetsDigest(t: PlanTargets): string {
  return "sha256:" + createHash("sha256").update(stableJson(t)).digest("hex");
}

/**
 * Where a directory is, as a plan records it: relative to the top of its Git work tree (the same walk up to a
 * `.git` entry that bounds the files it reads), else its real path.
 */
export function locate(dir: string, cwd: string): PlanLocation {
  const real = onFile(dir, "find the directory", () => realpathSync(resolve(cwd, dir)));
  const boundary = findBoundary(real);
  return boundary.workTree ? { kind: "git", path: relative(boundary.root, real).split(sep).join("/") || "." } : { kind: "path", path: real };
}

export function sameLocation(a: PlanLocation, b: PlanLocation): boolean {
  return a.kind === b.kind && a.path === b.path;
}

export function describeLocation(l: PlanLocation): string {
  return l.kind === "git" ? `${l.path} (in its Git work tree)` : l.path;
}
