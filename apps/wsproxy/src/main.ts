import 'reflect-metadata';
import { Container } from 'inversify';
import { LOGGER } from '@zun-ts/common';
import { CONDUCTOR, rpcClient } from '@zun-ts/rpc';
import { bootstrapService, connectRpc, onShutdownSignals, runMain } from '@zun-ts/service';
import { CONSOLE_ACCESS, ConductorConsoleAccess, type ConsoleAccess } from './console-access';
import { type RelayConnector, WsRelayConnector } from './relay.connector';
import { CONDUCTOR_CONSOLE_API, RELAY_CONNECTOR, WSPROXY_CONF } from './tokens';
import { WsProxyServer } from './wsproxy.server';

const BINARY = 'zun-wsproxy';

void runMain(BINARY, async () => {
  const { conf, logger } = bootstrapService(BINARY);
  // The proxy holds no database credentials: console tokens are checked against the conductor's records.
  const transport = connectRpc(conf, logger, { binary: BINARY });

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(WSPROXY_CONF).toConstantValue(conf.websocket_proxy);
  container.bind(LOGGER).toConstantValue(logger);
  container.bind(CONDUCTOR_CONSOLE_API).toConstantValue(rpcClient(transport, CONDUCTOR));
  container.bind<ConsoleAccess>(CONSOLE_ACCESS).to(ConductorConsoleAccess);
  container.bind<RelayConnector>(RELAY_CONNECTOR).to(WsRelayConnector);
  container.bind(WsProxyServer).toSelf();

  const server = container.get(WsProxyServer);
  // No service row: `zun service-list` shows compute, conductor and scheduler only.
  onShutdownSignals(async () => {
    await server.close();
    await transport.close();
  }, logger);
  await server.listen();
});
