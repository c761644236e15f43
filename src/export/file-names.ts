/**
 * File names safe on every OS, from object names: lower-case, runs of anything but letters, digits, `.`, `_`
 * and `-` become one `-`, reserved Windows names get a suffix, and names that collide after this get `-2`, `-3`…
 * in sorted order, so the same names always give the same files.
 */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

export function safeFileStem(name: string): string {
  let stem = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80);
  if (stem === "") stem = "unnamed";
  if (RESERVED.test(stem)) stem += "-";
  return stem;
}

/** Maps each name to a unique stem; input order does not matter. */
export function uniqueStems(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const name of [...names].sort()) {
    const stem = safeFileStem(name);
    let candidate = stem;
    for (let i = 2; used.has(candidate.toLowerCase()); i++) candidate = `${stem}-${i}`;
    used.add(candidate.toLowerCase());
    out.set(name, candidate);
  }
  return out;
}
