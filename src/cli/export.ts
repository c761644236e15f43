/**
 * `accessctl export <dir>`: write the live state as desired-state files, so that adopting an existing setup is
 * `export`, a review, and a plan that says "No changes". Refuses a non-empty directory without `--force`.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { schemaPath } from "../desired/package-root.js";
import { EXIT } from "../errors/exit-codes.js";
import { onFile } from "../errors/file-errors.js";
import { UsageError } from "../errors/user-errors.js";
import { keysFromEnv } from "../live/targets.js";
import { checkExport, exportFiles } from "../export/export-files.js";
import { removeFiles, scanPreviousExport } from "../export/previous-export.js";
import { compileOnly, inSession } from "../flow/plan-flow.js";
import { fetchLive } from "../live/fetch-live.js";
import { io as cliIo, type CliContext } from "./context.js";
import { collect, PATTERN_HELP, sessionRequest, timeoutSeconds, type TargetFlags } from "./options.js";
import type { SetExit } from "./program.js";
import { requestsLine, withHeartbeat } from "./heartbeat.js";
import { runCommand } from "./report-error.js";

interface ExportOptions extends TargetFlags {
  force?: boolean;
  only: string[];
}

const EXPORT_NEEDS = { rbac: false, cedar: false };

export function registerExport(program: Command, ctx: CliContext, exit: SetExit): void {
  program
    .command("export")
    .description("write the live state as desired-state files")
    .argument("<dir>", "directory to write (must be empty unless --force)")
    .option("--force", "write into a non-empty directory (files of the same name are replaced)")
    .option("--only <pattern>", "export only matching addresses (repeatable); the files then own just those", collect, [] as string[])
    .option("--target <target>", "local (embedded emulator) or remote (the URL variables)")
    .option("--timeout <seconds>", "give up on a request after this long with nothing received (default 30, or ACCESSCTL_TIMEOUT)", timeoutSeconds)
    .addHelpText("after", PATTERN_HELP)
    .action(async (dir: string, opts: ExportOptions) => {
      const io = cliIo(ctx);
      exit(
        await runCommand(io, async () => {
          const only = compileOnly(opts.only);
          const target = resolve(ctx.cwd, dir);
          if (existsSync(target) && onFile(dir, "read the export directory", () => readdirSync(target)).length > 0 && !opts.force) {
            throw new UsageError(`${dir} is not empty; nothing was written`, "export into a new or empty directory, or pass --force to write into this one");
          }
          // No API is required: export reads whichever the targets reach. As for plan, the first signal abandons the reads.
          const result = await inSession(EXPORT_NEEDS, sessionRequest(io, opts), (session) => withHeartbeat(io, () => `reading the live state: ${requestsLine(session.activity())}`, async () => {
            const { rbac, cedar } = session.clients;
            const live = await fetchLive(session.clients, {
              ...(rbac ? { organization: true, projects: "all" as const } : {}),
              ...(cedar ? { cedar: true } : {}),
            });
            return exportFiles(live, { schemaFromRoot: relative(target, schemaPath()).split("\\").join("/"), only, keys: keysFromEnv(ctx.env) });
          }));
          const files = checkExport(result, dir);
          // --force replaces export's own earlier output (marked files) and refuses to touch other YAML files.
          const previous = opts.force && existsSync(target) ? onFile(dir, "read the export directory", () => scanPreviousExport(target, new Set(files.keys()))) : undefined;
          if (previous && previous.foreign.length > 0) {
            throw new UsageError(
              `${dir} holds YAML files that export did not write: ${previous.foreign.map((f) => join(dir, f)).join(", ")}; nothing was written`,
              "export --force replaces only files carrying its header mark: move those files away (or export into a new directory)",
            );
          }
          for (const [rel, text] of files) {
            const path = join(target, rel);
            onFile(join(dir, rel), "write", () => {
              mkdirSync(dirname(path), { recursive: true });
              writeFileSync(path, text);
            });
            io.err(`wrote ${join(dir, rel)}`);
          }
          const removed = previous ? [...previous.stale, ...previous.referenced] : [];
          onFile(dir, "remove earlier exported files from", () => removeFiles(target, removed));
          for (const rel of removed) io.err(`removed ${join(dir, rel)} (written by an earlier export; no longer in the live state${only.length > 0 ? " or --only" : ""})`);
          io.out(`Exported ${files.size} file(s) to ${dir}${removed.length > 0 ? `, removed ${removed.length} earlier file(s)` : ""}. Next: review them, then \`accessctl plan ${dir}${only.length > 0 ? opts.only.map((o) => ` --only '${o}'`).join("") : ""}\` should say "No changes".`);
          return EXIT.ok;
        }),
      );
    });
}
