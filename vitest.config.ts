import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default on two cores is one worker; most suites wait on loopback HTTP, so three keep both cores busy.
    maxWorkers: 3,
    // The JSON report feeds the closing `N passed, N failed` line of .ci/run.
    reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]],
  },
});
