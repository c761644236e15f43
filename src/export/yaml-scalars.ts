/**
 * Scalars for hand-written YAML: plain when that reads back as the same string, quoted otherwise; block
 * literals for multi-line text. Hand-emitting (rather than a generic dump) keeps exported files in the
 * quickstart's style: flow lists for names, one rule per item, and byte-identical output for the same input.
 */
import { parse, stringify } from "yaml";

const PLAIN_FLOW = /^[A-Za-z0-9_$][A-Za-z0-9 _:./$-]*$/;

/** A scalar in block context (a mapping value). */
export function scalar(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value !== "string") return String(value);
  const out = stringify(value, { lineWidth: 0 }).trimEnd();
  // Multi-line strings come back as block scalars (`|-` …), which only fit on their own lines.
  if (out.includes("\n")) return JSON.stringify(value);
  return out;
}

/** A scalar inside a flow collection (`[a, b]`, `{ in: x }`), where `,[]{}` end a plain scalar. */
export function flowScalar(value: string): string {
  if (PLAIN_FLOW.test(value) && !value.endsWith(" ") && !value.includes(": ") && !value.includes(" #") && parse(value) === value) return value;
  return value.includes("'") || value.includes("\n") ? JSON.stringify(value) : `'${value}'`;
}

export function flowList(values: readonly string[]): string {
  return `[${values.map(flowScalar).join(", ")}]`;
}

/** `key: value` lines for a possibly multi-line string at `indent` spaces, as a block literal when multi-line. */
export function keyText(indent: number, key: string, value: string): string[] {
  const pad = " ".repeat(indent);
  if (!value.includes("\n")) return [`${pad}${key}: ${scalar(value)}`];
  const lines = value.replace(/\n+$/, "").split("\n");
  const trailing = value.endsWith("\n") ? "" : "-";
  // An indentation indicator is needed when the first line starts with a space.
  const indicator = lines[0]?.startsWith(" ") ? "2" : "";
  return [`${pad}${key}: |${indicator}${trailing}`, ...lines.map((l) => (l === "" ? "" : `${pad}  ${l}`))];
}
