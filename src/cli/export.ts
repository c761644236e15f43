/**
 * `accessctl export <dir>`: write the live state as desired-state files, so that adopting an existing setup is
 * `export`, a review, and a plan that says "No changes". Refuses a non-empty directory without `--force`.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { schemaPath } from "../desired/package-root.js";
import { EXIT } from "../errors/exit-codes.js";
import { UsageError } from "../errors/user-errors.js";
import { exportFiles } from "../export/export-files.js";
import { compileOnly } from "../flow/plan-flow.js";
import { fetchLive } from "../live/fetch-live.js";
import { withSession } from "../session/open-session.js";
import { io as cliIo, type CliContext } from "./context.js";
import { collect, startEmbedded } from "./options.js";
import type { SetExit } from "./program.js";
import { runCommand } from "./report-error.js";

interface ExportOptions {
  force?: boolean;
  only: string[];
  target?: string;
}

export function registerExport(program: Command, ctx: CliContext, exit: SetExit): void {
  program
    .command("export")
    .description("write the live state as desired-state files")
    .argument("<dir>", "directory to write (must be empty unless --force)")
    .option("--force", "write into a non-empty directory (files of the same name are replaced)")
    .option("--only <pattern>", "export only matching addresses (repeatable); the files then own just those", collect, [] as string[])
    .option("--target <target>", "local (embedded emulator) or remote (the URL variables)")
    .action(async (dir: string, opts: ExportOptions) => {
      const io = cliIo(ctx);
      exit(
        await runCommand(io, async () => {
          const only = compileOnly(opts.only);
          const target = resolve(ctx.cwd, dir);
          if (existsSync(target) && readdirSync(target).length > 0 && !opts.force) {
            throw new UsageError(`${dir} is not empty; nothing was written`, "export into a new or empty directory, or pass --force to write into this one");
          }
          const options = { env: ctx.env, cwd: ctx.cwd, need: { rbac: false, cedar: false }, startEmbedded, ...(opts.target === undefined ? {} : { target: opts.target }) };
          const files = await withSession(options, io.err, async (session) => {
            const { rbac, cedar } = session.clients;
            const projects = rbac ? (await rbac.listProjects()).map((p) => p.name) : [];
            const live = await fetchLive(session.clients, {
              ...(rbac ? { organization: true, projects } : {}),
              ...(cedar ? { cedar: true } : {}),
            });
            return exportFiles(live, { schemaFromRoot: relative(target, schemaPath()).split("\\").join("/"), only });
          });
          for (const [rel, text] of files) {
            const path = join(target, rel);
            mkdirSync(dirname(path), { recursive: true });
            writeFileSync(path, text);
            io.err(`wrote ${join(dir, rel)}`);
          }
          io.out(`Exported ${files.size} file(s) to ${dir}. Next: review them, then \`accessctl plan ${dir}\` should say "No changes".`);
          return EXIT.ok;
        }),
      );
    });
}
