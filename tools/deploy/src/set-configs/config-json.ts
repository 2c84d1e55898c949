// The config.json contract of Kolla images: its types and a validating parser.
// Node built-ins only: this code is bundled into kolla_set_configs, which runs
// inside the images without node_modules.

/** Where the config.json of a container always is (never configurable: see CVE-2022-38060). */
export const CONFIG_JSON = '/var/lib/kolla/config_files/config.json';
/** Where the command of config.json is written for kolla_start. */
export const RUN_COMMAND = '/run_command';
/** Marker of a container configured once under COPY_ONCE. */
export const CONFIGURED = '/configured';

export type Strategy = 'COPY_ALWAYS' | 'COPY_ONCE';

/** One `config_files` entry: copy `source` (a glob) to `dest`. */
export interface ConfigFile {
  source: string;
  dest: string;
  /** `user` or `user:group`, names only; required unless preserve_properties. */
  owner?: string;
  /** File mode, already parsed from "0600" / "0o600"; required unless preserve_properties. */
  perm?: number;
  optional: boolean;
  /** Merge a source directory into an existing dest directory instead of replacing it. */
  merge: boolean;
  /** Keep the source's owner and mode instead of owner/perm. */
  preserve_properties: boolean;
}

/** One `permissions` entry: chown/chmod `path` (a glob) after copying. */
export interface Permission {
  path: string;
  owner: string;
  perm?: number;
  recurse: boolean;
  /** Regular expressions of paths left alone while recursing. */
  exclude: RegExp[];
}

export interface ConfigJson {
  command: string;
  config_files: ConfigFile[];
  permissions: Permission[];
}

/** A config.json that cannot be applied; the message names the file and the key. */
export class ConfigJsonError extends Error {
  override name = 'ConfigJsonError';
}

/** Parses "0600", "600", "0o640" (Kolla reads perm with int(perm, 8)). */
export function parsePerm(value: unknown, where: string): number {
  if (typeof value !== 'string') throw new ConfigJsonError(`${where}: perm must be a string such as "0600", got ${JSON.stringify(value)}`);
  const m = /^(?:0o|0)?([0-7]{1,4})$/i.exec(value.trim());
  if (!m?.[1]) throw new ConfigJsonError(`${where}: perm ${JSON.stringify(value)} is not an octal mode such as "0600"`);
  return parseInt(m[1], 8);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(obj: Record<string, unknown>, key: string, where: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) throw new ConfigJsonError(`${where}: "${key}" is required`);
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigJsonError(`${where}: "${key}" must be a non-empty string`);
  return v;
}

function flag(obj: Record<string, unknown>, key: string, where: string): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new ConfigJsonError(`${where}: "${key}" must be true or false`);
  return v;
}

function owner(value: string, where: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?$/.test(value)) {
    throw new ConfigJsonError(`${where}: owner ${JSON.stringify(value)} must be "user" or "user:group" (names)`);
  }
  return value;
}

function unknownKeys(obj: Record<string, unknown>, known: string[], where: string): void {
  const extra = Object.keys(obj).filter((k) => !known.includes(k));
  if (extra.length) throw new ConfigJsonError(`${where}: unknown key(s) ${extra.map((k) => `"${k}"`).join(', ')}`);
}

function parseConfigFile(raw: unknown, where: string): ConfigFile {
  if (!isRecord(raw)) throw new ConfigJsonError(`${where}: must be an object`);
  unknownKeys(raw, ['source', 'dest', 'owner', 'perm', 'optional', 'merge', 'preserve_properties'], where);
  const preserve = flag(raw, 'preserve_properties', where);
  const entry: ConfigFile = {
    source: str(raw, 'source', where, true) as string,
    dest: str(raw, 'dest', where, true) as string,
    optional: flag(raw, 'optional', where),
    merge: flag(raw, 'merge', where),
    preserve_properties: preserve,
  };
  const o = str(raw, 'owner', where, !preserve);
  if (o !== undefined) entry.owner = owner(o, where);
  if (raw['perm'] !== undefined) entry.perm = parsePerm(raw['perm'], where);
  else if (!preserve) throw new ConfigJsonError(`${where}: "perm" is required unless preserve_properties is true`);
  for (const p of [entry.source, entry.dest]) {
    if (!p.startsWith('/')) throw new ConfigJsonError(`${where}: ${JSON.stringify(p)} must be an absolute path`);
  }
  return entry;
}

function parsePermission(raw: unknown, where: string): Permission {
  if (!isRecord(raw)) throw new ConfigJsonError(`${where}: must be an object`);
  unknownKeys(raw, ['path', 'owner', 'perm', 'recurse', 'exclude'], where);
  const entry: Permission = {
    path: str(raw, 'path', where, true) as string,
    owner: owner(str(raw, 'owner', where, true) as string, where),
    recurse: flag(raw, 'recurse', where),
    exclude: [],
  };
  if (!entry.path.startsWith('/')) throw new ConfigJsonError(`${where}: ${JSON.stringify(entry.path)} must be an absolute path`);
  if (raw['perm'] !== undefined) entry.perm = parsePerm(raw['perm'], where);
  const exclude = raw['exclude'];
  if (exclude !== undefined) {
    if (!Array.isArray(exclude) || !exclude.every((e) => typeof e === 'string')) {
      throw new ConfigJsonError(`${where}: "exclude" must be a list of regular expressions`);
    }
    entry.exclude = exclude.map((e: string) => {
      try {
        return new RegExp(e);
      } catch (err) {
        throw new ConfigJsonError(`${where}: exclude ${JSON.stringify(e)}: ${(err as Error).message}`);
      }
    });
  }
  return entry;
}

/**
 * Validates config.json text. Every problem is a ConfigJsonError naming `file`
 * and the key (e.g. `config.json: config_files[1]: "dest" is required`).
 */
export function parseConfigJson(text: string, file: string = CONFIG_JSON): ConfigJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigJsonError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(raw)) throw new ConfigJsonError(`${file}: must hold a JSON object`);
  unknownKeys(raw, ['command', 'config_files', 'permissions'], file);
  const command = str(raw, 'command', file, true) as string;
  const list = (key: string): unknown[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new ConfigJsonError(`${file}: "${key}" must be a list`);
    return v;
  };
  return {
    command,
    config_files: list('config_files').map((e, i) => parseConfigFile(e, `${file}: config_files[${i}]`)),
    permissions: list('permissions').map((e, i) => parsePermission(e, `${file}: permissions[${i}]`)),
  };
}

/** Reads KOLLA_CONFIG_STRATEGY; anything but the two strategies is an error. */
export function parseStrategy(value: string | undefined): Strategy {
  if (value === 'COPY_ALWAYS' || value === 'COPY_ONCE') return value;
  throw new ConfigJsonError(
    value === undefined ? 'KOLLA_CONFIG_STRATEGY is not set (COPY_ALWAYS or COPY_ONCE)' : `KOLLA_CONFIG_STRATEGY ${JSON.stringify(value)} is neither COPY_ALWAYS nor COPY_ONCE`,
  );
}
