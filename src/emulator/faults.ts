/**
 * Seeded fault injection (`--fault-rate`, `--seed`). The choice is a hash of (seed, method, path, body, attempt),
 * where attempt counts earlier arrivals of the very same request: a client that sends the same requests gets
 * the same faults on every run, whatever the interleaving of its concurrent calls; and a retry (attempt + 1)
 * draws again, so it can succeed.
 */

import { createHash } from "node:crypto";

export type Fault =
  /** Nothing is changed; the answer is a 500 / 503 / reset. */
  | { when: "before"; kind: "500" | "503" | "reset" }
  /** The change is committed and durable; then the answer is lost as a 500 or a reset. */
  | { when: "after"; kind: "500" | "reset" };

const KINDS: Fault[] = [
  { when: "before", kind: "500" },
  { when: "before", kind: "503" },
  { when: "before", kind: "reset" },
  { when: "after", kind: "500" },
  { when: "after", kind: "reset" },
];

export class FaultInjector {
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly rate: number,
    private readonly seed: number,
  ) {}

  /** Records this arrival and says whether (and how) it faults. */
  decide(method: string, path: string, body: string): Fault | undefined {
    if (this.rate <= 0) return undefined;
    const requestKey = createHash("sha256").update(`${method}\u0000${path}\u0000${body}`).digest("base64");
    const attempt = this.attempts.get(requestKey) ?? 0;
    this.attempts.set(requestKey, attempt + 1);
    const digest = createHash("sha256").update(`${this.seed}\u0000${requestKey}\u0000${attempt}`).digest();
    const draw = digest.readUIntBE(0, 6) / 2 ** 48;
    if (draw >= this.rate) return undefined;
    return KINDS[digest.readUInt32BE(8) % KINDS.length];
  }
}
