/**
 * The `accessctl:` settings block → compiled patterns and thresholds; bad patterns are located inside their string.
 */
import { AddressSyntaxError, compilePattern, type Pattern } from "../address/address.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { RawSettings } from "./build-file.js";
import { DEFAULT_THRESHOLDS, type Settings } from "./types.js";
import { scalarLocator, type YamlFile } from "./yaml-file.js";

export function compileSettings(raw: RawSettings | undefined, y: YamlFile | undefined, loc: Settings["loc"]): { settings: Settings; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const compile = (key: "owns" | "ignore" | "protect"): Pattern[] => {
    const out: Pattern[] = [];
    (raw?.[key] ?? []).forEach((source, i) => {
      try {
        out.push(compilePattern(source));
      } catch (e) {
        if (!(e instanceof AddressSyntaxError) || !y) throw e;
        diagnostics.push(
          diag("bad-pattern", `\`${key}\` pattern ${JSON.stringify(source)}: ${e.message}`, scalarLocator(y, ["accessctl", key, i])(e.column - 1), {
            hint: "patterns are addresses such as `organization/roles/Legacy *`; `*` matches within a segment, `**` across; escape `/`, `*`, `\\` in names as `\\/`, `\\*`, `\\\\`",
          }),
        );
      }
    });
    return out;
  };
  const settings: Settings = {
    owns: compile("owns"),
    ignore: compile("ignore"),
    protect: compile("protect"),
    thresholds: { ...DEFAULT_THRESHOLDS, ...raw?.thresholds },
  };
  if (loc) settings.loc = loc;
  return { settings, diagnostics };
}
