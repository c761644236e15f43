/**
 * Splits a `.cedar` file into its statements (for `rules: { file: x.cedar }`), keeping where each one starts
 * and ends so that an engine error inside a statement maps back to the file. Lexing first means a `;` inside
 * a string or a `//` comment never ends a statement.
 */
import { lex } from "./lexer.js";

export interface Statement {
  /** The statement from its first token (annotations included) to its `;`, inclusive. */
  text: string;
  /** UTF-16 offsets into the file: `fileText.slice(start, end) === text`. */
  start: number;
  end: number;
}

/**
 * Every statement of the file, in order. Comments between statements belong to none. Text after the last `;`
 * that is not a comment becomes a final statement without `;`, so the parser reports it where it is instead
 * of it vanishing.
 */
export function splitStatements(fileText: string): Statement[] {
  const statements: Statement[] = [];
  let start: number | undefined;
  let lastEnd = 0;
  for (const t of lex(fileText)) {
    if (t.kind === "comment") continue;
    start ??= t.start;
    lastEnd = t.end;
    if (t.kind === "punct" && t.text === ";") {
      statements.push({ text: fileText.slice(start, t.end), start, end: t.end });
      start = undefined;
    }
  }
  if (start !== undefined) statements.push({ text: fileText.slice(start, lastEnd), start, end: lastEnd });
  return statements;
}
