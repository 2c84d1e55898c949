import { type ServiceIdentifier } from 'inversify';
import { type ComputeCaster, type SchedulerApi } from './rpc-apis';

/** {@link SchedulerApi}: where the build task asks for hosts. */
export const SCHEDULER_API: ServiceIdentifier<SchedulerApi> = Symbol.for('zun.conductor.SchedulerApi');
/** {@link ComputeCaster}: how the build task hands a container to a compute host. */
export const COMPUTE_CASTER: ServiceIdentifier<ComputeCaster> = Symbol.for('zun.conductor.ComputeCaster');
