export const COMPUTE_CONF = Symbol.for('zun.ZunConf');
