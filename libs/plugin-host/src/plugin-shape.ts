import {
  type DriverFactory,
  type HostFilter,
  type HostWeigher,
  type MiddlewareFactory,
  PLUGIN_API_VERSION,
  type PluginContext,
  type ZunPlugin,
} from '@zun-ts/plugin-api';

/** The driver kinds a plug-in may provide, and the zun.conf option that selects each. */
export const DRIVER_KINDS = {
  container: '[compute] container_driver',
  volume: '[volume] volume_driver',
  network: '[network] driver',
  image: '[DEFAULT] image_driver_list',
} as const;
export type DriverKind = keyof typeof DRIVER_KINDS;

/** A plug-in checked and its filters and weighers made. */
export interface CheckedPlugin {
  readonly name: string;
  /** Where it was loaded from (the `plugin_paths` entry). */
  readonly source: string;
  readonly filters: ReadonlyMap<string, HostFilter>;
  readonly weighers: ReadonlyMap<string, HostWeigher>;
  readonly middleware: ReadonlyMap<string, MiddlewareFactory>;
  readonly drivers: { readonly [K in DriverKind]: ReadonlyMap<string, DriverFactory<unknown>> };
}

const PLUGIN_KEYS = new Set(['name', 'apiVersion', 'filters', 'weighers', 'middleware', 'drivers']);
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@/-]*$/;

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The plug-in object a loaded module exports: `zunPlugin`, or its default export. */
export function pluginExportOf(mod: unknown): unknown {
  if (!isRecord(mod)) return mod;
  if ('zunPlugin' in mod) return mod['zunPlugin'];
  const def = mod['default'];
  if (isRecord(def) && 'zunPlugin' in def) return def['zunPlugin'];
  return def;
}

function table(plugin: Rec, key: string, problems: string[]): Rec {
  const v = plugin[key];
  if (v === undefined) return {};
  if (!isRecord(v)) {
    problems.push(`${key} must be an object of named elements, got ${describe(v)}`);
    return {};
  }
  return v;
}

function make(value: unknown, what: string, context: PluginContext, problems: string[]): unknown {
  if (typeof value !== 'function') return value;
  try {
    return (value as (c: PluginContext) => unknown)(context);
  } catch (err) {
    problems.push(`${what}: its factory threw: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

function checkFilter(name: string, v: unknown, problems: string[]): v is HostFilter {
  const before = problems.length;
  if (!isRecord(v)) problems.push(`filter ${name} must be an object (or a factory returning one), got ${describe(v)}`);
  else {
    if (v['name'] !== name) problems.push(`filter ${name} has name ${JSON.stringify(v['name'])}; it must be exported under its own name`);
    if (typeof v['runOncePerRequest'] !== 'boolean') problems.push(`filter ${name} lacks runOncePerRequest (a boolean)`);
    if (typeof v['hostPasses'] !== 'function') problems.push(`filter ${name} lacks the method hostPasses(host, request)`);
    if (v['rejectReason'] !== undefined && typeof v['rejectReason'] !== 'function') problems.push(`filter ${name}: rejectReason must be a method`);
  }
  return problems.length === before;
}

function checkWeigher(name: string, v: unknown, problems: string[]): v is HostWeigher {
  const before = problems.length;
  if (!isRecord(v)) problems.push(`weigher ${name} must be an object (or a factory returning one), got ${describe(v)}`);
  else {
    if (v['name'] !== name) problems.push(`weigher ${name} has name ${JSON.stringify(v['name'])}; it must be exported under its own name`);
    if (typeof v['weigh'] !== 'function') problems.push(`weigher ${name} lacks the method weigh(host, request)`);
  }
  return problems.length === before;
}

/**
 * Checks what a plug-in module exports against the contract of @zun-ts/plugin-api and makes its filters and
 * weighers. Throws an Error naming the plug-in (its name, else its source) and every problem.
 */
export function checkPlugin(exported: unknown, source: string, context: (pluginName: string) => PluginContext): CheckedPlugin {
  const problems: string[] = [];
  if (!isRecord(exported)) throw new Error(`plug-in ${source}: exports no plug-in object (zunPlugin or a default export), got ${describe(exported)}`);
  const name = typeof exported['name'] === 'string' && NAME.test(exported['name']) ? exported['name'] : null;
  const label = name ? `plug-in ${name} (${source})` : `plug-in ${source}`;
  if (!name) problems.push(`name must be a string of letters, digits and _ . @ / -, got ${JSON.stringify(exported['name'])}`);
  for (const key of Object.keys(exported)) if (!PLUGIN_KEYS.has(key)) problems.push(`unknown key ${key} (known: ${[...PLUGIN_KEYS].join(', ')})`);
  const apiVersion = exported['apiVersion'];
  const major = (v: string): string => v.split('.')[0] ?? '';
  if (typeof apiVersion !== 'string') problems.push(`apiVersion must be the @zun-ts/plugin-api version it was built against (this zun-ts has ${PLUGIN_API_VERSION})`);
  else if (major(apiVersion) !== major(PLUGIN_API_VERSION)) problems.push(`built against @zun-ts/plugin-api ${apiVersion}, this zun-ts has ${PLUGIN_API_VERSION} (another major version)`);
  const ctx = context(name ?? source);

  const filters = new Map<string, HostFilter>();
  for (const [key, value] of Object.entries(table(exported, 'filters', problems))) {
    const made = make(value, `filter ${key}`, ctx, problems);
    if (made !== undefined && checkFilter(key, made, problems)) filters.set(key, made);
  }
  const weighers = new Map<string, HostWeigher>();
  for (const [key, value] of Object.entries(table(exported, 'weighers', problems))) {
    const made = make(value, `weigher ${key}`, ctx, problems);
    if (made !== undefined && checkWeigher(key, made, problems)) weighers.set(key, made);
  }
  const middleware = new Map<string, MiddlewareFactory>();
  for (const [key, value] of Object.entries(table(exported, 'middleware', problems))) {
    if (typeof value === 'function') middleware.set(key, value as MiddlewareFactory);
    else problems.push(`middleware ${key} must be a factory function (options, context) => handler, got ${describe(value)}`);
  }
  const drivers: { [K in DriverKind]: Map<string, DriverFactory<unknown>> } = { container: new Map(), volume: new Map(), network: new Map(), image: new Map() };
  for (const [kind, byName] of Object.entries(table(exported, 'drivers', problems))) {
    if (!(kind in DRIVER_KINDS)) {
      problems.push(`unknown driver kind ${kind} (known: ${Object.keys(DRIVER_KINDS).join(', ')})`);
      continue;
    }
    if (!isRecord(byName)) {
      problems.push(`drivers.${kind} must be an object of named factories, got ${describe(byName)}`);
      continue;
    }
    for (const [key, value] of Object.entries(byName)) {
      if (typeof value === 'function') drivers[kind as DriverKind].set(key, value as DriverFactory<unknown>);
      else problems.push(`${kind} driver ${key} must be a factory function (context) => driver, got ${describe(value)}`);
    }
  }
  if (problems.length) throw new Error(`${label} refused: ${problems.join('; ')}`);
  return { name: name as string, source, filters, weighers, middleware, drivers };
}

export type { ZunPlugin };
