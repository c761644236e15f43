/**
 * "Still working" lines (issue 14): while a long read or write is under way, stderr gets a line whenever it has
 * been quiet for the interval — and none while the command itself is talking.
 */
import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { io as cliIo } from "../../src/cli/context.js";
import { requestsLine, withHeartbeat } from "../../src/cli/heartbeat.js";

function capture() {
  const stderr = new PassThrough();
  let text = "";
  stderr.setEncoding("utf8").on("data", (d: string) => (text += d));
  const io = cliIo({ stdout: new PassThrough(), stderr, stdin: Readable.from([""]), env: { NO_COLOR: "1" }, cwd: "." });
  return { io, text: () => text };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("withHeartbeat", () => {
  it("says what is going on while the work is silent, at the interval", async () => {
    const { io, text } = capture();
    let answered = 0;
    await withHeartbeat(io, () => requestsLine({ ended: answered, waiting: 3, longestMs: 2_400 }), async () => {
      await sleep(650);
      answered = 12;
      await sleep(650);
    }, 300);
    const lines = text().trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/^… 0 request\(s\) answered, 3 waiting \(the longest for 2 s\) \(0 s\)$/);
    expect(lines.at(-1)).toMatch(/^… 12 request\(s\) answered, 3 waiting/);
  });

  it("stays quiet while the command writes its own lines, and stops with the work", async () => {
    const { io, text } = capture();
    await withHeartbeat(io, () => "working", async () => {
      for (let i = 0; i < 8; i++) {
        io.err(`progress ${i}`);
        await sleep(100);
      }
    }, 300);
    expect(text()).not.toContain("working");
    const before = text();
    await sleep(400);
    expect(text()).toBe(before);
  });
});
