export { loadPlugins, type LoadPluginsOptions } from './plugin-loader';
export { type FromPlugin, pluginImageDriverNames, PluginRegistry, selectDriver } from './plugin-registry';
export { type CheckedPlugin, checkPlugin, DRIVER_KINDS, type DriverKind, pluginExportOf } from './plugin-shape';
