/**
 * Flags that bound or aim the live session, checked before anything is read: a timeout below 1 ms (which the HTTP
 * stack would refuse, surfacing as a wrong "stopped answering") is a usage error with a hint, from `--timeout` as
 * from ACCESSCTL_TIMEOUT; and `explain` refuses `--target` / `--timeout` without `--live` instead of ignoring them.
 */
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

const REQUEST = ['User::"alice"', "view", 'Doc::"d1"'];

describe("a request timeout below 1 ms", () => {
  it("plan --timeout 0.0001: exit 1, saying the shortest timeout and how to write one", async () => {
    const r = await runCli(["plan", ".", "--timeout", "0.0001"], { cwd: tempDir("examples/quickstart") });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("expected a number of seconds of at least 0.001 (1 ms, the shortest timeout), e.g. --timeout 30");
    expect(r.stderr).not.toContain("this is a bug");
  });

  it("ACCESSCTL_TIMEOUT=0.0001: exit 1 with a hint, before any session is opened", async () => {
    const r = await runCli(["plan", "."], { cwd: tempDir("examples/quickstart"), env: { ACCESSCTL_TIMEOUT: "0.0001" } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('ACCESSCTL_TIMEOUT="0.0001" is not a number of seconds of at least 0.001');
    expect(r.stderr).toContain("hint: set it to the request timeout in seconds");
    expect(r.stderr).not.toContain("embedded emulator");
  });

  it("export --timeout 0.0001 and apply --timeout 0.0001 are refused the same way", async () => {
    for (const args of [["export", "out"], ["apply", ".", "--yes"]]) {
      const r = await runCli([...args, "--timeout", "0.0001"], { cwd: tempDir("examples/quickstart") });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain("at least 0.001");
    }
  });
});

describe("explain without --live", () => {
  it.each([
    ["--target", "local"],
    ["--timeout", "5"],
  ])("%s is a usage error with a hint, not ignored", async (flag, value) => {
    const r = await runCli(["explain", ".", ...REQUEST, flag, value], { cwd: tempDir("examples/quickstart") });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("--target and --timeout only apply with --live");
    expect(r.stderr).toContain("hint: add --live");
    expect(r.stdout).toBe("");
  });
});
