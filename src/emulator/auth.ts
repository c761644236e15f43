/**
 * Key checks in constant time: both sides are hashed first, so timingSafeEqual always compares equal lengths
 * and the comparison leaks neither the key nor its length.
 */

import { createHash, timingSafeEqual } from "node:crypto";

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

export class KeyCheck {
  private readonly expected: Buffer;
  constructor(key: string) {
    this.expected = digest(key);
  }
  matches(given: string | string[] | undefined): boolean {
    if (typeof given !== "string") return false;
    return timingSafeEqual(digest(given), this.expected);
  }
}
