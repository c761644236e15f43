/**
 * Where GNU time is missing: runs the CLI in this process and writes its peak RSS (KB) to $BENCH_RSS_FILE on exit.
 * argv keeps its shape (`node <this file> <command> …`), so the CLI reads it as usual.
 */
import { writeFileSync } from "node:fs";

const out = process.env.BENCH_RSS_FILE;
process.on("exit", () => {
  if (out) writeFileSync(out, `${process.resourceUsage().maxRSS}\n`);
});
await import("../src/cli/main.js");
