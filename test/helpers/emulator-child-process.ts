/**
 * Runs the emulator in a child process (for tests that SIGKILL it). Node 20 cannot run TypeScript directly and
 * no loader (tsx) is installed, so `buildEmulatorChild` compiles the import graph of `emulator-child.ts` with
 * the project's tsc into dist/ (the same place `npx tsc -p .` puts it; about 3 s), then the child is plain
 * `node dist/test/helpers/emulator-child.js serve …`.
 */

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const entry = join(root, "dist/test/helpers/emulator-child.js");

/**
 * Newest modification time of the sources the child may be built from: all of src/ (its import graph reaches
 * src/live, src/render, src/flow, src/errors, … and keeps growing) and test/helpers/.
 */
async function newestSource(): Promise<number> {
  let newest = 0;
  for (const sub of ["src", "test/helpers"]) {
    for (const name of await readdir(join(root, sub), { recursive: true }).catch(() => [] as string[])) {
      // A file removed meanwhile (sources being edited in parallel) counts for nothing.
      if (name.endsWith(".ts")) newest = Math.max(newest, await stat(join(root, sub, name)).then((s) => s.mtimeMs, () => 0));
    }
  }
  return newest;
}

/** Compiles the child unless dist/ already holds a build newer than every source it comes from. */
export async function buildEmulatorChild(): Promise<string> {
  const built = await stat(entry).then((s) => s.mtimeMs, () => 0);
  if (built > (await newestSource())) return entry;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const args = [
    tsc, "test/helpers/emulator-child.ts", "--outDir", "dist", "--rootDir", ".", "--module", "nodenext",
    "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck", "--types", "node", "--strict",
  ];
  // Type errors elsewhere (files being written in parallel) do not stop tsc from emitting; a missing output does.
  await new Promise<void>((done) => execFile(process.execPath, args, { cwd: root }, () => done()));
  if ((await stat(entry).then((s) => s.mtimeMs, () => 0)) === 0) throw new Error(`tsc did not produce ${entry}`);
  return entry;
}

export interface ChildEmulator {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function spawnEmulatorChild(args: string[]): Promise<ChildEmulator> {
  const child = spawn(process.execPath, [entry, "serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return new Promise((resolveUrl, reject) => {
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolveUrl({ url: out.slice(0, nl), child, stderr: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`emulator child exited (${code}) before printing its URL: ${stderr}`)));
  });
}
