/**
 * One YAML file parsed with positions. Values are read with `toJS()`; places are looked up by path on the
 * document's nodes, so every diagnostic can name `file:line:col`.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, type Document, type Node } from "yaml";
import { diag, type Diagnostic, type SourcePosition } from "../diagnostics/diagnostic.js";
import { LineIndex } from "./line-index.js";
import { flowScalarOffsets } from "./scalar-offsets.js";
import { ACCESSCTL_FILE_KEYS } from "./file-format.generated.js";
import { closest } from "./near-miss.js";

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
  if (!Array.isArray(docs) || docs.length === 0) {
    // An empty stream, or only comments: no document at all.
    return { diagnostics: [notAccessctl(lines.position(0))] };
  }
  for (const d of docs) {
    for (const e of [...d.errors, ...d.warnings]) {
      const quote = /Missing closing (["'])quote/.exec(e.message)?.[1];
      const at = quote ? (openingQuote(text, quote, e.pos[0]) ?? e.pos[0]) : e.pos[0];
      diagnostics.push(
        diag("yaml-syntax", `YAML: ${firstLine(e.message)}`, lines.position(at), {
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
  if (doc.contents === null) return { diagnostics: [notAccessctl(lines.position(0))] };
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  // A YAML file of some other tool (docker-compose, a workflow…) is said to be that, not as a list of unknown keys.
  // (A near-miss such as `organisation` is an accessctl file with a typo: the schema check says "did you mean".)
  if (value && typeof value === "object" && !Array.isArray(value) && !Object.keys(value).some((k) => ACCESSCTL_KEYS.has(k) || closest(k, [...ACCESSCTL_KEYS]))) {
    return { diagnostics: [notAccessctl(lines.position(0))] };
  }
  return { parsed: { file, text, lines, doc, value }, diagnostics };
}

const ACCESSCTL_KEYS: ReadonlySet<string> = new Set(ACCESSCTL_FILE_KEYS);

/** `organization, projects, cedar or accessctl`. */
const KEY_LIST = `${ACCESSCTL_FILE_KEYS.slice(0, -1).join(", ")} or ${ACCESSCTL_FILE_KEYS[ACCESSCTL_FILE_KEYS.length - 1]}`;

/**
 * The file is not an accessctl file: nothing in it, another tool's YAML (both found here), or an empty mapping (found
 * by the schema check, schema-check.ts).
 */
export function notAccessctl(at: SourcePosition): Diagnostic {
  return diag("not-accessctl", `this YAML file holds no accessctl key (${KEY_LIST})`, at, {
    hint: "every YAML file in the directory is read as an accessctl file: add content, or move the file out of the directory",
  });
}

/**
 * The parser notices an unclosed quote only at the end of the file; the mistake is where the quote opened: the
 * last quote of the first line (before `end`) on which that quote character stands an odd number of times.
 */
function openingQuote(text: string, quote: string, end: number): number | undefined {
  let lineStart = 0;
  while (lineStart < end) {
    const nl = text.indexOf("\n", lineStart);
    const lineEnd = nl < 0 || nl > end ? end : nl;
    const line = text.slice(lineStart, lineEnd);
    const hash = line.search(/(^|\s)#/);
    const code = hash >= 0 && !line.slice(0, hash).includes(quote) ? line.slice(0, hash) : line;
    const count = code.split(quote).length - 1 - (quote === '"' ? (code.match(/\\"/g) ?? []).length : 0);
    if (count % 2 === 1) return lineStart + code.lastIndexOf(quote);
    lineStart = lineEnd + 1;
  }
  return undefined;
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
  const style = type === Scalar.QUOTE_DOUBLE ? "double" : type === Scalar.QUOTE_SINGLE ? "single" : type === Scalar.PLAIN ? "plain" : undefined;
  if (style) {
    const offsets = flowScalarOffsets(source.trimEnd(), start, style);
    // Only trust the map when it reproduces the value's length (it always should; a mismatch means a YAML
    // subtlety it does not model, and the scalar's start is then the honest answer).
    if (offsets.length === String(node.value).length + 1) {
      return (offset) => y.lines.position(offsets[Math.max(0, Math.min(offset, offsets.length - 1))]!);
    }
  }
  return () => startPos;
}

/**
 * A handle on a file's parsed document that does not keep the document alive. Locators live as long as the
 * desired state (200,000 rules), while a parsed document is many times the size of its text: holding every
 * document makes each garbage collection walk them all. The handle keeps the file's name and text (the text is
 * kept anyway, as a source) and parses again on demand — only to place a problem, which is rare — with the last
 * few documents cached.
 */
export type YamlFileRef = () => YamlFile;

const REPARSED = new Map<string, YamlFile>();
const REPARSED_MAX = 4;

export function yamlFileRef(y: YamlFile): YamlFileRef {
  const { file, text } = y;
  return () => {
    const key = `${file}\0${text.length}`;
    const cached = REPARSED.get(key);
    if (cached && cached.text === text) return cached;
    const { parsed } = parseYamlFile(file, text);
    if (!parsed) throw new Error(`internal error: ${file} no longer parses`);
    if (REPARSED.size >= REPARSED_MAX) REPARSED.delete(REPARSED.keys().next().value!);
    REPARSED.set(key, parsed);
    return parsed;
  };
}

/** `scalarLocator` through a handle: nothing is parsed or computed until an offset is placed. */
export function lazyScalarLocator(ref: YamlFileRef, path: readonly PathItem[]): (offset: number) => SourcePosition {
  let locate: ((offset: number) => SourcePosition) | undefined;
  return (offset) => (locate ??= scalarLocator(ref(), path))(offset);
}
