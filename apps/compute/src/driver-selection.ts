import { type Container as InversifyContainer } from 'inversify';
import { type Logger } from '@zun-ts/common';
import { type ContainerDriver } from '@zun-ts/compute-driver';
import { DockerContainerDriver } from '@zun-ts/compute-driver-docker';
import { type ZunConf } from '@zun-ts/config';
import { NETWORK_DRIVER, type NetworkDriver } from '@zun-ts/network-driver';
import { type PluginRegistry, selectDriver } from '@zun-ts/plugin-host';
import { VOLUME_DRIVER, type VolumeDriver } from '@zun-ts/volume-driver';

/** `[compute] container_driver`: docker (built in) or a plug-in's driver; ConfigError listing both when unknown. */
export function selectContainerDriver(conf: ZunConf, plugins: PluginRegistry, logger: Logger): ContainerDriver {
  return selectDriver<ContainerDriver>(plugins, 'container', conf.compute.container_driver, {
    docker: () => DockerContainerDriver.fromConfig(conf.docker, { logger: logger.child({ component: 'docker' }) }),
  });
}

/**
 * Binds VOLUME_DRIVER and NETWORK_DRIVER when `[volume] volume_driver` / `[network] driver` name a plug-in's
 * driver; the built-in ones (local, vxlan) are left to bindCompute. An unknown name is a ConfigError listing both.
 */
export function bindPluginDrivers(container: InversifyContainer, conf: ZunConf, plugins: PluginRegistry): void {
  const volume = selectDriver<VolumeDriver | null>(plugins, 'volume', conf.volume.volume_driver, { local: () => null });
  if (volume) container.bind(VOLUME_DRIVER).toConstantValue(volume);
  const network = selectDriver<NetworkDriver | null>(plugins, 'network', conf.network.driver, { vxlan: () => null });
  if (network) container.bind(NETWORK_DRIVER).toConstantValue(network);
}
