import { ConfigError } from '@zun-ts/common';

/** A `[filter:name]` or `[app:name]` section. */
export interface PasteSection {
  kind: 'filter' | 'app';
  name: string;
  options: Record<string, string>;
}

/** What api-paste.ini describes: named pipelines and per-element options. */
export interface PasteConfig {
  /** Where it came from (a path, or `built-in`). */
  source: string;
  pipelines: Map<string, string[]>;
  sections: Map<string, PasteSection>;
}

/** The pipelines used when no api-paste.ini is found (the same text as etc/api-paste.ini). */
export const DEFAULT_API_PASTE = `# zun-api request pipeline. A request passes the filters from left to right and
# then reaches the app (the last element). Every element is a filter or app
# known to zun-api; its options, if any, go in a [filter:<name>] or [app:<name>]
# section, where "use = <known name>" lets one name stand for another.

# [api] auth_strategy = keystone
[pipeline:main]
pipeline = request_id cors healthcheck http_proxy_to_wsgi faultwrap sizelimit authtoken context v1

# [api] auth_strategy = noauth (testing only: identity comes from X-User-Id,
# X-Project-Id and X-Roles as sent by the client)
[pipeline:noauth]
pipeline = request_id cors healthcheck http_proxy_to_wsgi faultwrap sizelimit noauth context v1

[filter:healthcheck]
path = /healthcheck

[filter:authtoken]
# Paths served without a token (besides /healthcheck, answered earlier).
acl_public_routes = /, /v1
`;

/**
 * Parses api-paste.ini: `[pipeline:name]` with `pipeline = a b c`, `[filter:name]` and
 * `[app:name]` option sections; indented lines continue the previous value;
 * `paste.*` keys (Python factory paths of a Zun file) are ignored.
 */
export function parsePasteConfig(text: string, source: string): PasteConfig {
  const problems: string[] = [];
  const pipelines = new Map<string, string[]>();
  const sections = new Map<string, PasteSection>();
  let current: { type: string; name: string; values: Record<string, string> } | null = null;
  let lastKey: string | null = null;
  const flush = (): void => {
    if (!current) return;
    const { type, name, values } = current;
    if (type === 'pipeline') {
      const list = (values['pipeline'] ?? '').split(/\s+/).filter(Boolean);
      if (list.length === 0) problems.push(`[pipeline:${name}] needs "pipeline = <filters...> <app>"`);
      pipelines.set(name, list);
    } else if (type === 'filter' || type === 'app') {
      const options = Object.fromEntries(Object.entries(values).filter(([k]) => !k.startsWith('paste.')));
      sections.set(name, { kind: type, name, options });
    } else if (type !== 'composite' && type !== 'DEFAULT') {
      problems.push(`unknown section type "${type}" in [${type}:${name}]`);
    }
  };
  for (const [i, raw] of text.replace(/^\uFEFF/, '').split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (/^\s/.test(raw) && current && lastKey) {
      current.values[lastKey] = `${current.values[lastKey] ?? ''} ${line}`.trim();
      continue;
    }
    const header = /^\[\s*([^\]:]+?)\s*(?::\s*([^\]]+?)\s*)?\]$/.exec(line);
    if (header) {
      flush();
      current = { type: header[1] as string, name: header[2] ?? '', values: {} };
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
  flush();
  if (problems.length) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  return { source, pipelines, sections };
}
