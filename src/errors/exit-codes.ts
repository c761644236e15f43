/** Exit codes, for every command (docs/exit-codes.md). */
export const EXIT = {
  ok: 0,
  /** Runtime or usage error: network, refused by the API, bad flag, missing target, unreadable plan file, bug. */
  error: 1,
  /** Changes pending (`plan --detailed-exitcode` only). */
  changes: 2,
  /** The desired state is invalid. Nothing has been written. */
  invalid: 3,
  /** Refused by a guard (`apply` only). Nothing has been written. */
  refused: 4,
  /** Interrupted by SIGINT. */
  sigint: 130,
  /** Interrupted by SIGTERM. */
  sigterm: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
