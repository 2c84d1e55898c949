export const WSPROXY_CONF = Symbol.for('zun.wsproxy.WebsocketProxyConf');
export const LOGGER = Symbol.for('zun.Logger');
