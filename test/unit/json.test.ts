/** The two JSON helpers outside any domain: stable text (for hashes) and structural equality (for comparing). */
import { describe, expect, it } from "vitest";
import { deepEqual } from "../../src/json/deep-equal.js";
import { stableJson } from "../../src/json/stable-json.js";

describe("deepEqual (fast-deep-equal, loaded from ESM)", () => {
  it("is the library's function", () => {
    expect(typeof deepEqual).toBe("function");
  });

  it("compares objects by their keys, whatever their order, and arrays in order", () => {
    expect(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: null }, { a: null })).toBe(true);
    expect(deepEqual(null, { a: 1 })).toBe(false);
  });

  it("agrees with stableJson on plain JSON values", () => {
    const a = { kind: "cedar-rule", policy: "p", ordinal: 2 };
    const b = { ordinal: 2, kind: "cedar-rule", policy: "p" };
    expect(deepEqual(a, b)).toBe(stableJson(a) === stableJson(b));
    expect(deepEqual(a, { ...b, ordinal: 3 })).toBe(false);
  });
});
