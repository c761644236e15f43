/**
 * The installed package's root, found by walking up from this module: the same code runs from `src/` (tests),
 * from `dist/src/` (the CLI) and from a bundle, at different depths.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "schemas", "accessctl.schema.json"))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error("internal error: schemas/accessctl.schema.json not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export function schemaPath(): string {
  return join(packageRoot(), "schemas", "accessctl.schema.json");
}
