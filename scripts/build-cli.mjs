/**
 * Bundles the `accessctl` executable: src/cli/main.ts → dist-cli/main.js plus one chunk per command (esbuild with
 * code splitting, ESM), the Cedar engine's `.wasm` copied beside them. Run by `npm run build` (so by `npm ci`,
 * through `prepare`); `bin` points here.
 *
 * Why a bundle: a cold `validate` of the quickstart spent ≈ 0.15 s of its ≈ 0.65 s resolving, reading and
 * compiling some 200 ES modules and the CommonJS files of its dependencies one by one (measured on 2 cores:
 * 0.65 → 0.48 s median of 10). Splitting keeps what the unbundled CLI had: a command loads only its own code
 * (`validate` never loads the HTTP client or the emulator). `dist/` (tsc's output) stays for the library-style
 * imports of the bench and of tests.
 *
 * The banner gives the chunks a real `require` and a `__dirname` (cedar-wasm's Node build is CommonJS and reads
 * `${__dirname}/cedar_wasm_bg.wasm`); every chunk sits in dist-cli/ itself, so that read finds the copied file.
 * The schema's validator is compiled into the bundle; `export` alone looks for the JSON schema file at run time (to
 * point the files it writes at it), walking up from dist-cli/ to the package's schemas/ (package-root.ts).
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { NODE_GLOBALS, PACKAGE_JSON } from "./build-action.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const OUT_DIR = "dist-cli";
const WASM = "node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm_bg.wasm";

const BANNER = NODE_GLOBALS.join("\n");

export async function buildCli(root = ROOT) {
  const esbuild = await import("esbuild");
  const out = join(root, OUT_DIR);
  rmSync(out, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: "src/cli/main.ts" },
    outdir: OUT_DIR,
    bundle: true,
    splitting: true,
    chunkNames: "[name]-[hash]",
    platform: "node",
    target: "node20",
    format: "esm",
    banner: { js: BANNER },
    charset: "utf8",
    legalComments: "eof",
    sourcemap: "linked",
    logLevel: "warning",
  });
  mkdirSync(out, { recursive: true });
  copyFileSync(join(root, WASM), join(out, "cedar_wasm_bg.wasm"));
  // Marks dist-cli/ as ESM even where no package.json above it says so.
  writeFileSync(join(out, "package.json"), PACKAGE_JSON);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await buildCli();
  process.stdout.write(`${OUT_DIR}/main.js: built from src/cli/main.ts\n`);
}
