export const CONDUCTOR_CONF = Symbol.for('zun.ZunConf');
export const LOGGER = Symbol.for('zun.Logger');
export const SERVICE_REPOSITORY = Symbol.for('zun.ZunServiceRepository');
