import { type ServiceIdentifier } from 'inversify';
import { type ComputeClient, type SchedulerClient } from '@zun-ts/rpc';

/** The scheduler as the build task uses it (a call: the answer is needed to go on). */
export type SchedulerApi = Pick<SchedulerClient, 'call'>;
/** {@link SchedulerApi}: where the build task asks for hosts. */
export const SCHEDULER_API: ServiceIdentifier<SchedulerApi> = Symbol.for('zun.conductor.SchedulerApi');

/** The client of a compute host's topic, as the build task uses it (it only casts the create). */
export type ComputeCaster = (host: string) => Pick<ComputeClient, 'cast'>;
/** {@link ComputeCaster}: how the build task hands a container to a compute host. */
export const COMPUTE_CASTER: ServiceIdentifier<ComputeCaster> = Symbol.for('zun.conductor.ComputeCaster');
