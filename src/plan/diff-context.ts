/**
 * What every part of the diff shares: settings, and where it reports problems. Desired-state problems (names the
 * live state does not have) are diagnostics (exit 3); live-state problems that break identity are live errors.
 */
import { matchAny, type Address } from "../address/address.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Settings } from "../desired/types.js";

export interface DiffContext {
  settings: Settings;
  diagnostics: Diagnostic[];
  /** Two live objects with one name in one scope: the plan stops, naming both ids; nothing is guessed. */
  liveErrors: string[];
}

export function isIgnored(settings: Settings, address: Address): boolean {
  return matchAny(settings.ignore, address);
}

/** With `owns` set, only matching live objects are ours to delete. */
export function isOwned(settings: Settings, address: Address): boolean {
  return settings.owns.length === 0 || matchAny(settings.owns, address);
}

export function isProtected(settings: Settings, address: Address): boolean {
  return matchAny(settings.protect, address);
}
