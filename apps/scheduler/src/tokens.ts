export const SCHEDULER_CONF = Symbol.for('zun.ZunConf');
/** The compute_node table (read-only here). */
export const COMPUTE_NODE_REPOSITORY = Symbol.for('zun.ComputeNodeRepository');
/** The zun_service table (read-only here). */
export const SERVICE_REPOSITORY = Symbol.for('zun.ZunServiceRepository');
