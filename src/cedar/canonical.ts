/**
 * Rule equality. Two rules are the same rule when their Cedar parses to the same policy — the engine's JSON
 * form, annotations included (SPEC section 1) — not when their bytes match. The engine call costs ~0.16 ms, so
 * the cheap token key answers first and the canonical form is memoized by text.
 */
import { policyToJson } from "./engine.js";
import { codeTokens, decodeCedarString } from "./lexer.js";

const SEP = "\u0000";

/** The tokens of `text` with whitespace and comments dropped. Equal keys imply the same rule. */
export function tokenKey(text: string): string {
  return codeTokens(text)
    .map((t) => t.text)
    .join(SEP);
}

const MEMO_LIMIT = 100_000;
const memo = new Map<string, string>();

/**
 * Stable JSON (sorted keys) of the engine's JSON form of one statement, memoized by text. Text the engine
 * rejects gets a key of its own (`!unparsable` + its token key), so that comparing never throws and two broken
 * rules are equal only when their tokens are.
 */
export function canonicalRule(text: string): string {
  const hit = memo.get(text);
  if (hit !== undefined) return hit;
  const answer = policyToJson(text);
  const value = answer.type === "success" ? stableJson(answer.json) : `!unparsable${SEP}${tokenKey(text)}`;
  // A plain bound rather than an LRU: plans touch each rule a few times, close together.
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, value);
  return value;
}

/** Same meaning: equal tokens (no engine call) or equal canonical forms. */
export function sameRule(a: string, b: string): boolean {
  return a === b || tokenKey(a) === tokenKey(b) || canonicalRule(a) === canonicalRule(b);
}

/** JSON with object keys sorted at every level; `undefined` members are left out as JSON.stringify does. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
}

/**
 * A key that rules of equal meaning always share, cheap to compute: the sorted multiset of tokens with
 * grouping and punctuation that the JSON form does not keep dropped (`(`, `)`, `[`, `]`, `,`, `.`), strings and
 * identifiers unified by value (`has "a"` = `has a`, `e["a"]` = `e.a`), numbers normalised (`007` = `7`).
 * Sorting makes it blind to order (annotations, record fields): different rules may share a key — the caller
 * then compares canonical forms — but equal rules never get different keys.
 */
export function bucketKey(text: string): string {
  const parts: string[] = [];
  for (const t of codeTokens(text)) {
    switch (t.kind) {
      case "punct":
        if (!DROPPED.has(t.text)) parts.push(t.text);
        break;
      case "string":
        parts.push(`v${decodeCedarString(t.text) ?? t.text}`);
        break;
      case "ident":
        parts.push(`v${t.text}`);
        break;
      case "number":
        parts.push(`n${BigInt(t.text).toString()}`);
        break;
      default:
        parts.push(`?${t.text}`);
    }
  }
  return parts.sort().join(SEP);
}

const DROPPED = new Set(["(", ")", "[", "]", ",", "."]);
