// kolla_set_configs: applies a container's config.json (copies each
// config_files entry into place with its owner and mode, applies
// `permissions`, writes the command to /run_command), or with --check tells
// whether what is in place still matches the sources. Node built-ins only.
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CONFIG_JSON, CONFIGURED, type ConfigFile, type ConfigJson, ConfigJsonError, RUN_COMMAND, type Strategy, parseConfigJson } from './config-json';
import { type WantedProperties, copyTree, expandGlob, modeFor, resolveOwner, setProperties, treeDifference, under, walk } from './fs-util';

export interface SetConfigsOptions {
  /** Directory that stands for the container's `/` (tests); `/` in a container. */
  root?: string;
  /** Progress lines; default: standard error. */
  log?: (line: string) => void;
}

function logger(opts: SetConfigsOptions): (line: string) => void {
  return opts.log ?? ((line) => process.stderr.write(`kolla_set_configs: ${line}\n`));
}

/** Reads and validates the container's config.json. */
export function loadConfigJson(root = '/'): ConfigJson {
  const path = under(root, CONFIG_JSON);
  if (!existsSync(path)) throw new ConfigJsonError(`${CONFIG_JSON} is missing (mount the service's config directory at ${dirname(CONFIG_JSON)}/)`);
  return parseConfigJson(readFileSync(path, 'utf8'), CONFIG_JSON);
}

/** The container path a source lands at: into `dest` when it ends in `/`, else `dest` itself. */
export function destFor(entry: ConfigFile, source: string): string {
  return entry.dest.endsWith('/') ? join(entry.dest, basename(source)) : entry.dest;
}

/** The sources an entry matches; none for a missing optional source, an error for a missing required one. */
function sourcesOf(root: string, entry: ConfigFile, log: (line: string) => void): string[] {
  const sources = expandGlob(root, entry.source);
  if (sources.length) return sources;
  if (entry.optional) {
    log(`${entry.source} is missing and optional: skipped`);
    return [];
  }
  throw new ConfigJsonError(`${entry.source} is missing (config_files entry for ${entry.dest})`);
}

function wantedProperties(root: string, entry: ConfigFile): WantedProperties {
  if (entry.preserve_properties) {
    return (src) => {
      const st = statSync(src);
      return { mode: st.mode & 0o7777, ids: { uid: st.uid, gid: st.gid } };
    };
  }
  const ids = resolveOwner(root, entry.owner as string);
  const perm = entry.perm as number;
  return (_src, isDir) => ({ mode: modeFor(perm, isDir), ids });
}

function copyEntry(root: string, entry: ConfigFile, log: (line: string) => void): void {
  for (const source of sourcesOf(root, entry, log)) {
    const dest = destFor(entry, source);
    const src = under(root, source);
    const target = under(root, dest);
    const mergeDir = entry.merge && existsSync(target) && statSync(target).isDirectory() && statSync(src).isDirectory();
    if (!mergeDir) rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    copyTree(src, target);
    if (entry.preserve_properties) {
      for (const [abs, rel] of walk(src)) {
        const st = statSync(abs);
        const t = rel ? join(target, rel) : target;
        chownSync(t, st.uid, st.gid);
        chmodSync(t, st.mode & 0o7777);
      }
    } else {
      setProperties(target, resolveOwner(root, entry.owner as string), entry.perm, true);
    }
    log(`${source} -> ${dest}${mergeDir ? ' (merged)' : ''}`);
  }
}

function applyPermissions(root: string, config: ConfigJson, log: (line: string) => void): void {
  for (const p of config.permissions) {
    const paths = expandGlob(root, p.path);
    if (!paths.length) {
      log(`warning: ${p.path} does not exist; its permissions are skipped`);
      continue;
    }
    const ids = resolveOwner(root, p.owner);
    for (const path of paths) setProperties(under(root, path), ids, p.perm, p.recurse, p.exclude, path);
  }
}

function writeRunCommand(root: string, command: string): void {
  const path = under(root, RUN_COMMAND);
  writeFileSync(path, `${command}\n`);
  chmodSync(path, 0o644);
}

/**
 * Applies config.json with the given strategy. Under COPY_ONCE a container that
 * was configured before (the /configured marker exists) is left alone.
 * @returns 'applied', or 'skipped' (COPY_ONCE, already configured)
 * @throws ConfigJsonError for a bad config.json, a missing required source or an unknown owner
 */
export function applyConfig(strategy: Strategy, opts: SetConfigsOptions = {}): 'applied' | 'skipped' {
  const root = opts.root ?? '/';
  const log = logger(opts);
  const config = loadConfigJson(root);
  if (strategy === 'COPY_ONCE' && existsSync(under(root, CONFIGURED))) {
    log('COPY_ONCE: configured before; nothing copied');
    return 'skipped';
  }
  for (const entry of config.config_files) copyEntry(root, entry, log);
  applyPermissions(root, config, log);
  writeRunCommand(root, config.command);
  if (strategy === 'COPY_ONCE') writeFileSync(under(root, CONFIGURED), '');
  return 'applied';
}

/**
 * Compares what is in place with config.json: the command in /run_command, and
 * every source against its dest (content, mode, owner). Missing optional
 * sources are not compared.
 * @returns the differences; empty when nothing changed
 */
export function checkConfig(opts: SetConfigsOptions = {}): string[] {
  const root = opts.root ?? '/';
  const log = logger(opts);
  const config = loadConfigJson(root);
  const changes: string[] = [];
  const runCommand = under(root, RUN_COMMAND);
  if (!existsSync(runCommand)) changes.push(`${RUN_COMMAND} is missing`);
  else if (readFileSync(runCommand, 'utf8').replace(/\n$/, '') !== config.command) changes.push('the command changed');
  for (const entry of config.config_files) {
    const sources = expandGlob(root, entry.source);
    if (!sources.length) {
      if (!entry.optional) changes.push(`${entry.source} is missing`);
      continue;
    }
    const props = wantedProperties(root, entry);
    for (const source of sources) {
      const dest = destFor(entry, source);
      const diff = treeDifference(under(root, source), under(root, dest), props, dest, entry.merge);
      if (diff) changes.push(diff);
    }
  }
  for (const c of changes) log(`changed: ${c}`);
  return changes;
}
