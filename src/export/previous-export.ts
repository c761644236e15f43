/**
 * `export --force` replaces its own earlier output (SPEC section 3, "Export always round-trips"): the files of an
 * earlier export carry the header mark (yaml-text.ts). In the target directory:
 * - a marked YAML file that this export does not write again is stale: it is removed, with the files it
 *   references (`cedar.schema`, `rules: {file}`, `tests.entities`) that lie inside the directory — otherwise the
 *   next plan would re-create the objects deleted since;
 * - a YAML file without the mark (or a YAML-named link) is someone else's: export refuses, naming it;
 * - every other file is left alone.
 * Dot-directories and `node_modules` are skipped, as the loader skips them. The walk keeps its own stack.
 */
import { lstatSync, readdirSync, readFileSync, rmdirSync, unlinkSync } from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";
import { parse } from "yaml";
import { skippedByName, YAML_NAME } from "../desired/find-files.js";
import { hasExportMark } from "./yaml-text.js";

export interface PreviousExport {
  /** Marked YAML files this export does not write again (relative, `/`-separated, sorted). */
  stale: string[];
  /** Files inside the directory that stale files reference (not YAML, not written again). */
  referenced: string[];
  /** YAML files without export's mark: export refuses to write next to them. */
  foreign: string[];
}

const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function scanPreviousExport(dir: string, writing: ReadonlySet<string>): PreviousExport {
  const stale: string[] = [];
  const foreign: string[] = [];
  const references = new Set<string>();
  const stack: string[] = [""];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!skippedByName(e.name)) stack.push(child);
        continue;
      }
      if (!YAML_NAME.test(e.name)) continue;
      if (!e.isFile()) {
        foreign.push(child); // a link or a special file: never read, never removed
        continue;
      }
      const text = readFileSync(join(dir, child), "utf8");
      if (!hasExportMark(text)) foreign.push(child);
      else if (!writing.has(child)) {
        stale.push(child);
        for (const ref of referencedPaths(text)) references.add(isAbsolute(ref) ? ref : normalize(join(dirname(child), ref)).split("\\").join("/"));
      }
    }
  }
  const referenced = [...references].filter((ref) => {
    if (isAbsolute(ref) || ref === ".." || ref.startsWith("../") || YAML_NAME.test(ref) || writing.has(ref)) return false;
    if (ref.split("/").some(skippedByName)) return false;
    return lstatSync(join(dir, ref), { throwIfNoEntry: false })?.isFile() ?? false;
  });
  return { stale: stale.sort(byPath), referenced: referenced.sort(byPath), foreign: foreign.sort(byPath) };
}

/** The paths a desired-state file names (relative to it, as written); none when it does not parse. */
function referencedPaths(text: string): string[] {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return [];
  }
  const cedar = (value as { cedar?: { schema?: unknown; policies?: unknown; tests?: { entities?: unknown } } } | null)?.cedar;
  if (!cedar || typeof cedar !== "object") return [];
  const out: unknown[] = [cedar.schema, cedar.tests?.entities];
  if (Array.isArray(cedar.policies)) for (const p of cedar.policies) out.push((p as { rules?: { file?: unknown } } | null)?.rules?.file);
  return out.filter((x): x is string => typeof x === "string" && x !== "");
}

/** Removes the files (relative to `dir`), then the directories they leave empty, up to `dir` itself (kept). */
export function removeFiles(dir: string, rels: readonly string[]): void {
  const dirs = new Set<string>();
  for (const rel of rels) {
    unlinkSync(join(dir, rel));
    for (let d = dirname(rel); d !== "." && d !== ""; d = dirname(d)) dirs.add(d);
  }
  // Deepest first, so a parent is tried after its children.
  for (const d of [...dirs].sort((a, b) => b.split("/").length - a.split("/").length || byPath(a, b))) {
    if (readdirSync(join(dir, d)).length === 0) rmdirSync(join(dir, d));
  }
}
