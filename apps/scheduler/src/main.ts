import 'reflect-metadata';
import { Container } from 'inversify';
import { ConfigError, LOGGER } from '@zun-ts/common';
import { ZUN_CONF } from '@zun-ts/config';
import { COMPUTE_NODE_REPOSITORY, openDatabase, ZUN_SERVICE_REPOSITORY } from '@zun-ts/db';
import { RpcServer, SCHEDULER, SCHEDULER_TOPIC } from '@zun-ts/rpc';
import { bootstrapService, connectRpc, runMain, runService } from '@zun-ts/service';
import { loadPlugins } from '@zun-ts/plugin-host';
import { FilterScheduler } from './filter-scheduler';
import { bindSchedulerElements } from './scheduler.bindings';
import { SchedulerManager } from './scheduler.manager';

const BINARY = 'zun-scheduler';

void runMain(BINARY, async () => {
  const { conf, logger } = bootstrapService(BINARY);
  // Plug-ins first: one that is missing or of the wrong shape stops the start before anything connects.
  const plugins = loadPlugins(conf.DEFAULT.plugin_paths, { host: conf.DEFAULT.host, logger });
  // The scheduler reads compute nodes from the database; services never migrate it.
  const db = await openDatabase(conf, logger);

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(ZUN_CONF).toConstantValue(conf);
  container.bind(LOGGER).toConstantValue(logger);
  container.bind(COMPUTE_NODE_REPOSITORY).toConstantValue(db.computeNodes);
  container.bind(ZUN_SERVICE_REPOSITORY).toConstantValue(db.services);
  bindSchedulerElements(container, plugins);
  container.bind(FilterScheduler).toSelf();
  container.bind(SchedulerManager).toSelf();
  // Built before serving: an unknown name in [scheduler] enabled_filters or enabled_weighers stops the start with a clear error.
  let manager: SchedulerManager;
  try {
    manager = container.get(SchedulerManager);
  } catch (err) {
    await db.close();
    // FilterScheduler names the unknown filters and weighers; report it as the configuration problem it is.
    if (err instanceof Error && err.message.startsWith('[scheduler]')) throw new ConfigError(err.message);
    throw err;
  }

  const transport = connectRpc(conf, logger, { binary: BINARY, shutdownTimeoutMs: 25_000 });
  const server = new RpcServer(transport);
  await runService({
    binary: BINARY,
    topic: SCHEDULER_TOPIC,
    conf,
    registry: db.serviceRegistry,
    logger,
    start: () => server.serve(SCHEDULER, manager),
    stop: async () => {
      await transport.close();
      await db.close();
    },
  });
});
