/**
 * Structural equality of plain data (JSON-like values: objects compared by their own keys, arrays in order),
 * from `fast-deep-equal`. A key set to `undefined` counts as present: build compared values the same way.
 *
 * `fast-deep-equal` is CommonJS (`module.exports = equal`): from ESM, Node and esbuild both expose it as the
 * namespace's `default`, which its typings (`export =`) cannot say without `esModuleInterop`.
 */
import * as fastDeepEqual from "fast-deep-equal";

export const deepEqual = (fastDeepEqual as unknown as { default: (a: unknown, b: unknown) => boolean }).default;
