/**
 * An `AccessctlFile` value → YAML text, by the `yaml` package (which quotes whatever needs quoting, so every string
 * reads back as itself), in the quickstart's style: lists of names and rule scopes on one line
 * (`permissions: [billing:read, billing:manage]`, `principal: {in: Group::"sre"}`), everything else in block
 * style, multi-line text as block literals, no line folding. Keys keep the order the value was built in, so the
 * same value always gives the same bytes.
 */
import { Document, isCollection, isMap, isPair, isScalar, isSeq, visit, type Node } from "yaml";
import type { AccessctlFile } from "../desired/file-format.generated.js";

/**
 * Keys whose value is written on one line when it holds only scalars. Condition lists (`when`, `unless`) stay one
 * expression per line: Cedar reads better so, and commas and braces in it would need quoting in a flow list.
 */
const ONE_LINE = new Set(["permissions", "policies", "previousNames", "principal", "action", "resource", "owns", "ignore", "protect"]);

const TO_STRING = { lineWidth: 0, blockQuote: "literal", flowCollectionPadding: false } as const;

/** A list of scalars, or a mapping whose values are scalars or lists of scalars (`{in: [a, b]}`). */
function onlyScalars(node: unknown): boolean {
  const scalarList = (n: unknown): boolean => isSeq(n) && n.items.every(isScalar);
  if (isMap(node)) return node.items.every((pair) => isScalar(pair.value) || scalarList(pair.value));
  return scalarList(node);
}

/**
 * The header mark of the files export writes (the second line, after the modeline): `export --force` replaces or
 * removes a file that carries it, and refuses to touch a YAML file that does not.
 */
export const EXPORT_MARK = "# Written by accessctl export: `accessctl export --force` replaces or removes this file; delete this line to keep it.";
const MARK_PREFIX = "# Written by accessctl export";

/** Whether a file's first or second line is export's header mark. */
export function hasExportMark(text: string): boolean {
  const [first = "", second = ""] = text.split("\n", 2);
  return first.startsWith(MARK_PREFIX) || second.startsWith(MARK_PREFIX);
}

/** The file's text: the `$schema` modeline on the first line (so editors validate it), the mark, then the value. */
export function yamlText(value: AccessctlFile, modeline: string): string {
  // No anchors: a value used twice is written twice, as a person would.
  const doc = new Document(value, { aliasDuplicateObjects: false });
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key)) return;
      const node = pair.value as Node | null;
      if (ONE_LINE.has(String(pair.key.value)) && isCollection(node) && onlyScalars(node)) node.flow = true;
    },
  });
  return `${modeline}\n${EXPORT_MARK}\n${doc.toString(TO_STRING)}`;
}
