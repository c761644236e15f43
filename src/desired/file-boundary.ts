/**
 * Files stay inside (SPEC section 1): every file accessctl reads is a regular file whose real path (symlinks
 * resolved) lies inside the Git work tree that holds the desired-state directory — inside the directory itself
 * when it is in no work tree — and never inside a `.git` directory. The work tree is found by walking up to a
 * `.git` entry (a directory, or the file of a linked work tree or submodule); no git process is run.
 *
 * A path is checked as written first (absolute, climbing out, entering `.git`: refused without touching the
 * disk), then by its real path (a link pointing out, a dangling link, a directory or other non-regular file).
 * A refused file is never opened, so its content cannot reach any output.
 */
import { lstatSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

export interface Boundary {
  /** Real, absolute path of the work tree's top, or of the desired-state directory outside any work tree. */
  root: string;
  workTree: boolean;
}

/** Why a path may not be read. `message` completes "<what> <path as written> …". */
export interface Refusal {
  code: string;
  message: string;
  hint: string;
}

export type Confined = { real: string } | { refusal: Refusal } | { missing: true };

/** The boundary for a desired-state directory (absolute). A directory that does not exist bounds itself. */
export function findBoundary(dir: string): Boundary {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return { root: resolve(dir), workTree: false };
  }
  for (let d = real; ; ) {
    if (lstatSync(join(d, ".git"), { throwIfNoEntry: false })) return { root: d, workTree: true };
    const up = dirname(d);
    if (up === d) return { root: real, workTree: false };
    d = up;
  }
}

export function describeBoundary(b: Boundary): string {
  return b.workTree ? `the Git work tree (${b.root})` : "the desired-state directory";
}

const INSIDE_HINT = (b: Boundary): string =>
  b.workTree
    ? "files accessctl reads must lie inside the Git work tree that holds the desired-state directory, outside `.git`: move the file there, or fix the path"
    : "outside a Git work tree, files accessctl reads must lie inside the desired-state directory: move the file there, or fix the path";

/** Checks an absolute path by its written form only: inside the boundary, not in `.git`. */
export function lexicalRefusal(b: Boundary, abs: string, written: string): Refusal | undefined {
  if (isAbsolute(written)) {
    return { code: "file-absolute", message: "is an absolute path", hint: "write the path relative to the YAML file that names it" };
  }
  return placeRefusal(b, abs, "lies");
}

function placeRefusal(b: Boundary, abs: string, verb: "lies" | "link"): Refusal | undefined {
  const rel = relative(b.root, abs);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    return verb === "lies"
      ? { code: "file-outside", message: `lies outside ${describeBoundary(b)}`, hint: INSIDE_HINT(b) }
      : { code: "file-link-outside", message: `is a symbolic link that points outside ${describeBoundary(b)}`, hint: INSIDE_HINT(b) };
  }
  if (rel.split(sep).includes(".git")) {
    return verb === "lies"
      ? { code: "file-in-git", message: "lies inside a .git directory", hint: "accessctl never reads inside `.git`: point at a file of the work tree" }
      : { code: "file-link-outside", message: "is a symbolic link that points into a .git directory", hint: "accessctl never reads inside `.git`: point at a file of the work tree" };
  }
  return undefined;
}

/**
 * Where `abs` may be read from: its real path; why not; or that it does not exist. `written` is the path as the
 * user wrote it (an absolute one is refused as such).
 */
export function confine(b: Boundary, abs: string, written: string): Confined {
  const lexical = lexicalRefusal(b, abs, written);
  if (lexical) return { refusal: lexical };
  const link = lstatSync(abs, { throwIfNoEntry: false });
  if (!link) return { missing: true };
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    if (link.isSymbolicLink()) {
      return { refusal: { code: "file-dangling-link", message: "is a dangling symbolic link (it points to nothing)", hint: "fix or remove the link: accessctl never skips it in silence" } };
    }
    return { missing: true };
  }
  const out = placeRefusal(b, real, "link");
  if (out) return { refusal: out };
  const st = statSync(real, { throwIfNoEntry: false });
  if (!st?.isFile()) {
    return {
      refusal: {
        code: "file-not-regular",
        message: `is not a regular file (${st?.isDirectory() ? "a directory" : "a special file"})`,
        hint: "name a regular file",
      },
    };
  }
  return { real };
}
