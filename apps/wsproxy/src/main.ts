import 'reflect-metadata';
import { Container } from 'inversify';
import { onShutdownSignals, bootstrapService, runMain } from '@zun-ts/service';
import { CONSOLE_ACCESS, NoConsoleAccess, type ConsoleAccess } from './console-access';
import { LOGGER, WSPROXY_CONF } from './tokens';
import { WsProxyServer } from './wsproxy.server';

const BINARY = 'zun-wsproxy';

void runMain(BINARY, async () => {
  const { conf, logger } = bootstrapService(BINARY);
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(WSPROXY_CONF).toConstantValue(conf.websocket_proxy);
  container.bind(LOGGER).toConstantValue(logger);
  container.bind<ConsoleAccess>(CONSOLE_ACCESS).to(NoConsoleAccess);
  container.bind(WsProxyServer).toSelf();

  const server = container.get(WsProxyServer);
  // No service row: `zun service-list` shows compute, conductor and scheduler only.
  onShutdownSignals(() => server.close(), logger);
  await server.listen();
});
