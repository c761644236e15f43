/**
 * `${env:NAME}` in any string is replaced from the environment; an unset variable is an error at its place.
 * `$${` stands for a literal `${`. The files as written are kept elsewhere (DesiredState.sources), so plan files
 * never hold the replaced values.
 *
 * Keys are never interpolated (SPEC section 1, "Variables"): after replacement, a string that contains the value
 * of a configured target key is an error reported by its place and the variable's name, never the value.
 */
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { keysFromEnv, type KeyValue } from "../live/targets.js";
import { positionOf, scalarLocator, type PathItem, type YamlFile } from "./yaml-file.js";

export type { KeyValue };

const PATTERN = /\$(\$?)\{([^}]*)\}/g;

/** The key whose value `text` contains, if any. */
export function keyIn(text: string, keys: readonly KeyValue[]): KeyValue | undefined {
  return keys.find((k) => text.includes(k.value));
}

/**
 * Live or desired text → the text a file must hold so that `interpolate` gives it back unchanged: each `${…}` and
 * `$${…}` the replacement would act on gets one more `$` (the loader turns `$${…}` back into `${…}`). Text the
 * pattern does not match (a `${` without a closing `}`) is left as it is, since the loader leaves it too.
 */
export function escapeInterpolation(text: string): string {
  return text.includes("${") ? text.replace(PATTERN, (whole) => `$${whole}`) : text;
}

export function interpolate(y: YamlFile, env: Readonly<Record<string, string | undefined>>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const keys = keysFromEnv(env);
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
  const checked = (s: string, path: PathItem[]): string => {
    const key = keys.length === 0 ? undefined : keyIn(s, keys);
    if (key) {
      diagnostics.push(
        diag("key-in-value", `this value contains the value of ${key.name}: a key is never written to the service`, positionOf(y, path), {
          hint: `remove the key (and the \`\${env:…}\` that brings it) from the files; if it was ever pushed, rotate ${key.name}`,
        }),
      );
    }
    return s;
  };
  const walk = (v: unknown, path: PathItem[]): unknown => {
    if (typeof v === "string") return checked(replaceIn(v, path), path);
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
