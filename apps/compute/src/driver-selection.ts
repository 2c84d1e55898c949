import { type Container as InversifyContainer } from 'inversify';
import { ConfigError, type Logger } from '@zun-ts/common';
import { type ContainerDriver, type ImageDriver } from '@zun-ts/compute-driver';
import { DockerContainerDriver } from '@zun-ts/compute-driver-docker';
import { IMAGE_DRIVER_NAMES, type ZunConf } from '@zun-ts/config';
import { NETWORK_DRIVER, type NetworkDriver } from '@zun-ts/network-driver';
import { pluginImageDriverNames, type PluginRegistry, selectDriver } from '@zun-ts/plugin-host';
import { VOLUME_DRIVER, type VolumeDriver } from '@zun-ts/volume-driver';
import { PLUGIN_IMAGE_DRIVERS } from './tokens';

/** `[compute] container_driver`: docker (built in) or a plug-in's driver; ConfigError listing both when unknown. */
export function selectContainerDriver(conf: ZunConf, plugins: PluginRegistry, logger: Logger): ContainerDriver {
  return selectDriver<ContainerDriver>(plugins, 'container', conf.compute.container_driver, {
    docker: () => DockerContainerDriver.fromConfig(conf.docker, { logger: logger.child({ component: 'docker' }) }),
  });
}

/**
 * The plug-ins' image drivers named in `[DEFAULT] image_driver_list`, made with this host's container driver (the
 * built-in docker and glance are made by bindCompute). An unknown name in the list or in `default_image_driver`
 * is a ConfigError listing what is available; a made driver without `pull`, or whose `name` is not the one it is
 * exported under, one naming the plug-in.
 */
export function selectPluginImageDrivers(conf: ZunConf, plugins: PluginRegistry, containerDriver: ContainerDriver): ImageDriver[] {
  const names = pluginImageDriverNames(plugins, conf.DEFAULT.image_driver_list, conf.DEFAULT.default_image_driver, IMAGE_DRIVER_NAMES);
  return names.map((name) => {
    const made = plugins.createDriver<Partial<ImageDriver> | null>('image', name, { containerDriver });
    const problems: string[] = [];
    if (typeof made !== 'object' || made === null) problems.push(`its factory returned ${made === null ? 'null' : typeof made}, not a driver`);
    else {
      if (made.name !== name) problems.push(`its name is ${JSON.stringify(made.name)}, not ${name}`);
      if (typeof made.pull !== 'function') problems.push('it has no pull(ctx, container, registry) method');
    }
    if (problems.length) throw new ConfigError(`[DEFAULT] image_driver_list = ${name}: plug-in ${plugins.driverPlugin('image', name) ?? '?'} refused: ${problems.join('; ')}`);
    return made as ImageDriver;
  });
}

/**
 * Binds VOLUME_DRIVER and NETWORK_DRIVER when `[volume] volume_driver` / `[network] driver` name a plug-in's
 * driver; the built-in ones (local, vxlan) are left to bindCompute. An unknown name is a ConfigError listing both.
 * `imageDrivers` (of {@link selectPluginImageDrivers}) are bound as PLUGIN_IMAGE_DRIVERS for bindCompute.
 */
export function bindPluginDrivers(container: InversifyContainer, conf: ZunConf, plugins: PluginRegistry, imageDrivers: readonly ImageDriver[] = []): void {
  container.bind(PLUGIN_IMAGE_DRIVERS).toConstantValue(imageDrivers);
  const volume = selectDriver<VolumeDriver | null>(plugins, 'volume', conf.volume.volume_driver, { local: () => null });
  if (volume) container.bind(VOLUME_DRIVER).toConstantValue(volume);
  const network = selectDriver<NetworkDriver | null>(plugins, 'network', conf.network.driver, { vxlan: () => null });
  if (network) container.bind(NETWORK_DRIVER).toConstantValue(network);
}
