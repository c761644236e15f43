/**
 * The committed action bundle is what `npm run build:action` makes from the sources today (issue 9, acceptance
 * 3): the action runs from a checkout at a tag with no install step, so a stale bundle would ship old code.
 * The bundle is rebuilt in memory with the same options and compared byte for byte.
 */
import { readFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BuildOptions, Plugin } from "esbuild";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const STALE = "dist-action/index.js is stale: run npm run build:action";

interface BuildScript {
  buildOptions(root?: string): BuildOptions;
  OUT_FILE: string;
  WASM_FILE: string;
  WASM_SOURCE: string;
  PACKAGE_JSON: string;
}

// A URL held in a variable: the script is plain JavaScript (run by node without a build step).
const scriptUrl = pathToFileURL(join(ROOT, "scripts/build-action.mjs")).href;
const script = (await import(scriptUrl)) as BuildScript;

async function bundle(plugins: Plugin[] = []): Promise<string> {
  const result = await build({ ...script.buildOptions(ROOT), write: false, plugins });
  const out = result.outputFiles?.find((f) => f.path === join(ROOT, script.OUT_FILE));
  if (!out) throw new Error(`esbuild produced no ${script.OUT_FILE}`);
  return out.text;
}

function isFresh(committed: string, built: string): boolean {
  return committed === built;
}

describe("the committed action bundle", () => {
  it("is what the sources build to today", async () => {
    const committed = readFileSync(join(ROOT, script.OUT_FILE), "utf8");
    const built = await bundle();
    expect(isFresh(committed, built), STALE).toBe(true);
  });

  it("carries the Cedar engine's wasm and its package.json beside it", () => {
    const wasm = readFileSync(join(ROOT, script.WASM_FILE));
    expect(wasm.equals(readFileSync(join(ROOT, script.WASM_SOURCE))), "dist-action/cedar_wasm_bg.wasm is stale: run npm run build:action").toBe(true);
    expect(readFileSync(join(ROOT, "dist-action/package.json"), "utf8")).toBe(script.PACKAGE_JSON);
  });

  it("leaves out the emulator and the CLI: the Action only ever talks to remote targets", () => {
    const committed = readFileSync(join(ROOT, script.OUT_FILE), "utf8");
    // esbuild heads each bundled module with a `// <path>` comment.
    const modules = [...committed.matchAll(/^\/\/ (src\/\S+\.ts)$/gm)].map((m) => m[1]!);
    expect(modules.length).toBeGreaterThan(20);
    expect(modules.filter((m) => m.startsWith("src/emulator/") || m.startsWith("src/cli/"))).toEqual([]);
  });

  it("is deterministic: two builds are identical", async () => {
    expect(await bundle()).toBe(await bundle());
  });

  it("is found stale when src/ changes without a rebuild", async () => {
    // The same build with one source file edited in memory, as if someone changed it and forgot to rebuild.
    const edit: Plugin = {
      name: "edit-a-source",
      setup(b) {
        b.onLoad({ filter: /src[\\/]action[\\/]drift-issue\.ts$/ }, (args) => ({
          contents: readFileSync(args.path, "utf8").replace("accessctl: drift in", "accessctl: drift found in"),
          loader: "ts",
        }));
      },
    };
    const committed = readFileSync(join(ROOT, script.OUT_FILE), "utf8");
    expect(isFresh(committed, await bundle([edit]))).toBe(false);
  });
});
