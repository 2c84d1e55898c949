export const WSPROXY_CONF = Symbol.for('zun.wsproxy.WebsocketProxyConf');
/** The conductor's `consoleTarget` call (see ConductorConsoleApi). */
export const CONDUCTOR_CONSOLE_API = Symbol.for('zun.wsproxy.ConductorConsoleApi');
/** The {@link RelayConnector} used to reach compute hosts' console relays. */
export const RELAY_CONNECTOR = Symbol.for('zun.wsproxy.RelayConnector');
