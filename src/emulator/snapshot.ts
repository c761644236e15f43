/**
 * The JSON snapshot: written atomically (temp file, fsync, rename, fsync of the directory), so a crash during
 * compaction leaves either the old or the new snapshot, never half of one.
 */

import { open, readFile, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { StateFileError } from "./journal.js";
import { COLLECTION_NAMES, type StateData } from "./model.js";

export async function writeSnapshot(path: string, data: StateData): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(`${JSON.stringify(data)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename itself durable; some platforms cannot open a directory, where this is best effort. */
async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // e.g. EISDIR/EPERM on platforms without directory fsync: the rename is still atomic.
  } finally {
    await fh?.close();
  }
}

/** undefined when the file does not exist; a StateFileError when it exists but is not a valid snapshot. */
export async function readSnapshot(path: string): Promise<StateData | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateFileError(`cannot read the emulator state ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(
      `${path} is not valid JSON (${(error as Error).message}); it was left untouched — restore it or delete it (and its .journal) to start from the seed`,
    );
  }
  const problem = snapshotProblem(parsed);
  if (problem) {
    throw new StateFileError(
      `${path} is not an accessctl emulator state (${problem}); it was left untouched — restore it or delete it (and its .journal) to start from the seed`,
    );
  }
  return parsed as StateData;
}

function snapshotProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "not an object";
  const v = value as Record<string, unknown>;
  if (v.format !== "accessctl-emulator-state") return "missing format marker";
  if (v.version !== 1) return `unsupported version ${String(v.version)}`;
  if (typeof v.organizationId !== "string") return "missing organizationId";
  if (!Number.isInteger(v.seq) || !Number.isInteger(v.counter)) return "missing seq/counter";
  const collections = v.collections as Record<string, unknown> | undefined;
  if (typeof collections !== "object" || collections === null) return "missing collections";
  for (const c of COLLECTION_NAMES) {
    const list = collections[c];
    if (!Array.isArray(list)) return `collection ${c} is missing`;
    for (const record of list) {
      if (typeof record !== "object" || record === null || typeof (record as { id?: unknown }).id !== "string") {
        return `a record of ${c} has no id`;
      }
    }
  }
  return undefined;
}
