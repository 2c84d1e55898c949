import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError, type Logger } from '@zun-ts/common';
import { type PluginContext } from '@zun-ts/plugin-api';
import { PluginRegistry } from './plugin-registry';
import { type CheckedPlugin, checkPlugin, pluginExportOf } from './plugin-shape';

/** Options of {@link loadPlugins}. */
export interface LoadPluginsOptions {
  /** `[DEFAULT] host`, given to the plug-ins' factories. */
  host: string;
  logger: Logger;
  /** Where relative paths and package names are resolved from (default: the working directory). */
  cwd?: string;
  /** Loads a resolved module (default: require; tests replace it). */
  load?: (resolvedPath: string) => unknown;
}

/** Whether a `plugin_paths` entry is a path rather than a package name. */
function isPath(entry: string): boolean {
  return isAbsolute(entry) || entry.startsWith('./') || entry.startsWith('../') || entry === '.' || entry === '..';
}

/**
 * Loads `[DEFAULT] plugin_paths`, in order: a path (a directory with a package.json `main` or an index file, or a
 * file) or an installed package name. Every plug-in is checked against the contract of @zun-ts/plugin-api; a
 * missing one, one that throws while loading, or one of the wrong shape stops start-up with a ConfigError naming it.
 */
export function loadPlugins(entries: readonly string[], options: LoadPluginsOptions): PluginRegistry {
  const cwd = options.cwd ?? process.cwd();
  const req = createRequire(join(cwd, 'noop.js'));
  const load = options.load ?? ((p: string): unknown => req(p));
  const contextOf = (plugin: string): PluginContext => ({ host: options.host, logger: options.logger.child({ plugin }) });
  const plugins: CheckedPlugin[] = [];
  for (const entry of entries) {
    let resolved: string;
    try {
      if (isPath(entry)) {
        const full = resolve(cwd, entry);
        if (!existsSync(full)) throw new Error(`${full} does not exist`);
        resolved = req.resolve(full);
      } else {
        resolved = req.resolve(entry);
      }
    } catch (err) {
      throw new ConfigError(`[DEFAULT] plugin_paths: plug-in ${entry} not found: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
    let mod: unknown;
    try {
      mod = load(resolved);
    } catch (err) {
      throw new ConfigError(`[DEFAULT] plugin_paths: plug-in ${entry} failed to load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
    let checked: CheckedPlugin;
    try {
      checked = checkPlugin(pluginExportOf(mod), entry, contextOf);
    } catch (err) {
      throw new ConfigError(`[DEFAULT] plugin_paths: ${err instanceof Error ? err.message : String(err)}`);
    }
    plugins.push(checked);
    options.logger.info('plug-in loaded', {
      plugin: checked.name,
      source: entry,
      filters: [...checked.filters.keys()],
      weighers: [...checked.weighers.keys()],
      middleware: [...checked.middleware.keys()],
      drivers: Object.fromEntries(Object.entries(checked.drivers).map(([k, m]) => [k, [...m.keys()]])),
    });
  }
  return new PluginRegistry(plugins, contextOf);
}
