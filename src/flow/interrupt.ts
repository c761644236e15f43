/**
 * SIGINT / SIGTERM as the flows see them (docs/exit-codes.md, "Interrupts"). The first signal stops anything new
 * from starting; the requests in flight may then finish or settle for a grace period (the CLI: one timeout
 * during apply, none for plan and export; the GitHub Action: 5 s after SIGINT, none after SIGTERM), after which
 * they are abandoned and their changes reported "outcome unknown". The front end owns the process: it decides
 * what a second signal does (the CLI exits at once).
 */
import { EXIT, type ExitCode } from "../errors/exit-codes.js";

export type InterruptSignal = "SIGINT" | "SIGTERM";

export class Interrupt {
  private readonly starting = new AbortController();
  private readonly waiting = new AbortController();
  private first: InterruptSignal | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** How long requests in flight may still take after the first signal; set by the command while it runs. */
  graceMs = 0;

  /** Aborted at the first signal: start nothing new. */
  get stopStarting(): AbortSignal {
    return this.starting.signal;
  }

  /** Aborted when the grace period is over: stop waiting for requests in flight. */
  get stopWaiting(): AbortSignal {
    return this.waiting.signal;
  }

  get received(): InterruptSignal | undefined {
    return this.first;
  }

  /** The exit code of an interrupted run: 130 for SIGINT, 143 for SIGTERM. */
  get exitCode(): ExitCode | undefined {
    return this.first === undefined ? undefined : this.first === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
  }

  /** The first signal: nothing new starts; requests in flight get `graceMs` (default: the command's). */
  receive(signal: InterruptSignal, graceMs = this.graceMs): void {
    if (this.first !== undefined) return;
    this.first = signal;
    this.starting.abort(signal);
    if (graceMs <= 0) this.stopNow();
    else {
      this.timer = setTimeout(() => this.stopNow(), graceMs);
      this.timer.unref();
    }
  }

  /** Stop waiting for requests in flight, now. */
  stopNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.waiting.abort();
  }
}
