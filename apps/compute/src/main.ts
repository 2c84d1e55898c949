import 'reflect-metadata';
import { Container } from 'inversify';
import { adminContext, KeyedLock, LOGGER, secretBoxFromOptions } from '@zun-ts/common';
import { CONSOLE_STREAMS, CONTAINER_DRIVER } from '@zun-ts/compute-driver';
import { DockerConsoleStreams } from '@zun-ts/compute-driver-docker';
import { loadPlugins } from '@zun-ts/plugin-host';
import { ZUN_CONF } from '@zun-ts/config';
import { COMPUTE_BINARY } from '@zun-ts/objects';
import { COMPUTE, CONDUCTOR, ConductorServiceRegistry, computeTopic, RpcServer, rpcClient } from '@zun-ts/rpc';
import { bootstrapService, connectRpc, PERIODIC_TASK, runMain, runService } from '@zun-ts/service';
import { bindCompute } from './compute.bindings';
import { ComputeManager } from './compute.manager';
import { startCompute } from './compute-startup';
import { ConsoleRelay } from './console-relay.server';
import { ContainerNetworks } from './container-networks';
import { ContainerOperations } from './container-operations';
import { ContainerSync } from './container-sync';
import { measuredDriver, reportContainersByStatus } from './driver-metrics';
import { bindPluginDrivers, selectContainerDriver, selectPluginImageDrivers } from './driver-selection';
import { CONDUCTOR_API, CONSOLE_CONDUCTOR_API } from './tokens';

const BINARY = COMPUTE_BINARY;

// A compute host has no database access: it registers, heartbeats, saves containers and reports its
// resources through the conductor. It drives the engine on its own unix socket only.
void runMain(BINARY, async () => {
  const { conf, logger } = bootstrapService(BINARY);
  // Registry passwords reach this host sealed: without a usable key no private pull could work, so refuse to start.
  secretBoxFromOptions(conf.DEFAULT);
  const host = conf.DEFAULT.host;
  const topic = computeTopic(host);
  // Plug-ins may bring drivers; an unknown driver name, or a plug-in that fails, stops the start here.
  const plugins = loadPlugins(conf.DEFAULT.plugin_paths, { host, logger });
  const engine = selectContainerDriver(conf, plugins, logger);
  reportContainersByStatus(engine);
  const driver = measuredDriver(engine);
  const imageDrivers = selectPluginImageDrivers(conf, plugins, driver);
  const transport = connectRpc(conf, logger, { binary: BINARY, shutdownTimeoutMs: 25_000 });
  const conductor = rpcClient(transport, CONDUCTOR);

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(ZUN_CONF).toConstantValue(conf);
  container.bind(LOGGER).toConstantValue(logger);
  container.bind(CONTAINER_DRIVER).toConstantValue(driver);
  container.bind(CONSOLE_STREAMS).toConstantValue(DockerConsoleStreams.fromConfig(conf.docker, logger.child({ component: 'console' })));
  container.bind(CONDUCTOR_API).toConstantValue(conductor);
  container.bind(CONSOLE_CONDUCTOR_API).toConstantValue(conductor);
  bindPluginDrivers(container, conf, plugins, imageDrivers);
  bindCompute(container);

  const ops = container.get(ContainerOperations);
  const sync = container.get(ContainerSync);
  const relay = container.get(ConsoleRelay);
  const periodic = container.getAll(PERIODIC_TASK);
  const server = new RpcServer(transport);
  await runService({
    binary: BINARY,
    topic,
    conf,
    registry: new ConductorServiceRegistry(conductor),
    logger,
    start: () =>
      startCompute(
        {
          listen: async () => {
            await relay.listen();
          },
          recoverNetworks: () => container.get(ContainerNetworks).recover(adminContext()),
          recover: () => ops.recover(adminContext()),
          // Each create holds its slot through pull, create and start: allow many at once.
          serve: () => server.serve(COMPUTE, container.get(ComputeManager), { host, concurrency: 64 }),
          startSync: () => {
            sync.start();
            for (const p of periodic) p.start();
          },
        },
        logger,
      ),
    stop: async () => {
      await Promise.all(periodic.map((p) => p.stop()));
      await sync.stop();
      await relay.close();
      await transport.close(); // stops taking messages, waits for the ones in flight
      await container.get(KeyedLock).idle();
      await container.get(ContainerNetworks).dropIdle(adminContext());
      // The Docker driver holds a connection pool; a plug-in's driver may offer close() too.
      if ('close' in engine && typeof engine.close === 'function') await (engine.close as () => Promise<void>).call(engine);
    },
  });
});
