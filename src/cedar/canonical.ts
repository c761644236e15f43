/**
 * Rule equality. Two rules are the same rule when their Cedar parses to the same policy — the engine's JSON
 * form without its `annotations` (docs/file-format.md#rules) — not when their bytes match. Annotations and
 * comments are file-side only: the service stores rules as structured fields and answers text assembled from
 * them, so it drops both (docs/services.md#rules-and-their-text). The engine call costs ~0.16 ms, so the cheap
 * token key answers first and the canonical form is memoized by text.
 */
import { deepEqual } from "../json/deep-equal.js";
import { stableJson } from "../json/stable-json.js";
import { policyToJson } from "./engine.js";
import { codeTokens, decodeCedarString, statementShape, type Token } from "./lexer.js";
import { ruleKey } from "./rule-key.js";

const SEP = "\u0000";

/** The tokens that carry a rule's meaning: comments and the leading annotations (`@id("…")`) dropped. */
function meaningTokens(text: string): Token[] {
  const tokens = codeTokens(text);
  if (tokens[0]?.text !== "@") return tokens;
  return tokens.slice(statementShape(tokens).effect);
}

/** The tokens of `text` with whitespace, comments and annotations dropped. Equal keys imply the same rule. */
export function tokenKey(text: string): string {
  return meaningTokens(text)
    .map((t) => t.text)
    .join(SEP);
}

const MEMO_LIMIT = 100_000;

/** One rule's engine form: its JSON (undefined when the engine rejects the text) and that JSON as a stable key. */
interface Canonical {
  json: unknown;
  key: string;
}

const memo = new Map<string, Canonical>();

/**
 * The engine's JSON form of one statement, memoized by text. Text the engine rejects gets a key of its own
 * (`!unparsable` + its token key), so that comparing never throws and two broken rules are equal only when their
 * tokens are.
 */
function canonical(text: string): Canonical {
  const hit = memo.get(text);
  if (hit !== undefined) return hit;
  const answer = policyToJson(text);
  let value: Canonical;
  if (answer.type === "success") {
    const { annotations: _annotations, ...json } = answer.json;
    // `action in A` means `action in [A]`, and a service that stores the action list as a field answers the latter.
    const action = json.action;
    if (action.op === "in" && "entity" in action) json.action = { op: "in", entities: [action.entity] };
    value = { json, key: stableJson(json) };
  } else value = { json: undefined, key: `!unparsable${SEP}${tokenKey(text)}` };
  // A plain bound rather than an LRU: plans touch each rule a few times, close together.
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, value);
  return value;
}

/** Stable JSON (sorted keys) of the engine's JSON form of one statement, annotations left out: a key for grouping rules by meaning. */
export function canonicalRule(text: string): string {
  return canonical(text).key;
}

/**
 * A key that only rules of equal meaning share, without the engine: the statement read by `rule-key.ts`'s parser
 * (grouping, layout, comments, annotations and spelling dropped). Text that parser does not read gets a key of its
 * own, so it matches nothing but itself: the caller then asks the engine (`canonicalRule`). This is what lets a plan
 * match 10,000 rules re-printed by the service without 20,000 engine calls.
 */
export function meaningKey(text: string): string {
  return ruleKey(text) ?? `!unread${SEP}${text}`;
}

/** Same meaning: equal tokens or equal parsed trees (no engine call), else equal JSON forms (or, both unparsable, equal tokens). */
export function sameRule(a: string, b: string): boolean {
  if (a === b || tokenKey(a) === tokenKey(b)) return true;
  const ka = ruleKey(a);
  if (ka !== undefined && ka === ruleKey(b)) return true;
  const ca = canonical(a);
  const cb = canonical(b);
  return ca.json === undefined || cb.json === undefined ? ca.key === cb.key : deepEqual(ca.json, cb.json);
}

/**
 * A key that rules of equal meaning always share, cheap to compute: the sorted multiset of tokens with
 * grouping and punctuation that the JSON form does not keep dropped (`(`, `)`, `[`, `]`, `,`, `.`), strings and
 * identifiers unified by value (`has "a"` = `has a`, `e["a"]` = `e.a`), numbers normalised (`007` = `7`).
 * Annotations are left out, as from the canonical form. Sorting makes it blind to order (record fields):
 * different rules may share a key — the caller then compares canonical forms — but equal rules never get
 * different keys.
 */
export function bucketKey(text: string): string {
  const parts: string[] = [];
  for (const t of meaningTokens(text)) {
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
