/**
 * Where GNU time is missing: runs the CLI in this process and writes its peak RSS (KB) and CPU
 * seconds to $BENCH_RSS_FILE on exit.
 * argv keeps its shape (`node <this file> <command> …`), so the CLI reads it as usual.
 */
import { writeFileSync } from "node:fs";

const out = process.env.BENCH_RSS_FILE;
process.on("exit", () => {
  const u = process.resourceUsage();
  // The shape GNU time's `-f "%M %U %S"` gives: KB, user seconds, system seconds.
  if (out) writeFileSync(out, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\n`);
});
await import("../src/cli/main.js");
