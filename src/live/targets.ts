/**
 * Which services a run talks to (docs/services.md#targets), as a pure function of the environment and the flags. URL
 * variables select live services; a key alone never does, so a key left in someone's shell cannot send a laptop
 * run to production. With no URL the run is local: the caller starts the embedded emulator and says so.
 */

export type Env = Readonly<Record<string, string | undefined>>;
export type TargetMode = "local" | "remote";

export interface RbacTarget {
  url: string;
  apiKey: string;
}

export interface CedarTarget {
  url: string;
  apiKey: string;
  tenantId: string;
}

export interface LocalTargets {
  kind: "local";
  /** For stderr: what the caller should tell the user besides "using the embedded emulator". */
  notices: string[];
}

export interface RemoteTargets {
  kind: "remote";
  rbac?: RbacTarget;
  cedar?: CedarTarget;
  notices: string[];
}

export type Targets = LocalTargets | RemoteTargets;

/** A usage error (exit 1): what is wrong, and what to do next. */
export interface TargetError {
  kind: "error";
  message: string;
  hint: string;
}

export const TARGET_VARS = {
  rbacUrl: "ACCESSCTL_RBAC_URL",
  rbacKey: "CONFIDENT_API_KEY",
  cedarUrl: "ACCESSCTL_CEDAR_URL",
  cedarKey: "ACCESSCTL_CEDAR_API_KEY",
  cedarTenant: "ACCESSCTL_CEDAR_TENANT_ID",
} as const;

const V = TARGET_VARS;
const SET_RBAC = `${V.rbacUrl} and ${V.rbacKey}`;
const SET_CEDAR = `${V.cedarUrl}, ${V.cedarKey} and ${V.cedarTenant}`;

export function resolveTargets(env: Env, flags: { target?: string }): Targets | TargetError {
  const flag = flags.target;
  if (flag !== undefined && flag !== "local" && flag !== "remote") {
    return error(`--target must be "local" or "remote", not "${flag}"`, "Use --target local (the embedded emulator) or --target remote.");
  }
  const rbacUrl = read(env, V.rbacUrl);
  const cedarUrl = read(env, V.cedarUrl);

  if (flag === "local") {
    const ignored: string[] = [];
    if (rbacUrl !== undefined) ignored.push(V.rbacUrl);
    if (cedarUrl !== undefined) ignored.push(V.cedarUrl);
    const notices = ignored.length === 0 ? [] : [`--target local: ignoring ${ignored.join(" and ")}.`];
    return { kind: "local", notices };
  }

  if (rbacUrl === undefined && cedarUrl === undefined) {
    if (flag === "remote") {
      return error("--target remote, but no target is configured.", `Set ${SET_RBAC}, and/or ${SET_CEDAR}.`);
    }
    const ci = ciVariable(env);
    if (ci !== undefined) {
      return error(
        `No target is configured, and ${ci} is set: a CI run never falls back to the embedded emulator silently.`,
        `Set ${SET_RBAC}, and/or ${SET_CEDAR} (from secrets); or pass --target local to run against the embedded emulator.`,
      );
    }
    const notices: string[] = [];
    for (const [key, url] of [
      [V.rbacKey, V.rbacUrl],
      [V.cedarKey, V.cedarUrl],
    ] as const) {
      if (read(env, key) !== undefined) {
        notices.push(`${key} is set but ${url} is not: a key alone never selects a live service.`);
      }
    }
    return { kind: "local", notices };
  }

  const missing: string[] = [];
  const problems: string[] = [];
  const notices: string[] = [];
  const targets: RemoteTargets = { kind: "remote", notices };
  if (rbacUrl !== undefined) {
    const apiKey = read(env, V.rbacKey);
    if (apiKey === undefined) missing.push(V.rbacKey);
    const url = checkUrl(V.rbacUrl, rbacUrl, problems, notices);
    if (apiKey !== undefined && url !== undefined) targets.rbac = { url, apiKey };
  }
  if (cedarUrl !== undefined) {
    const apiKey = read(env, V.cedarKey);
    const tenantId = read(env, V.cedarTenant);
    if (apiKey === undefined) missing.push(V.cedarKey);
    if (tenantId === undefined) missing.push(V.cedarTenant);
    const url = checkUrl(V.cedarUrl, cedarUrl, problems, notices);
    if (apiKey !== undefined && tenantId !== undefined && url !== undefined) targets.cedar = { url, apiKey, tenantId };
  }
  if (missing.length > 0) {
    const which = missing.length === 1 ? `${missing[0]} is` : `${missing.join(" and ")} are`;
    problems.unshift(`${which} not set, but the URL ${missing.length === 1 ? "that needs it" : "that needs them"} is.`);
  }
  if (problems.length > 0) {
    return error(
      problems.join(" "),
      `Set the missing variables (a URL always comes with its key${missing.includes(V.cedarTenant) ? " and tenant" : ""}), or unset the URL to run against the embedded emulator.`,
    );
  }
  return targets;
}

/**
 * With one target configured, files that manage the other API are an error, not a skip: the emulator stands in
 * only when no URL is set at all.
 */
export function requireTargets(targets: Targets, need: { rbac: boolean; cedar: boolean }): TargetError | undefined {
  if (targets.kind === "local") return undefined;
  if (need.rbac && targets.rbac === undefined) {
    return error(
      `The files manage organization or project access, but no RBAC target is configured (${V.rbacUrl} is not set).`,
      `Set ${SET_RBAC}. The embedded emulator stands in only when no URL is set at all.`,
    );
  }
  if (need.cedar && targets.cedar === undefined) {
    return error(
      `The files manage Cedar policies, but no Cedar target is configured (${V.cedarUrl} is not set).`,
      `Set ${SET_CEDAR}. The embedded emulator stands in only when no URL is set at all.`,
    );
  }
  return undefined;
}

/** A target key set in the environment. */
export interface KeyValue {
  /** The variable that holds it, e.g. `CONFIDENT_API_KEY`. */
  name: string;
  value: string;
}

/** The target keys set in the environment (non-empty, trimmed as the targets read them), whether a URL selects them or not. */
export function keysFromEnv(env: Env): KeyValue[] {
  const out: KeyValue[] = [];
  for (const name of [V.rbacKey, V.cedarKey]) {
    const value = read(env, name);
    if (value !== undefined) out.push({ name, value });
  }
  return out;
}

/**
 * Every key in the environment, configured or not, for `redact`: a key that selects nothing must not leak either.
 */
export function secretsFromEnv(env: Env): string[] {
  return keysFromEnv(env).map((k) => k.value);
}

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** The CI variable that is on (`true` or `1`, any case), if any. */
function ciVariable(env: Env): string | undefined {
  for (const name of ["CI", "GITHUB_ACTIONS"]) {
    const value = read(env, name)?.toLowerCase();
    if (value === "true" || value === "1") return `${name}=${env[name]}`;
  }
  return undefined;
}

function checkUrl(name: string, value: string, problems: string[], notices: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name} is not a URL: "${value}".`);
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push(`${name} must be an http(s) URL, not ${url.protocol}.`);
    return undefined;
  }
  if (url.username !== "" || url.password !== "") {
    // Credentials in a URL end up in logs; the key has its own variable.
    problems.push(`${name} must not carry credentials; put the key in its own variable.`);
    return undefined;
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    notices.push(`${name} uses plain http: the key travels unencrypted to ${url.host}.`);
  }
  return value.replace(/\/+$/, "");
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function error(message: string, hint: string): TargetError {
  return { kind: "error", message, hint };
}
