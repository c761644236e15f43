/**
 * A protection that protects nothing must never pass in silence (SPEC section 1, "Addresses"): each `protect`,
 * `ignore` or `owns` pattern that matches no declared object and no live object of the managed collections is a
 * warning at the pattern's place (an error under `--deny-warnings`, as every warning). Pure: the caller passes
 * the declared addresses and the live addresses of the managed collections.
 */
import { formatAddress, matchPattern, rbacAddress, type Address } from "../address/address.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { DesiredState, Settings, SettingsPattern } from "../desired/types.js";

type Key = "protect" | "ignore" | "owns";
const WHAT: Record<Key, string> = {
  protect: "protects nothing",
  ignore: "ignores nothing",
  owns: "owns nothing",
};

export function unmatchedPatterns(settings: Settings, declared: Iterable<Address>, live: Iterable<Address>): Diagnostic[] {
  const keyOf = new Map<SettingsPattern, Key>();
  for (const key of ["protect", "ignore", "owns"] as const) for (const p of settings[key]) keyOf.set(p, key);
  const patterns = [...keyOf.keys()];
  if (patterns.length === 0) return [];
  const unmatched = new Set(patterns);
  // The first real address under each root, for the hint's example (never a made-up name).
  const firstByRoot = new Map<string, Address>();
  // One pass over the addresses (there may be 200,000), testing only the patterns still unmatched.
  const visit = (addresses: Iterable<Address>): void => {
    for (const a of addresses) {
      if (unmatched.size === 0) return;
      const root = rootOf(a);
      if (!firstByRoot.has(root)) firstByRoot.set(root, a);
      for (const p of unmatched) if (matchPattern(p, a)) unmatched.delete(p);
    }
  };
  visit(declared);
  visit(live);
  return patterns
    .filter((p) => unmatched.has(p))
    .map((p) =>
      diag("pattern-unmatched", `\`${keyOf.get(p)!}\` pattern ${JSON.stringify(p.source)} matches no declared object and no live object: it ${WHAT[keyOf.get(p)!]}`, p.loc, {
        severity: "warning",
        hint: `names are case-sensitive and \`*\` stays within one segment: compare the pattern with the addresses in the plan${example(p, firstByRoot)}, fix it or remove it`,
      }),
    );
}

/** Every declared policy, role, Cedar policy and Cedar rule, as addresses (a rule pattern names only rules). */
export function declaredAddresses(desired: DesiredState): Address[] {
  const out: Address[] = [];
  for (const p of desired.organization?.policies ?? []) out.push(rbacAddress("policy", p.name));
  for (const r of desired.organization?.roles ?? []) out.push(rbacAddress("role", r.name));
  for (const project of desired.projects) {
    for (const p of project.policies ?? []) out.push(rbacAddress("policy", p.name, project.name));
    for (const r of project.roles ?? []) out.push(rbacAddress("role", r.name, project.name));
  }
  for (const p of desired.cedar?.policies ?? []) {
    out.push({ kind: "cedar-policy", name: p.name });
    for (const r of p.rules) out.push({ kind: "cedar-rule", policy: p.name, ordinal: r.ordinal });
  }
  return out;
}

function rootOf(a: Address): string {
  return a.kind.startsWith("org-") ? "organization" : a.kind.startsWith("project-") ? "projects" : "cedar";
}

/** ` (e.g. <an address under the pattern's root>)`, when the state holds one; nothing rather than an invented name. */
function example(p: SettingsPattern, firstByRoot: ReadonlyMap<string, Address>): string {
  const a = firstByRoot.get(p.segments[0]?.text ?? "") ?? firstByRoot.values().next().value;
  return a === undefined ? "" : ` (e.g. \`${formatAddress(a)}\`)`;
}
