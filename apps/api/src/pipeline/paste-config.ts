import { join } from 'node:path';
import { ConfigError } from '@zun-ts/common';

/** A `[filter:name]` or `[app:name]` section. */
export interface PasteSection {
  kind: 'filter' | 'app';
  name: string;
  /** Its `key = value` lines, interpolated, `use` included, `paste.*` keys left out. */
  options: Record<string, string>;
  /** `paste.filter_factory` / `paste.app_factory`: `<plug-in>:<export>`. */
  factory?: string;
}

/** A `[filter-app:name]` section: a filter (`use` or `paste.filter_factory`) in front of the app `next`. */
export interface PasteFilterApp {
  name: string;
  next: string;
  options: Record<string, string>;
  factory?: string;
}

/** A `[composite:name]` section: `use = urlmap` (path prefix → app) or `use = pipeline_factory` (auth strategy → pipeline). */
export interface PasteComposite {
  name: string;
  use: string;
  options: Record<string, string>;
}

/** What api-paste.ini describes. */
export interface PasteConfig {
  /** Where it came from (a path, or `built-in`). */
  source: string;
  /** `[DEFAULT]` of the file plus `here` (the file's directory): paste's global_conf. */
  defaults: Readonly<Record<string, string>>;
  pipelines: Map<string, string[]>;
  filters: Map<string, PasteSection>;
  apps: Map<string, PasteSection>;
  filterApps: Map<string, PasteFilterApp>;
  composites: Map<string, PasteComposite>;
}

/** The pipelines used when no api-paste.ini is found (the same text as etc/api-paste.ini). */
export const DEFAULT_API_PASTE = `# zun-api request pipeline, in the grammar of OpenStack's api-paste.ini (paste.deploy). zun-api serves the
# app "main". A [pipeline:x] lists filters, left to right, and ends with an app; an app is an [app:x], a
# [pipeline:x], a [filter-app:x] (a filter in front of its "next" app) or a [composite:x]. A filter or app
# not defined by a section is one known to zun-ts or to a plug-in of [DEFAULT] plugin_paths in zun.conf;
# a [filter:x] / [app:x] section gives its options, with "use = <known name>" to stand for another, or
# "paste.filter_factory = <plug-in>:<middleware>" for a plug-in's middleware. Values may use %(here)s
# (this file's directory) and the keys of a [DEFAULT] section as %(key)s.

# Path prefixes to apps; the longest matching prefix wins. Each app sees the whole path.
[composite:main]
use = urlmap
/ = zun_api
/v1 = zun_api
/healthcheck = healthcheck
/dashboard = dashboard

# [api] auth_strategy chooses the pipeline: keystone, or noauth (testing only: identity comes from
# X-User-Id, X-Project-Id and X-Roles as sent by the client).
[composite:zun_api]
use = pipeline_factory
keystone = request_id cors http_proxy_to_wsgi faultwrap sizelimit authtoken context v1
noauth = request_id cors http_proxy_to_wsgi faultwrap sizelimit noauth context v1

# Answered before authentication: GET /healthcheck -> OK (503 while disable_by_file_path exists).
[pipeline:healthcheck]
pipeline = request_id cors healthcheck_app

[app:healthcheck_app]
use = healthcheck
path = /healthcheck

# The web console: its files and POST /dashboard/login (a Keystone password login); /v1 checks its token.
[pipeline:dashboard]
pipeline = request_id http_proxy_to_wsgi faultwrap sizelimit dashboard_app

[app:dashboard_app]
use = dashboard

[filter:authtoken]
# Paths served without a token.
acl_public_routes = /, /v1, /v1/openapi.json
`;

const SECTION_TYPES = new Set(['pipeline', 'filter', 'app', 'filter-app', 'composite', 'DEFAULT']);
/** The section types whose names share one namespace: anything an app position may name. */
const APP_LIKE = new Set(['app', 'pipeline', 'filter-app', 'composite']);

/** `%(name)s` references replaced from `vars`; `%%` is a percent sign. Throws with the unknown name. */
export function interpolate(value: string, vars: Readonly<Record<string, string>>, depth = 0): string {
  if (depth > 10) throw new Error(`interpolation nested too deeply in ${JSON.stringify(value)}`);
  return value.replace(/%%|%\(([^)]+)\)s/g, (m, name: string | undefined) => {
    if (m === '%%') return '%';
    const v = vars[name as string];
    if (v === undefined) throw new Error(`unknown %(${name})s (known: ${Object.keys(vars).sort().join(', ')})`);
    return interpolate(v, vars, depth + 1);
  });
}

/**
 * Parses api-paste.ini in the paste.deploy grammar: `[pipeline:x]` (`pipeline = a b c`), `[filter:x]` and `[app:x]`
 * (options, `use`, `paste.filter_factory` / `paste.app_factory`), `[filter-app:x]` (`next`), `[composite:x]`
 * (`use`, then its own keys) and `[DEFAULT]`. Indented lines continue the previous value; values may refer to
 * `%(here)s` (the directory of `here`, when given) and to keys of the section or of `[DEFAULT]`. Problems are
 * ConfigErrors naming the file and the section.
 */
export function parsePasteConfig(text: string, source: string, here: string | null = null): PasteConfig {
  const problems: string[] = [];
  const raw: Array<{ type: string; name: string; values: Record<string, string> }> = [];
  let current: { type: string; name: string; values: Record<string, string> } | null = null;
  let lastKey: string | null = null;
  for (const [i, line0] of text.replace(/^\uFEFF/, '').split(/\r?\n/).entries()) {
    const line = line0.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (/^\s/.test(line0) && current && lastKey) {
      current.values[lastKey] = `${current.values[lastKey] ?? ''} ${line}`.trim();
      continue;
    }
    const header = /^\[\s*([^\]:]+?)\s*(?::\s*([^\]]+?)\s*)?\]$/.exec(line);
    if (header) {
      current = { type: header[1] as string, name: header[2] ?? '', values: {} };
      raw.push(current);
      lastKey = null;
      if (current.type !== 'DEFAULT' && !current.name) problems.push(`line ${i + 1}: section [${current.type}] needs a name ([${current.type}:<name>])`);
      continue;
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!m || !current) {
      problems.push(`line ${i + 1}: expected "key = value" inside a section, got ${JSON.stringify(line)}`);
      continue;
    }
    lastKey = m[1] as string;
    current.values[lastKey] = m[2] as string;
  }

  const fileDefaults: Record<string, string> = {};
  for (const s of raw) if (s.type === 'DEFAULT') Object.assign(fileDefaults, s.values);
  const base: Record<string, string> = { ...(here !== null ? { here, __file__: join(here, source.split('/').pop() ?? '') } : {}) };
  const defaults: Record<string, string> = {};
  for (const [k, v] of Object.entries(fileDefaults)) {
    try {
      defaults[k] = interpolate(v, { ...base, ...fileDefaults });
    } catch (err) {
      problems.push(`[DEFAULT] ${k}: ${(err as Error).message}`);
    }
  }
  Object.assign(defaults, base);

  const config: PasteConfig = { source, defaults, pipelines: new Map(), filters: new Map(), apps: new Map(), filterApps: new Map(), composites: new Map() };
  const appLike = new Map<string, string>();
  for (const { type, name, values } of raw) {
    if (type === 'DEFAULT') continue;
    const label = `[${type}:${name}]`;
    if (!SECTION_TYPES.has(type)) {
      problems.push(`unknown section type "${type}" in ${label} (known: pipeline, filter, app, filter-app, composite, DEFAULT)`);
      continue;
    }
    const vals: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
      try {
        vals[k] = interpolate(v, { ...defaults, ...values });
      } catch (err) {
        problems.push(`${label} ${k}: ${(err as Error).message}`);
      }
    }
    if (APP_LIKE.has(type)) {
      const other = appLike.get(name);
      if (other) problems.push(`${label} and ${other} have one name; an app position could not tell them apart`);
      appLike.set(name, label);
    } else if (config.filters.has(name)) {
      problems.push(`${label} is defined twice`);
    }
    const factoryKey = Object.keys(vals).find((k) => k.startsWith('paste.'));
    const options = Object.fromEntries(Object.entries(vals).filter(([k]) => !k.startsWith('paste.')));
    const factory = factoryKey ? { factory: vals[factoryKey] as string } : {};
    switch (type) {
      case 'pipeline': {
        const list = (vals['pipeline'] ?? '').split(/\s+/).filter(Boolean);
        if (list.length === 0) problems.push(`${label} needs "pipeline = <filters...> <app>"`);
        config.pipelines.set(name, list);
        break;
      }
      case 'filter':
      case 'app':
        (type === 'filter' ? config.filters : config.apps).set(name, { kind: type, name, options, ...factory });
        break;
      case 'filter-app': {
        const { next, ...rest } = options;
        if (!next) problems.push(`${label} needs "next = <app>"`);
        config.filterApps.set(name, { name, next: next ?? '', options: rest, ...factory });
        break;
      }
      case 'composite': {
        const { use, ...rest } = options;
        if (!use) problems.push(`${label} needs "use = urlmap" or "use = pipeline_factory"`);
        config.composites.set(name, { name, use: use ?? '', options: rest });
        break;
      }
    }
  }
  if (problems.length) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  return config;
}
