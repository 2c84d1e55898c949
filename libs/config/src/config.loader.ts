import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '@zun-ts/common';
import { parseIni } from './ini.parser';
import { type AnyOption, type Section, parseBool } from './option.dsl';
import { type SectionName, type ZunConf, formatValue, zunSections } from './zun-conf';

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** Environment to read `ZUN_<SECTION>__<OPTION>` variables from. @default process.env */
  env?: Record<string, string | undefined>;
  /** Receives warnings about ignored (unknown) options. @default console.error */
  warn?: (msg: string) => void;
}

/** Where the values of a loaded configuration came from. */
export interface ConfigSources {
  /** Configuration files read, absolute paths, in the order applied (--config-file files, then --config-dir files). */
  readonly files: readonly string[];
  /** Environment variables applied. */
  readonly env: readonly string[];
  /** Command-line options applied, as `--section.option`. */
  readonly flags: readonly string[];
}

interface RawValue {
  value: string;
  /** Where the value was set, for error messages. */
  source: string;
}

type Resolved = { ok: true; value: unknown } | { ok: false; reported: boolean };

const sectionByName = new Map<string, Section>(zunSections.map((s: Section) => [s.name, s]));
const sectionByEnvName = new Map<string, Section>(zunSections.map((s: Section) => [s.name.toUpperCase(), s]));
const sourcesOf = new WeakMap<object, ConfigSources>();
let lastSources: ConfigSources = { files: [], env: [], flags: [] };

function optionOf(section: string, option: string): AnyOption | undefined {
  const s = sectionByName.get(section);
  return s && Object.hasOwn(s.options, option) ? s.options[option] : undefined;
}

function isBoolLiteral(v: string | undefined): v is string {
  return v !== undefined && parseBool(v) !== undefined;
}

/** Records unknown names per source and turns them into one warning per source. */
class UnknownNames {
  private readonly bySource = new Map<string, Set<string>>();
  add(source: string, name: string): void {
    let names = this.bySource.get(source);
    if (!names) this.bySource.set(source, (names = new Set()));
    names.add(name);
  }
  report(warn: (msg: string) => void): void {
    for (const [source, names] of this.bySource) warn(`${source}: ignoring unknown options: ${[...names].join(', ')}`);
  }
}

/**
 * Loads zun.conf the way oslo.config does, from (lowest to highest precedence):
 * defaults, each `--config-file F` in order, the `*.conf` files of each
 * `--config-dir D` in name order, environment variables `ZUN_<SECTION>__<OPTION>`
 * (e.g. `ZUN_API__PORT=1234`, `ZUN_DEFAULT__HOST=h1`) and command-line options
 * `--section.option=value`, `--section.option value` or `--option=value` for
 * `[DEFAULT]` (`--debug` / `--nodebug` for booleans).
 *
 * `$option` and `${option}` in values refer to another option of the same section
 * or of `[DEFAULT]` (`${section.option}` to any option); `$$` is a literal `$`.
 *
 * @param argv the command line, usually `process.argv.slice(2)`
 * @throws ConfigError listing every problem at once, one line each, bad values as
 *   `[section] option: reason (source)`; unknown options in files or the environment
 *   only produce a warning
 */
export function loadConfig(argv: string[], opts: LoadConfigOptions = {}): ZunConf {
  const env = opts.env ?? process.env;
  const warn = opts.warn ?? ((msg: string) => console.error(msg));
  const problems: string[] = [];
  const unknown = new UnknownNames();
  const raw = new Map<string, Map<string, RawValue>>();
  const set = (section: string, option: string, v: RawValue): void => {
    let m = raw.get(section);
    if (!m) raw.set(section, (m = new Map()));
    m.set(option, v);
  };
  const files: string[] = [];
  const envUsed: string[] = [];
  const flagsUsed: string[] = [];

  // 1. command line: collect files, dirs and overrides first, apply overrides last
  const configFilesArg: string[] = [];
  const configDirsArg: string[] = [];
  const flags: { section: string; option: string; value: string; arg: string }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--') || arg === '--') {
      problems.push(`unexpected command-line argument '${arg}'`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const next = argv[i + 1];
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline;
      if (next === undefined || next.startsWith('--')) return undefined;
      i++;
      return next;
    };
    if (name === 'config-file' || name === 'config_file' || name === 'config-dir' || name === 'config_dir') {
      const value = takeValue();
      if (value === undefined || value === '') problems.push(`--${name} needs a path`);
      else (name.endsWith('file') ? configFilesArg : configDirsArg).push(value);
      continue;
    }
    const dot = name.indexOf('.');
    let section = dot < 0 ? 'DEFAULT' : name.slice(0, dot);
    if (section.toUpperCase() === 'DEFAULT') section = 'DEFAULT';
    let option = (dot < 0 ? name : name.slice(dot + 1)).replace(/-/g, '_');
    let spec = optionOf(section, option);
    let negated = false;
    if (!spec && option.startsWith('no') && inline === undefined && optionOf(section, option.slice(2))?.kind === 'boolean') {
      option = option.slice(2);
      spec = optionOf(section, option);
      negated = true;
    }
    if (!spec) {
      problems.push(`unknown command-line option --${name}`);
      if (inline === undefined && next !== undefined && !next.startsWith('--')) i++; // skip its value too
      continue;
    }
    let value: string | undefined;
    if (negated) value = 'false';
    else if (spec.kind === 'boolean') value = inline ?? (isBoolLiteral(next) ? (i++, next) : 'true');
    else value = takeValue();
    if (value === undefined) {
      problems.push(`command-line option --${name} needs a value`);
      continue;
    }
    flags.push({ section, option, value, arg: `--${name}` });
  }

  // 2. files, in order, then config dirs
  const applyFile = (path: string): void => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return;
    }
    files.push(path);
    const doc = parseIni(text);
    for (const e of doc.errors) problems.push(`${path}:${e.line}: ${e.reason}`);
    for (const s of doc.sections) if (!sectionByName.has(s)) unknown.add(path, `[${s}] (whole section)`);
    for (const e of doc.entries) {
      if (!sectionByName.has(e.section)) continue;
      if (optionOf(e.section, e.key)) set(e.section, e.key, { value: e.value, source: `${path}:${e.line}` });
      else unknown.add(path, `[${e.section}] ${e.key}`);
    }
  };
  for (const f of configFilesArg) {
    const path = resolve(f);
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      isFile = false;
    }
    if (isFile) applyFile(path);
    else problems.push(`config file not found: ${path}`);
  }
  for (const d of configDirsArg) {
    const dir = resolve(d);
    let names: string[];
    try {
      names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.name.endsWith('.conf') && !e.isDirectory()).map((e) => e.name);
    } catch {
      problems.push(`config dir not found: ${dir}`);
      continue;
    }
    for (const n of names.sort()) applyFile(join(dir, n));
  }

  // 3. environment
  for (const key of Object.keys(env).sort()) {
    const value = env[key];
    const m = /^ZUN_(.+?)__(.+)$/.exec(key);
    if (!m || value === undefined) continue;
    const section = sectionByEnvName.get(m[1] ?? '');
    const option = (m[2] ?? '').toLowerCase();
    if (section && optionOf(section.name, option)) {
      set(section.name, option, { value, source: `environment variable ${key}` });
      envUsed.push(key);
    } else {
      unknown.add('environment', key);
    }
  }

  // 4. command-line overrides
  for (const f of flags) {
    set(f.section, f.option, { value: f.value, source: `command-line ${f.arg}` });
    flagsUsed.push(`--${f.section}.${f.option}`);
  }

  // 5. typed values, with interpolation
  const done = new Map<string, Resolved>();
  const resolving = new Set<string>();
  const fail = (section: string, option: string, reason: string, source: string): Resolved => {
    const shown = optionOf(section, option)?.secret ? 'invalid value (not shown: secret option)' : reason;
    problems.push(`[${section}] ${option}: ${shown} (${source})`);
    return { ok: false, reported: true };
  };
  const parseAs = (section: string, option: string, spec: AnyOption, text: string, source: string): Resolved => {
    const parsed = spec.parse(text);
    return parsed.ok ? { ok: true, value: parsed.value } : fail(section, option, parsed.reason, source);
  };
  /** Expands `$name`, `${name}`, `${section.name}` and `$$` in a value of `[section] option`. */
  const interpolate = (text: string, section: string, option: string, source: string): string | Resolved => {
    let failure: Resolved | null = null;
    const out = text.replace(/\$(?:\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (match, braced?: string, bare?: string) => {
      if (match === '$$') return '$';
      if (failure) return '';
      const ref = (braced ?? bare ?? '').trim();
      const dot = ref.indexOf('.');
      let target: [string, string] | null = null;
      if (dot >= 0) {
        const [s, o] = [ref.slice(0, dot), ref.slice(dot + 1)];
        if (optionOf(s, o)) target = [s, o];
      } else if (optionOf(section, ref)) target = [section, ref];
      else if (optionOf('DEFAULT', ref)) target = ['DEFAULT', ref];
      if (!target) {
        failure = fail(section, option, `refers to unknown option $${ref}`, source);
        return '';
      }
      if (resolving.has(`${target[0]}.${target[1]}`)) {
        failure = fail(section, option, `circular reference through $${ref}`, source);
        return '';
      }
      const r = resolveOption(target[0], target[1]);
      if (!r.ok) {
        // the referenced option's own problem is already reported
        failure = r;
        return '';
      }
      return r.value === null ? '' : formatValue(r.value);
    });
    return failure ?? out;
  };
  const resolveOption = (section: string, option: string): Resolved => {
    const key = `${section}.${option}`;
    const known = done.get(key);
    if (known) return known;
    const spec = optionOf(section, option);
    if (!spec) return { ok: false, reported: false };
    resolving.add(key);
    const rv = raw.get(section)?.get(option);
    let result: Resolved;
    if (rv) {
      const text = interpolate(rv.value, section, option, rv.source);
      result = typeof text === 'string' ? parseAs(section, option, spec, text, rv.source) : text;
    } else {
      const def = spec.default();
      if (typeof def === 'string') {
        const text = interpolate(def, section, option, 'default');
        result = typeof text === 'string' ? parseAs(section, option, spec, text, 'default') : text;
      } else if (Array.isArray(def)) {
        const items: string[] = [];
        result = { ok: true, value: items };
        for (const item of def as unknown[]) {
          const text = interpolate(String(item), section, option, 'default');
          if (typeof text !== 'string') {
            result = text;
            break;
          }
          items.push(text);
        }
      } else {
        result = { ok: true, value: def };
      }
    }
    resolving.delete(key);
    done.set(key, result);
    return result;
  };

  const conf: Record<string, Record<string, unknown>> = {};
  for (const s of zunSections as readonly Section[]) {
    const values: Record<string, unknown> = {};
    for (const option of Object.keys(s.options)) {
      const r = resolveOption(s.name, option);
      if (r.ok) values[option] = Array.isArray(r.value) ? Object.freeze([...(r.value as unknown[])]) : r.value;
    }
    conf[s.name] = Object.freeze(values);
  }

  unknown.report(warn);
  if (problems.length) {
    throw new ConfigError(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`);
  }
  const result = Object.freeze(conf) as unknown as ZunConf;
  const sources: ConfigSources = Object.freeze({ files: Object.freeze(files), env: Object.freeze(envUsed), flags: Object.freeze(flagsUsed) });
  sourcesOf.set(result, sources);
  lastSources = sources;
  return result;
}

/** Per-section overrides for `defaultConf`. */
export type ConfOverrides = { [S in SectionName]?: Partial<ZunConf[S]> };

/**
 * The defaults with some values replaced, reading no file, environment or command
 * line (for unit tests of code that takes a `ZunConf`). Overrides are not validated.
 */
export function defaultConf(overrides: ConfOverrides = {}): ZunConf {
  const base = loadConfig([], { env: {}, warn: () => {} }) as unknown as Record<string, Record<string, unknown>>;
  const out: Record<string, Readonly<Record<string, unknown>>> = {};
  for (const [name, values] of Object.entries(base)) {
    out[name] = Object.freeze({ ...values, ...(overrides as Record<string, Record<string, unknown> | undefined>)[name] });
  }
  return Object.freeze(out) as unknown as ZunConf;
}

/** Files a configuration was read from (default: the configuration loaded last), for logging at start. */
export function configFiles(conf?: ZunConf): readonly string[] {
  return configSources(conf).files;
}

/** Files, environment variables and command-line options a configuration was built from (default: the last loaded). */
export function configSources(conf?: ZunConf): ConfigSources {
  return (conf && sourcesOf.get(conf)) ?? lastSources;
}

/** `scheme://user:password@host…` → `scheme://user:***@host…`, in a string or in each string of a list. */
export function maskUrlPasswords(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]+@/i, '$1***@');
  if (Array.isArray(v)) return v.map(maskUrlPasswords);
  return v;
}

/** A copy of the configuration safe to log: secret options that are set read `***`, and so do passwords inside URLs. */
export function loggableConf(conf: ZunConf): Record<SectionName, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const byName = conf as unknown as Record<string, Record<string, unknown>>;
  for (const s of zunSections as readonly Section[]) {
    const values: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(s.options)) {
      const v = byName[s.name]?.[name];
      values[name] = spec.secret && v !== null && v !== undefined ? '***' : maskUrlPasswords(v);
    }
    out[s.name] = values;
  }
  return out as Record<SectionName, Record<string, unknown>>;
}
