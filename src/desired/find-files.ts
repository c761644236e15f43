/**
 * The YAML files of a desired-state directory: recursive, in sorted path order, skipping dot-directories and
 * `node_modules`. Paths are returned relative to the directory with `/` separators.
 *
 * Links and odd entries are never skipped in silence (SPEC section 1, "Files stay inside"):
 * - a symbolic link to a regular file is read like a file when it is a YAML file and its real path lies inside the
 *   boundary (file-boundary.ts); one that points out is a problem;
 * - a symbolic link to a directory is not followed, and is a problem (unless its name is skipped anyway: a
 *   dot-name or `node_modules`);
 * - a dangling symbolic link is a problem (unless its name is skipped anyway and is not a YAML name);
 * - a YAML-named entry that is neither a file nor a directory (a FIFO, a socket) is a problem.
 * The walk keeps its own stack: no recursion, however deep the tree.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { confine, type Boundary, type Refusal } from "./file-boundary.js";

export interface FoundFiles {
  /** YAML files to read, relative to the directory. */
  files: string[];
  /** Entries refused, relative to the directory, with why. */
  problems: { rel: string; refusal: Refusal }[];
}

/** A desired-state file's name: `.yaml` or `.yml`, any case. */
export const YAML_NAME = /\.ya?ml$/i;

/** Directories never walked: dot-directories (`.git`, `.accessctl`) and `node_modules`. */
export const skippedByName = (name: string): boolean => name.startsWith(".") || name === "node_modules";

export function findYamlFiles(dir: string, boundary: Boundary): FoundFiles {
  const files: string[] = [];
  const problems: FoundFiles["problems"] = [];
  const stack: string[] = [""];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      const isYaml = YAML_NAME.test(e.name);
      if (e.isDirectory()) {
        if (!skippedByName(e.name)) stack.push(child);
      } else if (e.isSymbolicLink()) {
        const target = statSync(join(dir, child), { throwIfNoEntry: false });
        if (!target) {
          if (isYaml || !skippedByName(e.name)) {
            problems.push({ rel: child, refusal: { code: "file-dangling-link", message: "is a dangling symbolic link (it points to nothing)", hint: "fix or remove the link: accessctl never skips it in silence" } });
          }
        } else if (target.isDirectory()) {
          if (!skippedByName(e.name)) {
            problems.push({
              rel: child,
              refusal: {
                code: "file-symlink-dir",
                message: "is a symbolic link to a directory, which accessctl does not follow",
                hint: "replace the link with the directory's files, or move the link out of the desired-state directory",
              },
            });
          }
        } else if (isYaml) {
          const checked = confine(boundary, join(dir, child), child);
          if ("refusal" in checked) problems.push({ rel: child, refusal: checked.refusal });
          else files.push(child);
        }
      } else if (isYaml) {
        if (e.isFile()) files.push(child);
        else problems.push({ rel: child, refusal: { code: "file-not-regular", message: "is not a regular file (a special file)", hint: "remove it from the desired-state directory" } });
      }
    }
  }
  const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  problems.sort((a, b) => byPath(a.rel, b.rel));
  return { files: files.sort(byPath), problems };
}
