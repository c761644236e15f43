/**
 * For a YAML flow scalar (plain, single- or double-quoted), the source offset of every character of its value,
 * by replaying YAML's rules: escapes in double quotes, `''` in single quotes, and line folding (a line break
 * and the indentation around it become one space; an empty line becomes a newline). Block scalars are mapped
 * line by line elsewhere. Used to put a Cedar error at its exact place inside a YAML string.
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\u0085", _: "\u00a0", L: "\u2028", P: "\u2029",
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * `source` is the scalar as written (quotes included for quoted styles); `start` its offset in the file.
 * Returns one file offset per UTF-16 unit of the value, plus one for the end.
 */
export function flowScalarOffsets(source: string, start: number, style: "plain" | "single" | "double"): number[] {
  const out: number[] = [];
  const quoted = style !== "plain";
  let i = quoted ? 1 : 0;
  const end = quoted ? source.length - 1 : source.length;
  const push = (text: string, at: number): void => {
    for (let k = 0; k < text.length; k++) out.push(start + at);
  };
  while (i < end) {
    const c = source[i]!;
    if (c === "\n" || (c === "\r" && source[i + 1] === "\n")) {
      // Folding: trailing spaces before the break were dropped; count empty lines; skip the next indentation.
      while (out.length > 0 && (source[i - 1] === " " || source[i - 1] === "\t") && out.length && lastIsSpace(out, source, start)) out.pop();
      let j = i;
      let breaks = 0;
      while (j < end && (source[j] === "\n" || source[j] === "\r" || source[j] === " " || source[j] === "\t")) {
        if (source[j] === "\n") breaks++;
        j++;
      }
      push(breaks > 1 ? "\n".repeat(breaks - 1) : " ", j);
      i = j;
      continue;
    }
    if (style === "double" && c === "\\") {
      const e = source[i + 1] ?? "";
      if (e === "\n" || e === "\r") {
        // An escaped line break joins the lines with nothing.
        let j = i + 1;
        while (j < end && (source[j] === "\n" || source[j] === "\r" || source[j] === " " || source[j] === "\t")) j++;
        i = j;
        continue;
      }
      if (e in HEX_LENGTH) {
        const n = HEX_LENGTH[e]!;
        const code = parseInt(source.slice(i + 2, i + 2 + n), 16);
        push(Number.isNaN(code) ? "?" : String.fromCodePoint(code), i);
        i += 2 + n;
        continue;
      }
      push(SIMPLE_ESCAPES[e] ?? e, i);
      i += 2;
      continue;
    }
    if (style === "single" && c === "'" && source[i + 1] === "'") {
      push("'", i);
      i += 2;
      continue;
    }
    push(c, i);
    i++;
  }
  out.push(start + end);
  return out;
}

function lastIsSpace(out: number[], source: string, start: number): boolean {
  const at = out[out.length - 1]! - start;
  return source[at] === " " || source[at] === "\t";
}
