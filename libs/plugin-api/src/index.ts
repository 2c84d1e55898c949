/**
 * @zun-ts/plugin-api: everything a zun-ts plug-in may import. A plug-in imports this package only (types, and
 * the PLUGIN_API_VERSION constant); its semver is that of the contract, recorded in api-report.md.
 */
export { PLUGIN_API_VERSION, type Provided, type ZunPlugin } from './plugin';
export { type PluginContext, type PluginLogger } from './plugin-context';
export { type HostFilter, type HostState, type HostWeigher, type ScheduleRequest } from './scheduler';
export { type MiddlewareContext, type MiddlewareFactory, type MiddlewareOptions, type MiddlewareStage } from './middleware';
export type {
  ContainerCreateSpec,
  ContainerDriver,
  ContainerState,
  ContainerSummary,
  DriverFactory,
  HostInfo,
  ImageDriver,
  ImageDriverContext,
  ImageDriverFactory,
  ImagePullRequest,
  ImagePullResult,
  NetworkDriver,
  PluginDrivers,
  PulledImage,
  RegistryCredentials,
  VolumeCreateResult,
  VolumeCreateSpec,
  VolumeDriver,
} from './drivers';
export type { Container, CpuPolicy, ZunService } from '@zun-ts/objects';
export type { RequestContext } from '@zun-ts/common';
