import { type ServiceIdentifier } from 'inversify';
import { type ConsoleConductorApi } from './compute-console.service';
import { type ConductorApi } from './conductor-api';

/** The conductor as this host's records see it ({@link ConductorApi}; the RPC client is bound in main). */
export const CONDUCTOR_API: ServiceIdentifier<ConductorApi> = Symbol.for('zun.compute.ConductorApi');
/** Where console sessions are recorded ({@link ConsoleConductorApi}; the RPC client is bound in main). */
export const CONSOLE_CONDUCTOR_API: ServiceIdentifier<ConsoleConductorApi> = Symbol.for('zun.compute.ConsoleConductorApi');
