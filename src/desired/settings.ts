/**
 * The `accessctl:` settings block → compiled patterns and thresholds. A bad pattern is located inside its string,
 * with a hint showing the address form (`Manage*` → `organization/roles/Manage*`). Each compiled pattern keeps its
 * place, so that a pattern matching nothing can be warned about there (plan/unmatched-patterns.ts).
 */
import { AddressSyntaxError, compilePattern } from "../address/address.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { RawSettings } from "./build-file.js";
import { DEFAULT_THRESHOLDS, type SettingsPattern, type Settings } from "./types.js";
import { positionOf, scalarLocator, type YamlFile } from "./yaml-file.js";

const GENERIC_HINT =
  "patterns are addresses such as `organization/roles/Legacy *`; names are case-sensitive; `*` matches within a segment, `**` across; escape `/`, `*`, `\\` in names as `\\/`, `\\*`, `\\\\`";

export function compileSettings(raw: RawSettings | undefined, y: YamlFile | undefined, loc: Settings["loc"]): { settings: Settings; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const compile = (key: "owns" | "ignore" | "protect"): SettingsPattern[] => {
    const out: SettingsPattern[] = [];
    (raw?.[key] ?? []).forEach((source, i) => {
      try {
        const pattern: SettingsPattern = compilePattern(source);
        if (y) pattern.loc = positionOf(y, ["accessctl", key, i]);
        out.push(pattern);
      } catch (e) {
        if (!(e instanceof AddressSyntaxError) || !y) throw e;
        diagnostics.push(
          diag("bad-pattern", `\`${key}\` pattern ${JSON.stringify(source)}: ${e.message}`, scalarLocator(y, ["accessctl", key, i])(e.column - 1), {
            hint: e.hint === undefined ? GENERIC_HINT : `${e.hint}`,
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
