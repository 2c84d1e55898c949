import { type ServiceIdentifier } from 'inversify';
import { type ImageDriver } from '@zun-ts/compute-driver';
import { type ConsoleConductorApi } from './compute-console.service';
import { type ConductorApi } from './conductor-api';

/** The conductor as this host's records see it ({@link ConductorApi}; the RPC client is bound in main). */
export const CONDUCTOR_API: ServiceIdentifier<ConductorApi> = Symbol.for('zun.compute.ConductorApi');
/** Where console sessions are recorded ({@link ConsoleConductorApi}; the RPC client is bound in main). */
export const CONSOLE_CONDUCTOR_API: ServiceIdentifier<ConsoleConductorApi> = Symbol.for('zun.compute.ConsoleConductorApi');
/** Image drivers of plug-ins named in `[DEFAULT] image_driver_list` (bound in main; absent: built-ins only). */
export const PLUGIN_IMAGE_DRIVERS: ServiceIdentifier<readonly ImageDriver[]> = Symbol.for('zun.compute.PluginImageDrivers');
