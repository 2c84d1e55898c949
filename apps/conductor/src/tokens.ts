export const CONDUCTOR_CONF = Symbol.for('zun.ZunConf');
export const LOGGER = Symbol.for('zun.Logger');
export const SERVICE_REPOSITORY = Symbol.for('zun.ZunServiceRepository');
export const CONTAINER_REPOSITORY = Symbol.for('zun.ContainerRepository');
export const COMPUTE_NODE_REPOSITORY = Symbol.for('zun.ComputeNodeRepository');
export const ACTION_REPOSITORY = Symbol.for('zun.ContainerActionRepository');
/** {@link SchedulerApi}: where the build task asks for hosts. */
export const SCHEDULER_API = Symbol.for('zun.conductor.SchedulerApi');
/** {@link ComputeCaster}: how the build task hands a container to a compute host. */
export const COMPUTE_CASTER = Symbol.for('zun.conductor.ComputeCaster');
