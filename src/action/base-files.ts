/**
 * The base branch's desired-state files, read from git at the pull request's base commit (no second checkout):
 * `git ls-tree` lists them and one `git cat-file --batch` reads them, into the Map that `LoadOptions.files`
 * takes (paths relative to the desired-state directory). Like the loader on disk, dot-directories and
 * `node_modules` are skipped. The workspace is taken to be the repository's top level (as actions/checkout makes
 * it by default).
 */
import { execFileSync } from "node:child_process";
import { UsageError } from "../errors/user-errors.js";

/** Files above this size cannot be desired-state files worth reading (and would only cost memory). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export function readFilesAtCommit(workspace: string, sha: string, path: string): Map<string, string> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(sha)) throw new UsageError(`the base commit ${JSON.stringify(sha)} is not a commit id`);
  ensureCommit(workspace, sha);
  const prefix = path === "." ? "" : `${path}/`;
  const listing = git(workspace, ["ls-tree", "-r", "-l", "-z", "--full-tree", sha, "--", ...(prefix ? [path] : [])]);
  const wanted: Array<{ oid: string; rel: string }> = [];
  for (const entry of listing.toString("utf8").split("\0")) {
    const tab = entry.indexOf("\t");
    if (tab < 0) continue;
    const [mode, type, oid, size] = entry.slice(0, tab).split(/ +/);
    const full = entry.slice(tab + 1);
    if (type !== "blob" || mode === "120000" || !oid || !full.startsWith(prefix)) continue;
    const rel = full.slice(prefix.length);
    if (rel.split("/").slice(0, -1).some((seg) => seg.startsWith(".") || seg === "node_modules")) continue;
    if (Number(size) > MAX_FILE_BYTES) continue;
    wanted.push({ oid, rel });
  }
  const files = new Map<string, string>();
  if (wanted.length === 0) return files;
  const out = git(workspace, ["cat-file", "--batch"], wanted.map((w) => w.oid).join("\n") + "\n");
  let at = 0;
  for (const w of wanted) {
    const eol = out.indexOf(0x0a, at);
    const header = out.subarray(at, eol).toString("utf8").split(" ");
    const size = Number(header[2]);
    if (header[1] !== "blob" || !Number.isFinite(size)) throw new Error(`internal error: unexpected git cat-file answer for ${w.rel}: ${header.join(" ")}`);
    files.set(w.rel, out.subarray(eol + 1, eol + 1 + size).toString("utf8"));
    at = eol + 1 + size + 1;
  }
  return files;
}

/** A shallow checkout may lack the base commit: fetch just that commit, once. */
function ensureCommit(workspace: string, sha: string): void {
  const has = (): boolean => {
    try {
      git(workspace, ["cat-file", "-e", `${sha}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return;
  try {
    git(workspace, ["fetch", "--no-tags", "--depth=1", "origin", sha]);
  } catch {
    // Said below, with what to do.
  }
  if (!has()) {
    throw new UsageError(`the base commit ${sha} is not in the checkout and could not be fetched`, "check out with `fetch-depth: 0`, or let the job fetch from origin");
  }
}

function git(cwd: string, args: string[], input?: string): Buffer {
  // Never prompt for credentials: a run has no one to answer.
  return execFileSync("git", args, { cwd, input, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" }, maxBuffer: 512 * 1024 * 1024, stdio: ["pipe", "pipe", "pipe"] });
}
