/**
 * One YAML file parsed with positions. Values are read with `toJS()`; places are looked up by path on the
 * document's nodes, so every diagnostic can name `file:line:col`.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, type Document, type Node } from "yaml";
import { diag, type Diagnostic, type SourcePosition } from "../diagnostics/diagnostic.js";
import { LineIndex } from "./line-index.js";

export type PathItem = string | number;

export interface YamlFile {
  file: string;
  text: string;
  lines: LineIndex;
  doc: Document.Parsed;
  value: unknown;
}

export function parseYamlFile(file: string, text: string): { parsed?: YamlFile; diagnostics: Diagnostic[] } {
  const lines = new LineIndex(file, text);
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  if (!Array.isArray(docs)) {
    // An empty stream: no document at all.
    return { diagnostics: [emptyFile(lines)] };
  }
  for (const d of docs) {
    for (const e of [...d.errors, ...d.warnings]) {
      diagnostics.push(
        diag("yaml-syntax", `YAML: ${firstLine(e.message)}`, lines.position(e.pos[0]), {
          severity: d.errors.includes(e) ? "error" : "warning",
          hint: "fix the YAML syntax at this place (indentation, quotes, a missing `:` or `-`)",
        }),
      );
    }
  }
  if (docs.length > 1) {
    diagnostics.push(
      diag("yaml-multi-document", "a desired-state file holds one YAML document, this one holds " + docs.length, lines.position(docs[1]!.range[0]), {
        hint: "split the documents into separate files",
      }),
    );
  }
  const doc = docs[0];
  if (!doc || diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  if (doc.contents === null) return { diagnostics: [emptyFile(lines)] };
  return { parsed: { file, text, lines, doc, value: doc.toJS({ maxAliasCount: 100 }) }, diagnostics };
}

function emptyFile(lines: LineIndex): Diagnostic {
  return diag("not-accessctl", "this YAML file holds no accessctl key (organization, projects, cedar or accessctl)", lines.position(0), {
    hint: "every YAML file in the directory is read as an accessctl file: add content, or move the file out of the directory",
  });
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/** The node at `path`, or the deepest existing ancestor. */
export function nodeAt(doc: Document.Parsed, path: readonly PathItem[]): { node: Node | null; keyNode?: Node; found: boolean } {
  let node: Node | null = doc.contents;
  let keyNode: Node | undefined;
  for (const item of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === item);
      if (!pair) return { node, keyNode, found: false };
      keyNode = pair.key as Node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof item === "number") {
      const next = node.items[item] as Node | undefined;
      if (!next) return { node, keyNode, found: false };
      keyNode = undefined;
      node = next;
    } else {
      return { node, keyNode, found: false };
    }
  }
  return { node, keyNode, found: true };
}

/** Where the value at `path` starts (or its nearest existing ancestor). */
export function positionOf(y: YamlFile, path: readonly PathItem[]): SourcePosition {
  const { node } = nodeAt(y.doc, path);
  return y.lines.position(node?.range?.[0] ?? 0);
}

/** Where the key of the value at `path` stands (falls back to the value). */
export function keyPositionOf(y: YamlFile, path: readonly PathItem[]): SourcePosition {
  const { node, keyNode, found } = nodeAt(y.doc, path);
  const target = found && keyNode ? keyNode : node;
  return y.lines.position(target?.range?.[0] ?? 0);
}

/**
 * Maps an offset inside a string scalar's value to its place in the file. Exact for single-line scalars and
 * for block literals (`|`); other multi-line styles fold lines, so they map to the scalar's start line.
 */
export function scalarLocator(y: YamlFile, path: readonly PathItem[]): (offset: number) => SourcePosition {
  const { node } = nodeAt(y.doc, path);
  if (!isScalar(node) || !node.range) return () => positionOf(y, path);
  const start = node.range[0];
  const type = node.type;
  const startPos = y.lines.position(start);
  if (type === Scalar.BLOCK_LITERAL) {
    // Content starts on the line after the header (`|`, `|-`, `|2` …); its indentation is that of the first
    // non-empty content line.
    const firstContentLine = startPos.line + 1;
    let indent = 0;
    for (let l = firstContentLine; ; l++) {
      const ls = y.lines.lineStart(l);
      if (ls >= node.range[1] || ls >= y.text.length) break;
      const m = /^( *)(\S)?/.exec(y.text.slice(ls, ls + 200));
      if (m && m[2] !== undefined) {
        indent = m[1]!.length;
        break;
      }
    }
    const value = String(node.value);
    return (offset) => {
      const before = value.slice(0, Math.max(0, offset));
      const lineInValue = before.split("\n").length - 1;
      const col = before.length - (before.lastIndexOf("\n") + 1);
      return { file: y.file, line: firstContentLine + lineInValue, col: indent + col + 1 };
    };
  }
  const source = y.text.slice(start, node.range[1]);
  if (!source.includes("\n")) {
    const quoted = type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE ? 1 : 0;
    const escaped = type === Scalar.QUOTE_DOUBLE ? source.includes("\\") : type === Scalar.QUOTE_SINGLE ? source.includes("''") : false;
    if (!escaped) return (offset) => ({ ...startPos, col: startPos.col + quoted + Math.max(0, offset) });
  }
  return () => startPos;
}
