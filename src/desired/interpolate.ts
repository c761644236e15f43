/**
 * `${env:NAME}` in any string is replaced from the environment; an unset variable is an error at its place.
 * `$${` stands for a literal `${`. The files as written are kept elsewhere (DesiredState.sources), so plan files
 * never hold the replaced values.
 */
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { scalarLocator, type PathItem, type YamlFile } from "./yaml-file.js";

const PATTERN = /\$(\$?)\{([^}]*)\}/g;

export function interpolate(y: YamlFile, env: Readonly<Record<string, string | undefined>>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const replaceIn = (s: string, path: PathItem[]): string => {
    if (!s.includes("${")) return s;
    return s.replace(PATTERN, (whole, escape: string, inner: string, offset: number) => {
      if (escape) return whole.slice(1);
      const m = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner);
      const at = scalarLocator(y, path)(offset);
      if (!m) {
        diagnostics.push(
          diag("variable-syntax", `\`${whole}\` is not a variable reference`, at, {
            hint: "write `${env:NAME}` to read the environment variable NAME, or `$${…}` for a literal `${…}`",
          }),
        );
        return whole;
      }
      const value = env[m[1]!];
      if (value === undefined) {
        diagnostics.push(
          diag("variable-unset", `environment variable ${m[1]} is not set`, at, {
            hint: `set ${m[1]} in the environment (for CI, as a secret or variable), or remove the reference`,
          }),
        );
        return whole;
      }
      return value;
    });
  };
  const walk = (v: unknown, path: PathItem[]): unknown => {
    if (typeof v === "string") return replaceIn(v, path);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = walk(v[i], [...path, i]);
      return v;
    }
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) o[k] = walk(o[k], [...path, k]);
      return o;
    }
    return v;
  };
  y.value = walk(y.value, []);
  return diagnostics;
}
