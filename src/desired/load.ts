/**
 * Directory → DesiredState: find files, parse YAML with positions, replace `${env:…}`, check the schema, build
 * each file's fragment, merge, check references. Every problem of every file is reported, not the first.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, resolve } from "node:path";
import { pushAll } from "../arrays/push-all.js";
import { diag, hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { buildFragment, type FileFragment } from "./build-file.js";
import type { ReadText } from "./build-rules.js";
import { confine, findBoundary, lexicalRefusal, type Refusal } from "./file-boundary.js";
import { findYamlFiles, skippedByName, YAML_NAME } from "./find-files.js";
import { interpolate, keyIn } from "./interpolate.js";
import { keysFromEnv } from "../live/targets.js";
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
  const root = options.cwd === undefined ? resolve(dir) : resolve(options.cwd, dir);

  if (fromDisk) {
    const st = statSync(root, { throwIfNoEntry: false });
    if (!st?.isDirectory()) {
      return { diagnostics: [diag("no-directory", `${dir} is not a directory`, undefined, { hint: "give the directory that holds the desired-state YAML files" })] };
    }
  }
  // Every path is checked against the real directory, inside its boundary (file-boundary.ts): on disk, and for the
  // paths of a saved plan or a base commit too.
  const boundary = findBoundary(root);
  const realRoot = fromDisk ? realpathSync(root) : existsSync(root) ? realpathSync(root) : root;

  /** Reads `rel` (relative to the directory, as written by the user in `written`): its text, or why not. */
  const readRel = (rel: string, written: string): { text: string } | { refusal: Refusal } | { missing: true } => {
    const cached = sources.get(rel);
    if (cached !== undefined) return { text: cached };
    const abs = resolve(realRoot, rel);
    let text: string | undefined;
    if (fromDisk) {
      const checked = confine(boundary, abs, written);
      if (!("real" in checked)) return checked;
      try {
        text = readFileSync(checked.real, "utf8");
      } catch {
        return { missing: true };
      }
    } else {
      const refusal = lexicalRefusal(boundary, abs, written);
      if (refusal) return { refusal };
      text = options.files!.get(rel);
      if (text === undefined) return { missing: true };
    }
    sources.set(rel, text);
    return { text };
  };

  let yamlFiles: string[];
  if (fromDisk) {
    const found = findYamlFiles(realRoot, boundary);
    yamlFiles = found.files;
    for (const p of found.problems) {
      diagnostics.push(diag(p.refusal.code, `${display(p.rel)} ${p.refusal.message}`, { file: display(p.rel), line: 1, col: 1 }, { hint: p.refusal.hint }));
    }
  } else {
    // The map holds the YAML files of the directory and the files they reference (perhaps `../shared/…`): the
    // YAML files are those inside the directory, outside dot-directories and `node_modules`, as on disk.
    yamlFiles = [...options.files!.keys()]
      .filter((p) => YAML_NAME.test(p) && !isAbsolute(p) && !p.split("/").slice(0, -1).some((seg) => seg === ".." || skippedByName(seg)))
      .sort();
  }
  if (yamlFiles.length === 0 && !hasErrors(diagnostics)) {
    diagnostics.push(
      diag("no-files", `no desired-state files (*.yaml, *.yml) in ${dir}`, undefined, {
        hint: "point the command at the directory holding your files, or start from `accessctl export <dir>`",
      }),
    );
  }

  // Files referenced from YAML are relative to the YAML file; inside the boundary they are part of the source.
  const keys = keysFromEnv(options.env);
  const readText: ReadText = (fromFile, relPath, loc, what) => {
    const relFromDir = isAbsolute(relPath) ? relPath : normalize(join(dirname(relative(dir, fromFile)), relPath)).split("\\").join("/");
    const read = readRel(relFromDir, relPath);
    if ("refusal" in read) {
      return { error: diag(read.refusal.code, `${what} ${relPath} ${read.refusal.message}`, loc, { hint: read.refusal.hint }) };
    }
    if ("missing" in read) {
      return {
        error: diag("file-missing", `${what} ${relPath} cannot be read (looked for ${display(relFromDir)})`, loc, {
          hint: "paths are relative to the YAML file that names them: fix the path or add the file",
        }),
      };
    }
    const key = keyIn(read.text, keys);
    if (key) {
      return {
        error: diag("key-in-value", `${what} ${relPath} contains the value of ${key.name}: a key is never written to the service`, loc, {
          hint: `remove the key from the file; if it was ever pushed, rotate ${key.name}`,
        }),
      };
    }
    return { path: display(relFromDir), text: read.text };
  };

  const fragments: FileFragment[] = [];
  for (const rel of yamlFiles) {
    const read = readRel(rel, rel);
    if (!("text" in read)) {
      const at = { file: display(rel), line: 1, col: 1 };
      diagnostics.push(
        "refusal" in read
          ? diag(read.refusal.code, `${display(rel)} ${read.refusal.message}`, at, { hint: read.refusal.hint })
          : diag("file-unreadable", `${display(rel)} cannot be read`, at),
      );
      continue;
    }
    const text = read.text;
    const { parsed, diagnostics: yamlDiagnostics } = parseYamlFile(display(rel), text);
    pushAll(diagnostics, yamlDiagnostics);
    if (!parsed) continue;
    const envDiagnostics = interpolate(parsed, options.env);
    pushAll(diagnostics, envDiagnostics);
    const checked = checkSchema(parsed);
    pushAll(diagnostics, checked.diagnostics);
    if (!checked.file) continue;
    const built = buildFragment(parsed, checked.file, readText);
    pushAll(diagnostics, built.diagnostics);
    fragments.push(built.fragment);
  }

  const { merged, diagnostics: mergeDiagnostics } = mergeFragments(fragments);
  pushAll(diagnostics, mergeDiagnostics);
  const { settings, diagnostics: settingsDiagnostics } = compileSettings(merged.settings?.value, merged.settings?.y, merged.settings?.loc);
  pushAll(diagnostics, settingsDiagnostics);
  if (merged.organization) pushAll(diagnostics, checkScopeReferences(merged.organization, "the organization", ORG_SYSTEM_ROLES));
  for (const p of merged.projects) pushAll(diagnostics, checkScopeReferences(p, `project \`${p.name}\``, PROJECT_SYSTEM_ROLES));

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
