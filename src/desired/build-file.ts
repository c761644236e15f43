/**
 * One schema-checked file → its fragment of the desired state, every object carrying its place.
 * Files referenced by the YAML (`cedar.schema`, `rules: {file}`, `tests.entities`) are read relative to it.
 */
import { formatAddress } from "../address/address.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { AccessTestCase, DesiredCedarPolicy, DesiredRbacPolicy, DesiredRole, NameRef } from "./types.js";
import { keyPositionOf, positionOf, type PathItem, type YamlFile } from "./yaml-file.js";
import { buildRules, type ReadText } from "./build-rules.js";
import { jsonErrorOffset } from "./json-error.js";
import { LineIndex } from "./line-index.js";

export interface FragmentScope {
  loc: ReturnType<typeof positionOf>;
  policies?: DesiredRbacPolicy[];
  roles?: DesiredRole[];
}

export interface FileFragment {
  file: string;
  organization?: FragmentScope;
  projects: (FragmentScope & { name: string })[];
  cedar?: {
    loc: ReturnType<typeof positionOf>;
    schema?: { path: string; text: string; loc: ReturnType<typeof positionOf> };
    policies?: DesiredCedarPolicy[];
    tests?: { entities?: { path: string; value: unknown; loc: ReturnType<typeof positionOf> }; cases: AccessTestCase[] };
  };
  settings?: { value: RawSettings; loc: ReturnType<typeof positionOf>; y: YamlFile };
}

export interface RawSettings {
  owns?: string[];
  ignore?: string[];
  protect?: string[];
  thresholds?: { updatePercent?: number; deletePercent?: number; minExisting?: number };
}

type Obj = Record<string, unknown>;

function optionalText(o: Obj, key: string): { value?: string | null } {
  return key in o ? { value: o[key] as string | null } : {};
}

function refs(y: YamlFile, o: Obj, key: string, path: PathItem[]): NameRef[] {
  const list = (o[key] as string[] | undefined) ?? [];
  return list.map((name, i) => ({ name, loc: positionOf(y, [...path, key, i]) }));
}

export function buildFragment(y: YamlFile, readText: ReadText): { fragment: FileFragment; diagnostics: Diagnostic[] } {
  const v = y.value as Obj;
  const diagnostics: Diagnostic[] = [];
  const fragment: FileFragment = { file: y.file, projects: [] };

  const scope = (raw: Obj, path: PathItem[], project?: string): FragmentScope => {
    const s: FragmentScope = { loc: positionOf(y, path) };
    if (Array.isArray(raw["policies"])) {
      s.policies = (raw["policies"] as Obj[]).map((p, i) => {
        const at: PathItem[] = [...path, "policies", i];
        const name = p["name"] as string;
        const policy: DesiredRbacPolicy = {
          name,
          address: formatAddress(project === undefined ? { kind: "org-policy", name } : { kind: "project-policy", project, name }),
          loc: positionOf(y, at),
          permissions: refs(y, p, "permissions", at),
          previousNames: refs(y, p, "previousNames", at),
        };
        const d = optionalText(p, "description");
        if ("value" in d) policy.description = d.value;
        return policy;
      });
    }
    if (Array.isArray(raw["roles"])) {
      s.roles = (raw["roles"] as Obj[]).map((r, i) => {
        const at: PathItem[] = [...path, "roles", i];
        const name = r["name"] as string;
        const role: DesiredRole = {
          name,
          address: formatAddress(project === undefined ? { kind: "org-role", name } : { kind: "project-role", project, name }),
          loc: positionOf(y, at),
          policies: refs(y, r, "policies", at),
          previousNames: refs(y, r, "previousNames", at),
        };
        const d = optionalText(r, "description");
        if ("value" in d) role.description = d.value;
        return role;
      });
    }
    return s;
  };

  if (v["organization"] && typeof v["organization"] === "object") {
    fragment.organization = scope(v["organization"] as Obj, ["organization"]);
  }
  if (Array.isArray(v["projects"])) {
    (v["projects"] as Obj[]).forEach((p, i) => {
      const name = p["name"] as string;
      fragment.projects.push({ name, ...scope(p, ["projects", i], name) });
    });
  }
  if (v["cedar"] && typeof v["cedar"] === "object") {
    const c = v["cedar"] as Obj;
    const cedar: NonNullable<FileFragment["cedar"]> = { loc: positionOf(y, ["cedar"]) };
    if (typeof c["schema"] === "string") {
      const loc = positionOf(y, ["cedar", "schema"]);
      const read = readText(y.file, c["schema"], loc, "the Cedar schema");
      if ("error" in read) diagnostics.push(read.error);
      else cedar.schema = { path: read.path, text: read.text, loc };
    }
    if (Array.isArray(c["policies"])) {
      cedar.policies = (c["policies"] as Obj[]).map((p, i) => {
        const at: PathItem[] = ["cedar", "policies", i];
        const name = p["name"] as string;
        const policy: DesiredCedarPolicy = {
          name,
          address: formatAddress({ kind: "cedar-policy", name }),
          loc: positionOf(y, at),
          maxDurationSeconds: p["maxDurationSeconds"] as number,
          rules: buildRules(y, name, p["rules"], [...at, "rules"], readText, diagnostics),
          previousNames: refs(y, p, "previousNames", at),
        };
        for (const key of ["description", "notificationChannel"] as const) {
          const d = optionalText(p, key);
          if ("value" in d) policy[key] = d.value;
        }
        if ("enabled" in p) policy.enabled = p["enabled"] as boolean;
        if ("priority" in p) policy.priority = p["priority"] as number;
        if ("defaultDurationSeconds" in p) policy.defaultDurationSeconds = p["defaultDurationSeconds"] as number | null;
        return policy;
      });
    }
    if (c["tests"] && typeof c["tests"] === "object") {
      const t = c["tests"] as Obj;
      const tests: NonNullable<NonNullable<FileFragment["cedar"]>["tests"]> = {
        cases: ((t["cases"] as Obj[]) ?? []).map((tc, i) => ({
          name: tc["name"] as string,
          principal: tc["principal"] as string,
          action: tc["action"] as string,
          resource: tc["resource"] as string,
          context: (tc["context"] as Record<string, unknown> | undefined) ?? {},
          expect: tc["expect"] as "allow" | "deny",
          loc: positionOf(y, ["cedar", "tests", "cases", i]),
        })),
      };
      if (typeof t["entities"] === "string") {
        const loc = positionOf(y, ["cedar", "tests", "entities"]);
        const read = readText(y.file, t["entities"], loc, "the entities file");
        if ("error" in read) diagnostics.push(read.error);
        else {
          try {
            tests.entities = { path: read.path, value: JSON.parse(read.text) as unknown, loc };
          } catch {
            const at = jsonErrorOffset(read.text);
            const lines = new LineIndex(read.path, read.text);
            const found = at >= read.text.length ? "the text ends too early" : `unexpected ${JSON.stringify(read.text.slice(at, at + 1))}`;
            diagnostics.push(
              diag("entities-json", `the entities file is not valid JSON: ${found}`, lines.position(Math.max(0, at)), {
                hint: "fix the JSON (a trailing comma? a missing quote?): a Cedar entities file is an array of {uid, attrs, parents}",
              }),
            );
          }
        }
      }
      cedar.tests = tests;
    }
    fragment.cedar = cedar;
  }
  if (v["accessctl"] && typeof v["accessctl"] === "object") {
    fragment.settings = { value: v["accessctl"] as RawSettings, loc: keyPositionOf(y, ["accessctl"]), y };
  }
  return { fragment, diagnostics };
}
