/**
 * A meaning key for one Cedar rule without the engine: the statement parsed by a small, strict parser of Cedar's
 * policy grammar into a tree that keeps everything that means something and drops what does not (layout, comments,
 * annotations, grouping parentheses, `e.a` vs `e["a"]`, `has a` vs `has "a"`, string escapes, `007` vs `7`, the
 * order of record fields, `action in A` vs `action in [A]`).
 *
 * Why: the service answers every rule's text re-printed from its stored fields (the engine's printer adds
 * parentheses, e.g. `(a) && (b)`), so the token key no longer matches and each rule would cost an engine call on
 * each side (~0.3–0.8 ms each: seconds for 10,000 rules). This key answers almost all of them in microseconds.
 *
 * It is only ever an accelerator: equal keys mean the same rule (the parser must be right about precedence and
 * grouping, and is strict — anything it is unsure of is refused), while different keys, or a refusal (undefined),
 * send the caller on to the engine's JSON form, which stays the judge (`canonical.ts`).
 */
import { codeTokens, decodeCedarString, type Token } from "./lexer.js";

type Node = unknown[];

class Refused extends Error {}

const VARS = new Set(["principal", "action", "resource", "context"]);
const RESERVED = new Set(["true", "false", "if", "then", "else", "in", "is", "like", "has", "principal", "action", "resource", "context", "permit", "forbid", "when", "unless", "__cedar"]);
const RELOPS = new Set(["==", "!=", "<", "<=", ">", ">=", "in"]);
const MAX_LONG = 9223372036854775807n;
const MAX_DEPTH = 200;

/** The key of one rule's text, or undefined when this parser does not read it (then ask the engine). */
export function ruleKey(text: string): string | undefined {
  try {
    return JSON.stringify(new Parser(codeTokens(text)).policy());
  } catch (error) {
    if (error instanceof Refused) return undefined;
    throw error;
  }
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly t: readonly Token[]) {}

  private peek(k = 0): Token | undefined {
    return this.t[this.i + k];
  }

  private is(text: string, k = 0): boolean {
    const tok = this.peek(k);
    return tok !== undefined && tok.kind !== "string" && tok.text === text;
  }

  private take(): Token {
    const tok = this.t[this.i++];
    if (!tok || tok.kind === "error") throw new Refused();
    return tok;
  }

  private expect(text: string): void {
    if (!this.is(text)) throw new Refused();
    this.i++;
  }

  private ident(): string {
    const tok = this.take();
    if (tok.kind !== "ident") throw new Refused();
    return tok.text;
  }

  private str(): string {
    const tok = this.take();
    if (tok.kind !== "string") throw new Refused();
    const value = decodeCedarString(tok.text, false);
    if (value === undefined) throw new Refused();
    return value;
  }

  policy(): Node {
    // Annotations: `@name` or `@name("value")`, dropped.
    while (this.is("@")) {
      this.i++;
      this.ident();
      if (this.is("(")) {
        this.i++;
        this.str();
        this.expect(")");
      }
    }
    const effect = this.ident();
    if (effect !== "permit" && effect !== "forbid") throw new Refused();
    this.expect("(");
    const principal = this.entityScope("principal");
    this.expect(",");
    const action = this.actionScope();
    this.expect(",");
    const resource = this.entityScope("resource");
    this.expect(")");
    const conditions: Node[] = [];
    while (this.is("when") || this.is("unless")) {
      const kind = this.ident();
      this.expect("{");
      conditions.push([kind, this.expr()]);
      this.expect("}");
    }
    this.expect(";");
    if (this.i !== this.t.length) throw new Refused();
    return [effect, principal, action, resource, conditions];
  }

  private entityScope(variable: "principal" | "resource"): Node {
    if (this.ident() !== variable) throw new Refused();
    if (this.is("==")) {
      this.i++;
      return ["eq", this.entity()];
    }
    if (this.is("in")) {
      this.i++;
      return ["in", this.entity()];
    }
    if (this.is("is")) {
      this.i++;
      const type = this.path();
      if (this.is("in")) {
        this.i++;
        return ["isin", type, this.entity()];
      }
      return ["is", type];
    }
    return ["any"];
  }

  private actionScope(): Node {
    if (this.ident() !== "action") throw new Refused();
    if (this.is("==")) {
      this.i++;
      return ["eq", this.entity()];
    }
    if (this.is("in")) {
      this.i++;
      if (!this.is("[")) return ["in", [this.entity()]];
      this.i++;
      const items: Node[] = [];
      while (!this.is("]")) {
        if (items.length > 0) this.expect(",");
        items.push(this.entity());
      }
      this.expect("]");
      if (items.length === 0) throw new Refused();
      return ["in", items];
    }
    return ["any"];
  }

  /** `A::B` (no reserved words), not followed by `::"id"`. */
  private path(): string {
    const parts = [this.name()];
    while (this.is("::") && this.peek(1)?.kind === "ident") {
      this.i++;
      parts.push(this.name());
    }
    return parts.join("::");
  }

  private name(): string {
    const n = this.ident();
    if (RESERVED.has(n)) throw new Refused();
    return n;
  }

  /** `Path::"id"`. */
  private entity(): Node {
    const type = this.path();
    this.expect("::");
    return ["ent", type, this.str()];
  }

  // ---- expressions, lowest precedence first -----------------------------------------------------------------

  private expr(): Node {
    if (++this.depth > MAX_DEPTH) throw new Refused();
    try {
      if (this.is("if")) {
        this.i++;
        const c = this.expr();
        this.expect("then");
        const a = this.expr();
        this.expect("else");
        return ["if", c, a, this.expr()];
      }
      return this.or();
    } finally {
      this.depth--;
    }
  }

  private or(): Node {
    let left = this.and();
    while (this.is("||")) {
      this.i++;
      left = ["||", left, this.and()];
    }
    return left;
  }

  private and(): Node {
    let left = this.relation();
    while (this.is("&&")) {
      this.i++;
      left = ["&&", left, this.relation()];
    }
    return left;
  }

  /** Relations do not chain: `a < b < c` is refused, as Cedar refuses it. */
  private relation(): Node {
    const left = this.add();
    const op = this.peek();
    if (op && op.kind !== "string" && RELOPS.has(op.text)) {
      this.i++;
      return [op.text, left, this.add()];
    }
    if (this.is("has")) {
      this.i++;
      const tok = this.take();
      let attr: string;
      if (tok.kind === "string") {
        const v = decodeCedarString(tok.text, false);
        if (v === undefined) throw new Refused();
        attr = v;
      } else if (tok.kind === "ident") attr = tok.text;
      else throw new Refused();
      // `e has a.b` (an attribute path) is left to the engine.
      if (this.is(".")) throw new Refused();
      return ["has", left, attr];
    }
    if (this.is("like")) {
      this.i++;
      const tok = this.take();
      if (tok.kind !== "string") throw new Refused();
      return ["like", left, pattern(tok.text)];
    }
    if (this.is("is")) {
      this.i++;
      const type = this.path();
      if (this.is("in")) {
        this.i++;
        return ["is", left, type, this.add()];
      }
      return ["is", left, type, null];
    }
    return left;
  }

  private add(): Node {
    let left = this.mult();
    while (this.is("+") || this.is("-")) {
      const op = this.take().text;
      left = [op, left, this.mult()];
    }
    return left;
  }

  private mult(): Node {
    let left = this.unary();
    while (this.is("*")) {
      this.i++;
      left = ["*", left, this.unary()];
    }
    return left;
  }

  private unary(): Node {
    const ops: string[] = [];
    while (this.is("!") || this.is("-")) ops.push(this.take().text);
    if (ops.length > 4 || (ops.includes("!") && ops.includes("-"))) throw new Refused();
    let node: Node;
    const number = this.peek();
    if (ops.at(-1) === "-" && number?.kind === "number") {
      // As the engine reads it: a minus right before an integer literal is part of the literal (`-3` is the value
      // -3, `-(3)` the negation of 3).
      if (this.is(".", 1) || this.is("[", 1)) throw new Refused();
      this.i++;
      ops.pop();
      const n = BigInt(number.text);
      if (n > MAX_LONG + 1n) throw new Refused();
      node = ["long", (-n).toString()];
    } else node = this.member();
    for (let k = ops.length - 1; k >= 0; k--) node = [ops[k] === "!" ? "not" : "neg", node];
    return node;
  }

  private member(): Node {
    let node = this.primary();
    for (;;) {
      if (this.is(".")) {
        this.i++;
        const name = this.name();
        if (this.is("(")) {
          this.i++;
          node = ["call", node, name, this.list(")")];
        } else node = ["get", node, name];
      } else if (this.is("[")) {
        this.i++;
        node = ["get", node, this.str()];
        this.expect("]");
      } else return node;
    }
  }

  private list(close: string): Node[] {
    const items: Node[] = [];
    while (!this.is(close)) {
      if (items.length > 0) this.expect(",");
      items.push(this.expr());
    }
    this.i++;
    return items;
  }

  private primary(): Node {
    const tok = this.peek();
    if (!tok) throw new Refused();
    switch (tok.kind) {
      case "string":
        return ["str", this.str()];
      case "number": {
        this.i++;
        const n = BigInt(tok.text);
        if (n > MAX_LONG) throw new Refused();
        return ["long", n.toString()];
      }
      case "ident": {
        if (tok.text === "true" || tok.text === "false") {
          this.i++;
          return ["bool", tok.text];
        }
        if (VARS.has(tok.text)) {
          this.i++;
          return ["var", tok.text];
        }
        const path = this.path();
        if (this.is("::")) {
          this.i++;
          return ["ent", path, this.str()];
        }
        // Extension functions are called by name (`ip("…")`, `decimal("…")`).
        if (this.is("(") && !path.includes("::")) {
          this.i++;
          return ["fn", path, this.list(")")];
        }
        throw new Refused();
      }
      case "punct":
        if (tok.text === "(") {
          this.i++;
          const e = this.expr();
          this.expect(")");
          return e;
        }
        if (tok.text === "[") {
          this.i++;
          return ["set", this.list("]")];
        }
        if (tok.text === "{") {
          this.i++;
          return this.record();
        }
        throw new Refused();
      default:
        throw new Refused();
    }
  }

  private record(): Node {
    const fields = new Map<string, Node>();
    while (!this.is("}")) {
      if (fields.size > 0) this.expect(",");
      const tok = this.take();
      let key: string;
      if (tok.kind === "string") {
        const v = decodeCedarString(tok.text, false);
        if (v === undefined) throw new Refused();
        key = v;
      } else if (tok.kind === "ident" && !RESERVED.has(tok.text)) key = tok.text;
      else throw new Refused();
      if (fields.has(key)) throw new Refused();
      this.expect(":");
      fields.set(key, this.expr());
    }
    this.i++;
    return ["rec", [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))];
  }
}

/**
 * A `like` pattern as a list of literal characters and wildcards (null): `\*` is a literal star, `*` a wildcard,
 * `\\*` a backslash then a wildcard; other escapes decode as in any string, a decoded star being a wildcard.
 */
function pattern(literal: string): (string | null)[] {
  const body = literal.slice(1, -1);
  const out: (string | null)[] = [];
  for (let k = 0; k < body.length; k++) {
    const ch = body[k]!;
    if (ch === "*") {
      out.push(null);
      continue;
    }
    if (ch !== "\\") {
      out.push(ch);
      continue;
    }
    const next = body[k + 1];
    if (next === "*") {
      out.push("*");
      k++;
      continue;
    }
    // One escape: hand it to the string decoder on its own.
    const m = /^\\(u\{[0-9a-fA-F]{1,6}\}|x[0-7][0-9a-fA-F]|[nrt0\\'"])/.exec(body.slice(k));
    if (!m) throw new Refused();
    const decoded = decodeCedarString(`"${m[0]}"`, false);
    if (decoded === undefined) throw new Refused();
    // As the engine reads it: a star spelled as an escape (`\u{2a}`, `\x2a`) is a wildcard; only `\*` is not.
    for (const c of decoded) out.push(c === "*" ? null : c);
    k += m[0].length - 1;
  }
  return out;
}
