/**
 * What every part of the diff shares: settings, and where it reports problems. Desired-state problems (names the
 * live state does not have) are diagnostics (exit 3); live-state problems that break identity are live errors.
 */
import { matchAny, parseAddress } from "../address/address.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Settings } from "../desired/types.js";

export interface DiffContext {
  settings: Settings;
  diagnostics: Diagnostic[];
  /** Two live objects with one name in one scope: the plan stops, naming both ids; nothing is guessed. */
  liveErrors: string[];
}

export function isIgnored(ctx: DiffContext, address: string): boolean {
  const a = parseAddress(address);
  return a !== undefined && matchAny(ctx.settings.ignore, a);
}

/** With `owns` set, only matching live objects are ours to delete. */
export function isOwned(ctx: DiffContext, address: string): boolean {
  if (ctx.settings.owns.length === 0) return true;
  const a = parseAddress(address);
  return a !== undefined && matchAny(ctx.settings.owns, a);
}

export function isProtected(ctx: DiffContext, address: string): boolean {
  const a = parseAddress(address);
  return a !== undefined && matchAny(ctx.settings.protect, a);
}
