/**
 * Appending one array to another without the two traps of the obvious forms: `into = into.concat(items)` in a
 * loop copies everything gathered so far on every round (quadratic: a diff of 5,000 Cedar policies of 30 new rules
 * each took 34 s instead of 1.3 s), and a spread `into.push(...items)` passes every item as an argument, which
 * overflows V8's call stack past about 130,000 values.
 */

/** Appends `items` to `into` in order, one by one: linear, and safe for any number of items. */
export function pushAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}
