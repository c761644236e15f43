/**
 * The engine reports source locations as UTF-8 byte offsets into the text it was given; everything else in
 * accessctl (diagnostics, locators, editors) counts UTF-16 code units. These helpers translate.
 */
import type { DetailedError } from "./engine.js";

/** The UTF-16 index in `text` of the UTF-8 byte offset `byteOffset` (clamped to the text). */
export function utf8ToUtf16Offset(text: string, byteOffset: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const c = text.codePointAt(i) ?? 0;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    i += c >= 0x10000 ? 2 : 1;
  }
  return i;
}

export interface Span {
  start: number;
  end: number;
}

/** The first source location of an engine error, as UTF-16 offsets into `text`. */
export function errorSpan(error: DetailedError, text: string): Span | undefined {
  const loc = error.sourceLocations?.[0];
  if (!loc) return undefined;
  return { start: utf8ToUtf16Offset(text, loc.start), end: utf8ToUtf16Offset(text, loc.end) };
}
