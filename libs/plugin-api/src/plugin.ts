import { type PluginDrivers } from './drivers';
import { type MiddlewareFactory } from './middleware';
import { type PluginContext } from './plugin-context';
import { type HostFilter, type HostWeigher } from './scheduler';

/** The contract version this package describes; a plug-in states the one it was built against. */
export const PLUGIN_API_VERSION = '1.1.0';

/** A filter or weigher given as is, or made at start from the context. */
export type Provided<T> = T | ((context: PluginContext) => T);

/**
 * What a plug-in module exports, as `zunPlugin` or as its default export. Every element is exported under the
 * name zun.conf and api-paste.ini select it by, exactly like a built-in one; a filter's or weigher's own `name`
 * must be that name.
 *
 * ```ts
 * import { type ZunPlugin } from '@zun-ts/plugin-api';
 * export const zunPlugin: ZunPlugin = {
 *   name: 'my-team',
 *   apiVersion: '1.0.0',
 *   filters: { MyTeamFilter: { name: 'MyTeamFilter', runOncePerRequest: true, hostPasses: (h) => h.labels['team'] === 'mine' } },
 * };
 * ```
 */
export interface ZunPlugin {
  /** How errors, logs and `paste.filter_factory = <name>:<export>` refer to the plug-in. */
  readonly name: string;
  /** The `@zun-ts/plugin-api` version it was built against; a different major version is refused. */
  readonly apiVersion: string;
  /** Scheduler filters for `[scheduler] enabled_filters`. */
  readonly filters?: Readonly<Record<string, Provided<HostFilter>>>;
  /** Scheduler weighers for `[scheduler] enabled_weighers`. */
  readonly weighers?: Readonly<Record<string, Provided<HostWeigher>>>;
  /** API middleware for api-paste.ini (`use = <name>`, `paste.filter_factory = <plugin>:<name>`, or a pipeline entry). */
  readonly middleware?: Readonly<Record<string, MiddlewareFactory>>;
  /** Drivers of zun-compute. */
  readonly drivers?: PluginDrivers;
}
