import { type ContainerDriver, type ImageDriver } from '@zun-ts/compute-driver';
import { type NetworkDriver } from '@zun-ts/network-driver';
import { type VolumeDriver } from '@zun-ts/volume-driver';
import { type PluginContext } from './plugin-context';

export type {
  ContainerDriver,
  ContainerCreateSpec,
  ContainerState,
  ContainerSummary,
  HostInfo,
  ImagePullRequest,
  ImageDriver,
  ImagePullResult,
  PulledImage,
  RegistryCredentials,
} from '@zun-ts/compute-driver';
export type { VolumeDriver, VolumeCreateSpec, VolumeCreateResult } from '@zun-ts/volume-driver';
export type { NetworkDriver } from '@zun-ts/network-driver';

/** Makes a driver on a compute host, once at start of zun-compute. */
export type DriverFactory<D> = (context: PluginContext) => D;

/** What an image driver's factory gets: the plug-in context and this host's container driver (to load, tag, inspect images). */
export interface ImageDriverContext extends PluginContext {
  readonly containerDriver: ContainerDriver;
}

/**
 * Makes an image driver on a compute host, once at start of zun-compute. The driver's `name` must be the name it
 * is exported under.
 */
export type ImageDriverFactory = (context: ImageDriverContext) => ImageDriver;

/**
 * Drivers by kind, each by the name zun.conf selects it with: `[compute] container_driver`,
 * `[volume] volume_driver`, `[network] driver`, and (image drivers, any number of them) `[DEFAULT]
 * image_driver_list` / `default_image_driver` and a container's `image_driver`.
 */
export interface PluginDrivers {
  readonly container?: Readonly<Record<string, DriverFactory<ContainerDriver>>>;
  readonly volume?: Readonly<Record<string, DriverFactory<VolumeDriver>>>;
  readonly network?: Readonly<Record<string, DriverFactory<NetworkDriver>>>;
  /** Since 1.1.0. Compute side only: zun-api neither validates nor searches images of a plug-in's image driver. */
  readonly image?: Readonly<Record<string, ImageDriverFactory>>;
}
