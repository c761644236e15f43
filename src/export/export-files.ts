/**
 * Live state → desired-state files (`organization.yaml`, `projects/<project>.yaml`, `cedar/<policy>.yaml`),
 * each with the `$schema` modeline and export's header mark (yaml-text.ts). Each file is built as an
 * `AccessctlFile` value (the type generated from the schema) and serialised by yaml-text.ts. Optional fields are
 * written only when they differ from the API's defaults (left out, they keep the live value, so the files still
 * plan as "No changes"). Deterministic: the same live state gives byte-identical files. Pure.
 *
 * Export always round-trips (SPEC section 3): every string is written so that the loader reads it back as it is
 * (`${` becomes `$${`); live text holding a configured key is not written (the caller refuses, naming the
 * objects); an `--only` pattern that matches no live object is reported (a usage error for the caller).
 */
import { formatAddress, matchAny, matchPattern, rbacAddress, type Address, type Pattern } from "../address/address.js";
import type { AccessctlFile, CedarPolicyFile, RbacScopeFile } from "../desired/file-format.generated.js";
import { escapeInterpolation, keyIn, type KeyValue } from "../desired/interpolate.js";
import type { LiveCedarPolicy, LiveRbacScope, LiveState } from "../live/types.js";
import { UsageError, UserError } from "../errors/user-errors.js";
import { uniqueStems } from "./file-names.js";
import { ruleFile } from "./rule-form.js";
import { yamlText } from "./yaml-text.js";

export interface ExportOptions {
  /** Path of the JSON Schema as seen from the export directory's root (for the modeline). */
  schemaFromRoot: string;
  only?: readonly Pattern[];
  /** The configured target keys: live text holding one is never written. */
  keys?: readonly KeyValue[];
}

export interface ExportResult {
  /** Relative path → text. Empty when `keyHolders` or `unmatched` is not. */
  files: Map<string, string>;
  /** Objects whose live text holds a configured key, with the key's variable. */
  keyHolders: { address: string; variable: string }[];
  /** `--only` patterns (as written) that match no live object export could write. */
  unmatched: string[];
}

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function modeline(schemaFromRoot: string, depth: number): string {
  const up = "../".repeat(depth);
  const path = schemaFromRoot.startsWith("/") || /^[a-z]+:/i.test(schemaFromRoot) ? schemaFromRoot : `${up}${schemaFromRoot}`;
  return `# yaml-language-server: $schema=${path}`;
}

/**
 * With `--only`, a collection none of whose objects was kept is left out (unmanaged) rather than written as an
 * authoritative `[]`.
 */
function rbacScope(
  scope: LiveRbacScope,
  keep: (kind: "policy" | "role", name: string) => boolean,
  limited: boolean,
  kept: (kind: "policy" | "role", name: string, value: unknown) => void,
): RbacScopeFile {
  const permName = new Map(scope.permissions.map((p) => [p.id, p.name]));
  const policyName = new Map(scope.policies.map((p) => [p.id, p.name]));
  const policies = scope.policies.filter((p) => keep("policy", p.name)).sort(byName);
  const roles = scope.roles.filter((r) => !r.system && keep("role", r.name)).sort(byName);
  const out: RbacScopeFile = {};
  if (policies.length > 0 || !limited) {
    out.policies = policies.map((p) => {
      const file = {
        name: p.name,
        ...(p.description === null ? {} : { description: p.description }),
        permissions: p.permissionIds.map((id) => permName.get(id) ?? id).sort(),
      };
      kept("policy", p.name, file);
      return file;
    });
  }
  if (roles.length > 0 || !limited) {
    out.roles = roles.map((r) => {
      const file = {
        name: r.name,
        ...(r.description === null ? {} : { description: r.description }),
        policies: r.policyIds.map((id) => policyName.get(id) ?? id).sort(),
      };
      kept("role", r.name, file);
      return file;
    });
  }
  return out;
}

/**
 * A live Cedar policy. Options are written only when they differ from the API's defaults on create, and nullable
 * ones only when set: left out, a field keeps its live value.
 */
function cedarPolicy(p: LiveCedarPolicy): CedarPolicyFile {
  return {
    name: p.name,
    ...(p.description === null ? {} : { description: p.description }),
    ...(p.enabled ? {} : { enabled: false }),
    ...(p.priority === 0 ? {} : { priority: p.priority }),
    maxDurationSeconds: p.maxDurationSeconds,
    ...(p.defaultDurationSeconds === null ? {} : { defaultDurationSeconds: p.defaultDurationSeconds }),
    ...(p.notificationChannel === null ? {} : { notificationChannel: p.notificationChannel }),
    rules: p.rules.map(ruleFile),
  };
}

export function exportFiles(live: LiveState, options: ExportOptions): ExportResult {
  const files = new Map<string, string>();
  const only = options.only ?? [];
  const keys = options.keys ?? [];
  const keyHolders: ExportResult["keyHolders"] = [];
  const write = (path: string, value: AccessctlFile): void => {
    files.set(path, yamlText(escapeStrings(value), modeline(options.schemaFromRoot, path.split("/").length - 1)));
  };
  /** Every live object export could write, for `--only` patterns that match nothing. */
  const exportable: Address[] = [];
  const keep = (a: Address): boolean => {
    exportable.push(a);
    return only.length === 0 || matchAny(only, a);
  };
  /** A kept object's strings, checked for a key. */
  const check = (a: Address, value: unknown): void => {
    if (keys.length === 0) return;
    for (const text of stringsOf(value)) {
      const key = keyIn(text, keys);
      if (key) {
        keyHolders.push({ address: formatAddress(a), variable: key.name });
        return;
      }
    }
  };

  const org = live.organization;
  if (org) {
    const scope = rbacScope(org, (kind, name) => keep(rbacAddress(kind, name)), only.length > 0, (kind, name, value) => check(rbacAddress(kind, name), value));
    if (only.length === 0 || scope.policies?.length || scope.roles?.length) write("organization.yaml", { organization: scope });
  }
  const projects = (live.projects ?? []).filter((p) => p.scope && (p.scope.policies.length > 0 || p.scope.roles.some((r) => !r.system)));
  const projectStems = uniqueStems(projects.map((p) => p.name));
  for (const p of projects.sort(byName)) {
    const scope = rbacScope(p.scope!, (kind, name) => keep(rbacAddress(kind, name, p.name)), only.length > 0, (kind, name, value) => check(rbacAddress(kind, name, p.name), value));
    if (only.length > 0 && !scope.policies?.length && !scope.roles?.length) continue;
    write(`projects/${projectStems.get(p.name)}.yaml`, { projects: [{ name: p.name, ...scope }] });
  }
  const cedar = (live.cedar?.policies ?? []).filter((p) => keep({ kind: "cedar-policy", name: p.name })).sort(byName);
  const cedarStems = uniqueStems(cedar.map((p) => p.name));
  for (const p of cedar) {
    const file = cedarPolicy(p);
    check({ kind: "cedar-policy", name: p.name }, { ...file, rules: [] });
    if (Array.isArray(file.rules)) file.rules.forEach((r, i) => check({ kind: "cedar-rule", policy: p.name, ordinal: i + 1 }, r));
    write(`cedar/${cedarStems.get(p.name)}.yaml`, { cedar: { policies: [file] } });
  }
  if (only.length > 0 && files.size > 0) {
    // The exported collections are authoritative; `owns` keeps the objects --only left out from being deleted.
    write("accessctl.yaml", { accessctl: { owns: only.map((p) => p.source) } });
  }
  const unmatched = only.filter((p) => !exportable.some((a) => matchPattern(p, a))).map((p) => p.source);
  if (keyHolders.length > 0 || unmatched.length > 0) files.clear();
  return { files, keyHolders, unmatched };
}

/**
 * The files to write, or the refusal (exit 1, nothing written): an `--only` pattern matching no live object is a
 * usage error, as for `plan`; live text holding a configured key is never written to disk, and the objects are
 * named (a name holding the key is redacted from the output like every key).
 */
export function checkExport(result: ExportResult, dir: string): Map<string, string> {
  if (result.unmatched.length > 0) {
    throw new UsageError(
      `--only ${result.unmatched.map((p) => JSON.stringify(p)).join(", ")} matches no live object that export writes; nothing was written to ${dir}`,
      "names are case-sensitive and `*` stays within one segment: compare with the addresses `accessctl plan` shows (system roles and projects without custom objects are never exported)",
    );
  }
  if (result.keyHolders.length > 0) {
    const variables = [...new Set(result.keyHolders.map((k) => k.variable))].join(" and ");
    throw new UserError(
      `the live text of ${result.keyHolders.map((k) => k.address).join(", ")} contains the value of ${variables}: export never writes a key to disk; nothing was written to ${dir}`,
      undefined,
      `remove the key from those objects in the service, and rotate ${variables}`,
    );
  }
  return result.files;
}

/** Every string in a file value, keys of mappings aside (they are the format's own). No recursion. */
function stringsOf(value: unknown): string[] {
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v && typeof v === "object") for (const x of Object.values(v)) stack.push(x);
  }
  return out;
}

/** The value with every string written so that `${env:…}` replacement reads it back as it is. */
function escapeStrings<T>(value: T): T {
  if (typeof value === "string") return escapeInterpolation(value) as T;
  if (Array.isArray(value)) return value.map((x: unknown) => escapeStrings(x)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = escapeStrings(v);
    return out as T;
  }
  return value;
}
