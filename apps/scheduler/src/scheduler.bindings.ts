import { type Container } from 'inversify';
import { type PluginRegistry } from '@zun-ts/plugin-host';
import { AVAILABLE_HOST_FILTERS, HOST_FILTER, type HostFilter } from './filters';
import { HOST_WEIGHER, type HostWeigher } from './weighers/ram.weigher';

/**
 * Binds the built-in filters and those of the plug-ins to HOST_FILTER, and the plug-ins' weighers to HOST_WEIGHER
 * (FilterScheduler adds the built-in RamWeigher), so
 * `[scheduler] enabled_filters` and `enabled_weighers` select both the same way (FilterScheduler refuses two
 * elements of one name).
 */
export function bindSchedulerElements(container: Container, plugins: PluginRegistry): void {
  for (const filter of AVAILABLE_HOST_FILTERS) container.bind<HostFilter>(HOST_FILTER).to(filter);
  for (const { value } of plugins.filters.values()) container.bind<HostFilter>(HOST_FILTER).toConstantValue(value);
  for (const { value } of plugins.weighers.values()) container.bind<HostWeigher>(HOST_WEIGHER).toConstantValue(value);
}
