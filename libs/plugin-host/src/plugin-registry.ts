import { ConfigError, type Logger } from '@zun-ts/common';
import { type DriverFactory, type HostFilter, type HostWeigher, type MiddlewareFactory, type PluginContext } from '@zun-ts/plugin-api';
import { type CheckedPlugin, DRIVER_KINDS, type DriverKind } from './plugin-shape';

/** An element with the plug-in that provides it. */
export interface FromPlugin<T> {
  readonly plugin: string;
  readonly value: T;
}

function collect<T>(plugins: readonly CheckedPlugin[], what: string, pick: (p: CheckedPlugin) => ReadonlyMap<string, T>): Map<string, FromPlugin<T>> {
  const out = new Map<string, FromPlugin<T>>();
  for (const p of plugins) {
    for (const [name, value] of pick(p)) {
      const seen = out.get(name);
      if (seen) throw new ConfigError(`[DEFAULT] plugin_paths: ${what} ${name} is provided by both plug-in ${seen.plugin} and plug-in ${p.name}`);
      out.set(name, { plugin: p.name, value });
    }
  }
  return out;
}

/** The elements of the loaded plug-ins, by the names zun.conf and api-paste.ini select them with. */
export class PluginRegistry {
  readonly filters: ReadonlyMap<string, FromPlugin<HostFilter>>;
  readonly weighers: ReadonlyMap<string, FromPlugin<HostWeigher>>;
  readonly middleware: ReadonlyMap<string, FromPlugin<MiddlewareFactory>>;
  private readonly drivers: { readonly [K in DriverKind]: ReadonlyMap<string, FromPlugin<DriverFactory<unknown>>> };

  constructor(
    readonly plugins: readonly CheckedPlugin[],
    private readonly contextOf: (plugin: string) => PluginContext = () => ({ host: '', logger: silent }),
  ) {
    const names = new Map<string, string>();
    for (const p of plugins) {
      const other = names.get(p.name);
      if (other !== undefined) throw new ConfigError(`[DEFAULT] plugin_paths: two plug-ins are named ${p.name} (${other} and ${p.source})`);
      names.set(p.name, p.source);
    }
    this.filters = collect(plugins, 'filter', (p) => p.filters);
    this.weighers = collect(plugins, 'weigher', (p) => p.weighers);
    this.middleware = collect(plugins, 'middleware', (p) => p.middleware);
    this.drivers = {
      container: collect(plugins, 'container driver', (p) => p.drivers.container),
      volume: collect(plugins, 'volume driver', (p) => p.drivers.volume),
      network: collect(plugins, 'network driver', (p) => p.drivers.network),
      image: collect(plugins, 'image driver', (p) => p.drivers.image),
    };
  }

  /** No plug-ins. */
  static empty(): PluginRegistry {
    return new PluginRegistry([]);
  }

  /** Names of the loaded plug-ins. */
  names(): string[] {
    return this.plugins.map((p) => p.name);
  }

  /** `paste.filter_factory = <plugin>:<export>`: that plug-in's middleware export; ConfigError listing what exists. */
  middlewareExport(plugin: string, exportName: string): MiddlewareFactory {
    const p = this.plugins.find((x) => x.name === plugin);
    if (!p) throw new ConfigError(`no plug-in named ${plugin} is loaded (loaded: ${this.names().join(', ') || 'none; see [DEFAULT] plugin_paths'})`);
    const f = p.middleware.get(exportName);
    if (!f) throw new ConfigError(`plug-in ${plugin} has no middleware ${exportName} (it has: ${[...p.middleware.keys()].join(', ') || 'none'})`);
    return f;
  }

  /**
   * Makes the driver `name` of `kind` when a plug-in provides it; null when none does (a built-in may). A factory
   * that throws stops start-up with the plug-in's name. `more` is added to the factory's context (an image driver
   * gets `containerDriver`).
   */
  createDriver<D>(kind: DriverKind, name: string, more: object = {}): D | null {
    const found = this.drivers[kind].get(name);
    if (!found) return null;
    try {
      return (found.value as DriverFactory<D>)({ ...this.contextOf(found.plugin), ...more });
    } catch (err) {
      throw new ConfigError(`${DRIVER_KINDS[kind]} = ${name}: plug-in ${found.plugin} failed to make it: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Driver names of `kind` that plug-ins provide. */
  driverNames(kind: DriverKind): string[] {
    return [...this.drivers[kind].keys()];
  }

  /** The plug-in that provides the driver `name` of `kind`; undefined when none does. */
  driverPlugin(kind: DriverKind, name: string): string | undefined {
    return this.drivers[kind].get(name)?.plugin;
  }

  /**
   * `builtIns` and the plug-ins' elements as one map by name; a plug-in element named like a built-in is a
   * ConfigError (`what` names the kind in the message).
   */
  static merge<T>(what: string, builtIns: ReadonlyMap<string, T>, fromPlugins: ReadonlyMap<string, FromPlugin<T>>): Map<string, T> {
    const out = new Map(builtIns);
    for (const [name, { plugin, value }] of fromPlugins) {
      if (out.has(name)) throw new ConfigError(`plug-in ${plugin}: ${what} ${name} has the name of a built-in one`);
      out.set(name, value);
    }
    return out;
  }
}

/** The driver of `kind` named by zun.conf: a plug-in's, else a built-in; ConfigError listing both when neither. */
export function selectDriver<D>(registry: PluginRegistry, kind: DriverKind, name: string, builtIns: Readonly<Record<string, () => D>>): D {
  const builtIn = builtIns[name];
  const fromPlugin = registry.driverNames(kind).includes(name);
  if (builtIn && fromPlugin) throw new ConfigError(`${DRIVER_KINDS[kind]}: a plug-in's driver ${name} has the name of a built-in one`);
  if (builtIn) return builtIn();
  const made = registry.createDriver<D>(kind, name);
  if (made !== null) return made;
  const available = [...Object.keys(builtIns), ...registry.driverNames(kind)];
  throw new ConfigError(`${DRIVER_KINDS[kind]}: unknown driver ${name}; available: ${available.join(', ')}`);
}

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

/**
 * Checks `[DEFAULT] image_driver_list` and `default_image_driver` against the built-in image drivers and the
 * plug-ins' ones (zun-api and zun-compute, at start): a name nothing provides, or a plug-in's image driver named
 * like a built-in, is a ConfigError listing what is available. Returns the listed names that plug-ins provide.
 */
export function pluginImageDriverNames(registry: PluginRegistry, list: readonly string[], defaultName: string, builtIns: readonly string[]): string[] {
  const fromPlugins = registry.driverNames('image');
  const clash = fromPlugins.filter((n) => builtIns.includes(n));
  if (clash.length) throw new ConfigError(`${DRIVER_KINDS.image}: a plug-in's image driver ${clash.join(', ')} has the name of a built-in one`);
  const available = [...builtIns, ...fromPlugins];
  const unknown = list.filter((n) => !available.includes(n));
  if (unknown.length) throw new ConfigError(`${DRIVER_KINDS.image}: unknown image driver(s) ${unknown.join(', ')}; available: ${available.join(', ')}`);
  if (!available.includes(defaultName)) throw new ConfigError(`[DEFAULT] default_image_driver: unknown image driver ${defaultName}; available: ${available.join(', ')}`);
  return list.filter((n) => fromPlugins.includes(n));
}
