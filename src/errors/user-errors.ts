/**
 * The one line between user error and bug. Every failure a user can cause or meet is a `UserError`: it carries
 * its exit code and what to do next. Anything else that reaches a front end is a bug, and `InternalError` says
 * so explicitly where the code itself knows it (an invariant that cannot fail).
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

/** A failure fit for the user as it is: a message, an exit code and, where there is one, the next step. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.error,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** A bad flag, a missing target, an unreadable plan file (exit 1). */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.error, hint);
    this.name = "UsageError";
  }
}

/** The desired state is invalid (exit 3). Carries every problem found, not only the first. */
export class InvalidDesiredStateError extends UserError {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`the desired state is invalid (${diagnostics.filter((d) => d.severity === "error").length} error(s))`, EXIT.invalid);
    this.name = "InvalidDesiredStateError";
  }
}

/** Live state that breaks identity (two live objects with one name): the plan stops, nothing is guessed (exit 1). */
export class LiveStateError extends UserError {
  constructor(readonly problems: string[]) {
    super(`the live state breaks identity:\n  ${problems.join("\n  ")}`, EXIT.error, "fix the live objects named above in the service, then plan again");
    this.name = "LiveStateError";
  }
}

/** A guard refused the apply; nothing was written (exit 4). */
export class RefusedError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.refused, hint);
    this.name = "RefusedError";
  }
}

/** A bug in accessctl: an invariant the code relies on did not hold. */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InternalError";
  }
}
