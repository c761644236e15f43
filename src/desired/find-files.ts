/**
 * The YAML files of a desired-state directory: recursive, in sorted path order, skipping dot-directories and
 * `node_modules`. Paths are returned relative to the directory with `/` separators.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export function findYamlFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    const entries = readdirSync(join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const s = statSync(join(dir, child), { throwIfNoEntry: false });
        isDir = false; // never follow directory links: no cycles, no reading outside the tree
        isFile = s?.isFile() ?? false;
      }
      if (isDir) {
        if (!e.name.startsWith(".") && e.name !== "node_modules") walk(child);
      } else if (isFile && /\.ya?ml$/i.test(e.name)) {
        found.push(child);
      }
    }
  };
  walk("");
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
