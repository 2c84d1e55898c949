export const COMPUTE_CONF = Symbol.for('zun.ZunConf');
/** The ContainerDriver of this host's engine. */
export const CONTAINER_DRIVER = Symbol.for('zun.compute.ContainerDriver');
/** The ContainerOperations of this host. */
export const CONTAINER_OPERATIONS = Symbol.for('zun.compute.ContainerOperations');
