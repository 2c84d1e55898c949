export const SCHEDULER_CONF = Symbol.for('zun.ZunConf');
