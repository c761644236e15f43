/**
 * Keys and tokens never reach any output. Every path that turns live data or errors into text (error messages,
 * logs, plan files, comments) passes it through `redact` with the secrets of the run.
 */

export const REDACTED = "***";

/**
 * Replaces every occurrence of each secret (and of its URL-encoded form, since a server may echo a key back
 * inside a URL or query) with `***`. Longer secrets are replaced first so that a key containing another key
 * is not half-revealed. Empty secrets are ignored.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (secret === "") continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
  }
  let out = text;
  for (const variant of [...variants].sort((a, b) => b.length - a.length)) {
    out = out.split(variant).join(REDACTED);
  }
  return out;
}

/** `redact` bound to one run's secrets, for passing to code that must not see the secrets themselves. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const list = [...secrets];
  return (text) => redact(text, list);
}
