/**
 * A small Cedar lexer: enough to split a file into statements, find a rule's scope, and build cheap comparison
 * keys without calling the engine. It never rejects input — the engine is the judge of syntax — so an
 * unterminated string or a stray character becomes an `error` token and lexing goes on.
 *
 * Offsets are UTF-16 code units (JavaScript string indices), as editors count columns.
 */

export type TokenKind = "ident" | "string" | "number" | "punct" | "comment" | "error";

export interface Token {
  kind: TokenKind;
  /** The source text of the token, exactly as written (strings keep their quotes and escapes). */
  text: string;
  start: number;
  end: number;
}

const TWO_CHAR_PUNCT = new Set(["::", "==", "!=", "<=", ">=", "&&", "||"]);

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xfeff || c === 0xa0;
}

/** Every token of `text`, comments included (callers that compare meaning drop them). */
export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    let kind: TokenKind;
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      kind = "comment";
    } else if (c === 34 /* " */) {
      i++;
      kind = "error";
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) {
          i += 2;
        } else if (d === 34) {
          i++;
          kind = "string";
          break;
        } else {
          i++;
        }
      }
      if (i > n) i = n;
    } else if (isIdentStart(c)) {
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      kind = "ident";
    } else if (isDigit(c)) {
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      kind = "number";
    } else if (TWO_CHAR_PUNCT.has(text.slice(i, i + 2))) {
      i += 2;
      kind = "punct";
    } else if ("()[]{},;.@<>!+-*%?:=".includes(text[i] ?? "")) {
      i++;
      kind = "punct";
    } else {
      // Step over a whole surrogate pair so that an error token never splits a character.
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      kind = "error";
    }
    tokens.push({ kind, text: text.slice(start, i), start, end: i });
  }
  return tokens;
}

/** The tokens that carry meaning: comments dropped. */
export function codeTokens(text: string): Token[] {
  return lex(text).filter((t) => t.kind !== "comment");
}

export interface StatementShape {
  /** Index of the effect keyword (`permit` / `forbid`) after any annotations. */
  effect: number;
  /** Index of the parenthesis that closes the scope, or -1 when there is none. */
  scopeEnd: number;
}

/** Where the effect and the scope's end are among a statement's code tokens (annotations skipped). */
export function statementShape(tokens: readonly Token[]): StatementShape {
  let i = 0;
  // Annotations: `@name` or `@name("value")`.
  while (tokens[i]?.text === "@") {
    i += 2;
    if (tokens[i]?.text === "(") i += 3;
  }
  const effect = i;
  let depth = 0;
  for (i++; i < tokens.length; i++) {
    const t = tokens[i]?.text;
    if (t === "(") depth++;
    else if (t === ")" && --depth === 0) return { effect, scopeEnd: i };
  }
  return { effect, scopeEnd: -1 };
}

/**
 * The value of a Cedar string literal (with its quotes), or undefined when an escape is invalid.
 * `\*` (meaningful only in `like` patterns) is kept as the two characters `\*` so that it stays distinct from a
 * wildcard `*`; pass `patternEscapes = false` where `\*` is not allowed (entity ids).
 */
export function decodeCedarString(literal: string, patternEscapes = true): string | undefined {
  if (literal.length < 2 || !literal.startsWith('"') || !literal.endsWith('"')) return undefined;
  const body = literal.slice(1, -1);
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "t":
        out += "\t";
        break;
      case "0":
        out += "\0";
        break;
      case "\\":
      case "'":
      case '"':
        out += e;
        break;
      case "*":
        if (!patternEscapes) return undefined;
        out += "\\*";
        break;
      case "u": {
        const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 1));
        if (!m?.[1]) return undefined;
        const cp = parseInt(m[1], 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
        out += String.fromCodePoint(cp);
        i += m[0].length;
        break;
      }
      case "x": {
        const m = /^[0-7][0-9a-fA-F]/.exec(body.slice(i + 1));
        if (!m) return undefined;
        out += String.fromCharCode(parseInt(m[0], 16));
        i += 2;
        break;
      }
      default:
        return undefined;
    }
  }
  return out;
}

/** A Cedar string literal for `value`: only `"` and `\` are escaped (docs/services.md, "How structured rules …"). */
export function encodeCedarString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
