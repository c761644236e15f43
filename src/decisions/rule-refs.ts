/**
 * How outputs name a rule: its address, its `@id("…")` annotation and where it is written. The evaluator knows
 * rules only by key; callers supply this map (desired rules have all four, live-only rules just an address).
 */
import { codeTokens, decodeCedarString } from "../cedar/lexer.js";
import type { DesiredState } from "../desired/types.js";

export interface RuleRef {
  address: string;
  /** The rule's `@id("…")` annotation. */
  id?: string;
  file?: string;
  line?: number;
}

export type RuleRefs = ReadonlyMap<string, RuleRef>;

/** The caller's reference for a key, or the key itself as the address. */
export function refFor(refs: RuleRefs | undefined, key: string): RuleRef {
  return refs?.get(key) ?? { address: key };
}

/** The value of a rule's `@id("…")` annotation, if any (annotations are file-side only: the service drops them). */
export function annotationId(text: string): string | undefined {
  const tokens = codeTokens(text);
  for (let i = 0; tokens[i]?.text === "@"; ) {
    const name = tokens[i + 1]?.text;
    if (tokens[i + 2]?.text !== "(") {
      i += 2;
      continue;
    }
    const value = tokens[i + 3];
    if (name === "id" && value?.kind === "string") return decodeCedarString(value.text, false);
    i += 5;
  }
  return undefined;
}

/** References for every desired rule, keyed by address (the keys `desiredEvalPolicies` gives rules). */
export function desiredRuleRefs(desired: DesiredState): Map<string, RuleRef> {
  const refs = new Map<string, RuleRef>();
  for (const p of desired.cedar?.policies ?? []) {
    for (const r of p.rules) {
      const id = annotationId(r.text);
      refs.set(r.address, { address: r.address, ...(id === undefined ? {} : { id }), file: r.loc.file, line: r.loc.line });
    }
  }
  return refs;
}
