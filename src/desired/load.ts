/**
 * Directory → DesiredState: find files, parse YAML with positions, replace `${env:…}`, check the schema, build
 * each file's fragment, merge, check references. Every problem of every file is reported, not the first.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";
import { diag, hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { buildFragment, type FileFragment } from "./build-file.js";
import type { ReadText } from "./build-rules.js";
import { findYamlFiles } from "./find-files.js";
import { interpolate } from "./interpolate.js";
import { mergeFragments } from "./merge.js";
import { checkScopeReferences, ORG_SYSTEM_ROLES, PROJECT_SYSTEM_ROLES } from "./references.js";
import { checkSchema } from "./schema-check.js";
import { compileSettings } from "./settings.js";
import type { DesiredState, SourceFile } from "./types.js";
import { parseYamlFile } from "./yaml-file.js";

export interface LoadOptions {
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Files as written, keyed by path relative to `dir`, read instead of the disk (a saved plan's files, or the
   * base branch's files read with git).
   */
  files?: ReadonlyMap<string, string>;
  /** Relative directories are read from here (the CLI context's directory); default the process's. Paths in
   * diagnostics stay as the user gave them. */
  cwd?: string;
}

export interface LoadResult {
  desired?: DesiredState;
  diagnostics: Diagnostic[];
}

export function loadDesiredState(dir: string, options: LoadOptions): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const display = (rel: string): string => normalize(join(dir, rel));
  const fromDisk = options.files === undefined;
  const root = options.cwd === undefined ? dir : resolve(options.cwd, dir);

  const readRel = (rel: string): string | undefined => {
    if (sources.has(rel)) return sources.get(rel);
    let text: string | undefined;
    if (fromDisk) {
      try {
        text = readFileSync(join(root, rel), "utf8");
      } catch {
        text = undefined;
      }
    } else text = options.files!.get(rel);
    if (text !== undefined) sources.set(rel, text);
    return text;
  };

  if (fromDisk) {
    const st = statSync(root, { throwIfNoEntry: false });
    if (!st?.isDirectory()) {
      return { diagnostics: [diag("no-directory", `${dir} is not a directory`, undefined, { hint: "give the directory that holds the desired-state YAML files" })] };
    }
  }
  const yamlFiles = fromDisk ? findYamlFiles(root) : [...options.files!.keys()].filter((p) => /\.ya?ml$/i.test(p)).sort();
  if (yamlFiles.length === 0) {
    diagnostics.push(
      diag("no-files", `no desired-state files (*.yaml, *.yml) in ${dir}`, undefined, {
        hint: "point the command at the directory holding your files, or start from `accessctl export <dir>`",
      }),
    );
  }

  // Files referenced from YAML are relative to the YAML file; inside the directory they are part of the source.
  const readText: ReadText = (fromFile, relPath, loc, what) => {
    const relFromDir = normalize(join(dirname(relative(dir, fromFile)), relPath)).split("\\").join("/");
    if (relFromDir.startsWith("../") && !fromDisk) {
      return { error: diag("file-outside", `${what} ${relPath} lies outside the desired-state directory`, loc, { hint: "keep referenced files inside the directory" }) };
    }
    const text = readRel(relFromDir);
    if (text === undefined) {
      return {
        error: diag("file-missing", `${what} ${relPath} cannot be read (looked for ${display(relFromDir)})`, loc, {
          hint: "paths are relative to the YAML file that names them: fix the path or add the file",
        }),
      };
    }
    return { path: display(relFromDir), text };
  };

  const fragments: FileFragment[] = [];
  for (const rel of yamlFiles) {
    const text = readRel(rel);
    if (text === undefined) {
      diagnostics.push(diag("file-unreadable", `${display(rel)} cannot be read`, { file: display(rel), line: 1, col: 1 }));
      continue;
    }
    const { parsed, diagnostics: yamlDiagnostics } = parseYamlFile(display(rel), text);
    diagnostics.push(...yamlDiagnostics);
    if (!parsed) continue;
    const envDiagnostics = interpolate(parsed, options.env);
    diagnostics.push(...envDiagnostics);
    const schemaDiagnostics = checkSchema(parsed);
    diagnostics.push(...schemaDiagnostics);
    if (hasErrors(schemaDiagnostics)) continue;
    const built = buildFragment(parsed, readText);
    diagnostics.push(...built.diagnostics);
    fragments.push(built.fragment);
  }

  const { merged, diagnostics: mergeDiagnostics } = mergeFragments(fragments);
  diagnostics.push(...mergeDiagnostics);
  const { settings, diagnostics: settingsDiagnostics } = compileSettings(merged.settings?.value, merged.settings?.y, merged.settings?.loc);
  diagnostics.push(...settingsDiagnostics);
  if (merged.organization) diagnostics.push(...checkScopeReferences(merged.organization, "the organization", ORG_SYSTEM_ROLES));
  for (const p of merged.projects) diagnostics.push(...checkScopeReferences(p, `project \`${p.name}\``, PROJECT_SYSTEM_ROLES));

  const sourceFiles: SourceFile[] = [...sources.entries()]
    .map(([path, text]) => ({ path, text }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const desired: DesiredState = {
    dir,
    projects: merged.projects,
    settings,
    sources: sourceFiles,
    digest: digestSources(sourceFiles),
  };
  if (merged.organization) desired.organization = merged.organization;
  if (merged.cedar) desired.cedar = merged.cedar;
  return hasErrors(diagnostics) ? { diagnostics } : { desired, diagnostics };
}

export function digestSources(sources: readonly SourceFile[]): string {
  const h = createHash("sha256");
  for (const s of sources) h.update(s.path).update("\0").update(s.text).update("\0");
  return "sha256:" + h.digest("hex");
}
