/**
 * The address of the object a YAML path points into, for diagnostics raised before the desired state is built
 * (schema errors): `organization/roles/3/name` → `organization/roles/<that role's name>`.
 */
import { formatAddress } from "../address/address.js";
import type { PathItem } from "./yaml-file.js";

export function addressForPath(root: unknown, path: readonly PathItem[]): string | undefined {
  const at = (p: readonly PathItem[]): unknown => p.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], root);
  const nameAt = (p: readonly PathItem[]): string | undefined => {
    const n = (at(p) as { name?: unknown } | undefined)?.name;
    return typeof n === "string" && n.trim() !== "" ? n : undefined;
  };
  const [top, a, b, c, d] = path;
  if (top === "organization" && (a === "policies" || a === "roles") && typeof b === "number") {
    const name = nameAt([top, a, b]);
    return name === undefined ? undefined : formatAddress({ kind: a === "policies" ? "org-policy" : "org-role", name });
  }
  if (top === "projects" && typeof a === "number") {
    const project = nameAt([top, a]);
    if (project === undefined) return undefined;
    if ((b === "policies" || b === "roles") && typeof c === "number") {
      const name = nameAt([top, a, b, c]);
      if (name !== undefined) return formatAddress({ kind: b === "policies" ? "project-policy" : "project-role", project, name });
    }
    return `projects/${project.replace(/[\\/*]/g, (ch) => `\\${ch}`)}`;
  }
  if (top === "cedar" && a === "policies" && typeof b === "number") {
    const name = nameAt([top, a, b]);
    if (name === undefined) return undefined;
    if (c === "rules" && typeof d === "number") return formatAddress({ kind: "cedar-rule", policy: name, ordinal: d + 1 });
    return formatAddress({ kind: "cedar-policy", name });
  }
  return undefined;
}
