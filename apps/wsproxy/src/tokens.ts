import { type ServiceIdentifier } from 'inversify';
import { type WebsocketProxyConf } from '@zun-ts/config';
import { type ConductorConsoleApi } from './console-access';
import { type RelayConnector } from './relay.connector';

/** `[websocket_proxy]` of zun.conf. */
export const WSPROXY_CONF: ServiceIdentifier<WebsocketProxyConf> = Symbol.for('zun.wsproxy.WebsocketProxyConf');
/** The conductor's `consoleTarget` call (see ConductorConsoleApi). */
export const CONDUCTOR_CONSOLE_API: ServiceIdentifier<ConductorConsoleApi> = Symbol.for('zun.wsproxy.ConductorConsoleApi');
/** The {@link RelayConnector} used to reach compute hosts' console relays. */
export const RELAY_CONNECTOR: ServiceIdentifier<RelayConnector> = Symbol.for('zun.wsproxy.RelayConnector');
