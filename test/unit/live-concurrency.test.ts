import { describe, expect, it } from "vitest";
import { AdaptiveLimiter, type Slot } from "../../src/live/concurrency.js";

const tick = () => new Promise((r) => setImmediate(r));

describe("AdaptiveLimiter", () => {
  it("admits at most `max` at once, first come first served", async () => {
    const limiter = new AdaptiveLimiter({ max: 3 });
    const order: number[] = [];
    const slots: Slot[] = [];
    for (let i = 0; i < 5; i++) void limiter.acquire().then((s) => (order.push(i), slots.push(s)));
    await tick();
    expect(limiter.inFlight).toBe(3);
    expect(limiter.waiting).toBe(2);
    slots[0]?.release();
    slots[0]?.release(); // twice is harmless
    await tick();
    expect(order).toEqual([0, 1, 2, 3]);
    expect(limiter.inFlight).toBe(3);
  });

  it("halves once per burst of 429s, down to min, and grows back by about one per window", async () => {
    const limiter = new AdaptiveLimiter({ max: 8 });
    const burst = await Promise.all(Array.from({ length: 8 }, () => limiter.acquire()));
    for (const s of burst) limiter.rateLimited(s); // all started under the same limit: one decrease
    expect(limiter.limit).toBe(4);
    for (const s of burst) s.release();
    const second = await limiter.acquire();
    limiter.rateLimited(second);
    expect(limiter.limit).toBe(2);
    second.release();
    for (let i = 0; i < 5; i++) {
      const s = await limiter.acquire();
      limiter.rateLimited(s);
      s.release();
    }
    expect(limiter.limit).toBe(1);
    const seen = [limiter.limit];
    for (let i = 0; i < 60; i++) {
      limiter.succeeded();
      if (seen.at(-1) !== limiter.limit) seen.push(limiter.limit);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    limiter.succeeded();
    expect(limiter.limit).toBe(8);
  });

  it("holds new starts while a Retry-After pause lasts", async () => {
    let clock = 0;
    const sleeps: number[] = [];
    const limiter = new AdaptiveLimiter({
      max: 4,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    const s = await limiter.acquire();
    limiter.rateLimited(s, 1500);
    s.release();
    const started: number[] = [];
    await Promise.all([1, 2].map(async (i) => (await limiter.acquire(), started.push(clock), i)));
    expect(sleeps).toEqual([1500]);
    expect(started).toEqual([1500, 1500]);
  });

  it("rejects a nonsensical maximum", () => {
    expect(() => new AdaptiveLimiter({ max: 0 })).toThrow(RangeError);
  });
});
