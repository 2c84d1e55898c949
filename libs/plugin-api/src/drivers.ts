import { type ContainerDriver } from '@zun-ts/compute-driver';
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
  ImagePullResult,
} from '@zun-ts/compute-driver';
export type { VolumeDriver, VolumeCreateSpec, VolumeCreateResult } from '@zun-ts/volume-driver';
export type { NetworkDriver } from '@zun-ts/network-driver';

/** Makes a driver on a compute host, once at start of zun-compute. */
export type DriverFactory<D> = (context: PluginContext) => D;

/**
 * Drivers by kind, each by the name zun.conf selects it with: `[compute] container_driver`,
 * `[volume] volume_driver`, `[network] driver`.
 */
export interface PluginDrivers {
  readonly container?: Readonly<Record<string, DriverFactory<ContainerDriver>>>;
  readonly volume?: Readonly<Record<string, DriverFactory<VolumeDriver>>>;
  readonly network?: Readonly<Record<string, DriverFactory<NetworkDriver>>>;
}
