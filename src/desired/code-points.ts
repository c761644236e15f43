/**
 * A string's length in Unicode code points, as JSON Schema's `maxLength` counts it (a surrogate pair is one
 * character, a lone surrogate one too). The services' name limit is counted this way: by the schema's validator
 * (schema-validator.generated.ts imports it), its messages, and the emulator.
 */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
