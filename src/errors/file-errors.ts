/**
 * A file-system failure as a user error: the path, what accessctl was doing, what the system said in words, and
 * what to do next — never a stack trace for a path that cannot be read or written.
 */
import { EXIT } from "./exit-codes.js";
import { UserError } from "./user-errors.js";

const WORDS: Record<string, string> = {
  ENOENT: "it does not exist (or a directory on its way does not)",
  ENOTDIR: "a part of the path is a file, not a directory",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ELOOP: "too many levels of symbolic links (a symlink loop)",
  EEXIST: "it already exists",
  ENOSPC: "no space left on the device",
  EROFS: "the file system is read-only",
  ENAMETOOLONG: "the name is too long",
};

/** `doing` reads like "write the plan to", "create the directory". */
export function fileError(error: unknown, path: string, doing: string, hint?: string): UserError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why = (code && WORDS[code]) ?? (error instanceof Error ? error.message : String(error));
  return new UserError(`cannot ${doing} ${path}: ${why}${code ? ` (${code})` : ""}`, EXIT.error, hint ?? "check the path and its permissions, then run again");
}

/** Runs a file operation; its failure becomes `fileError`. */
export function onFile<T>(path: string, doing: string, fn: () => T, hint?: string): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw fileError(error, path, doing, hint);
  }
}
