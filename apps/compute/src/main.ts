import 'reflect-metadata';
import { Container } from 'inversify';
import { adminContext } from '@zun-ts/common';
import { DockerConsoleStreams, DockerContainerDriver } from '@zun-ts/compute-driver-docker';
import { COMPUTE, CONDUCTOR, ConductorServiceRegistry, computeTopic, RpcServer, rpcClient } from '@zun-ts/rpc';
import { bootstrapService, connectRpc, runMain, runService } from '@zun-ts/service';
import { ComputeManager } from './compute.manager';
import { COMPUTE_CONSOLE, ComputeConsole } from './compute-console.service';
import { ConsoleGrants } from './console-grants';
import { ConsoleRelay } from './console-relay.server';
import { ContainerRecords } from './conductor-api';
import { ContainerBuilder } from './container-builder';
import { ContainerOperations } from './container-operations';
import { ContainerSync } from './container-sync';
import { KeyedLock } from './keyed-lock';
import { PeriodicTask } from './periodic-task';
import { ResourceTracker } from './resource-tracker';
import { COMPUTE_CONF, CONTAINER_DRIVER, CONTAINER_OPERATIONS } from './tokens';

const BINARY = 'zun-compute';

// A compute host has no database access: it registers, heartbeats, saves containers and reports its
// resources through the conductor. It drives the engine on its own unix socket only.
void runMain(BINARY, async () => {
  const { conf, logger } = bootstrapService(BINARY);
  const host = conf.DEFAULT.host;
  const topic = computeTopic(host);
  const driver = DockerContainerDriver.fromConfig(conf.docker, { logger: logger.child({ component: 'docker' }) });
  const transport = connectRpc(conf, logger, { binary: BINARY, shutdownTimeoutMs: 25_000 });
  const conductor = rpcClient(transport, CONDUCTOR);

  const records = new ContainerRecords(conductor, host, logger);
  const locks = new KeyedLock();
  const tracker = new ResourceTracker(driver, records, conf.compute.reserve_disk_for_image, logger, conf.compute.reserved_host_memory_mb);
  const builder = new ContainerBuilder(driver, records, logger, () => tracker.diskQuotaSupported());
  const ops = new ContainerOperations(driver, records, builder, locks, logger);
  const intervalMs = conf.DEFAULT.periodic_interval * 1000;
  // An engine container of this host without a record is removed only after two full sync periods:
  // long enough for any create in flight to have saved its record.
  const sync = new ContainerSync(driver, records, builder, locks, logger, { orphanGraceMs: 2 * intervalMs });
  const periodic = [
    new PeriodicTask('update_available_resources', intervalMs, () => tracker.update(), logger),
    new PeriodicTask('sync_container_state', intervalMs, () => sync.syncAll(), logger),
  ];

  // Attach and interactive exec: this host's relay bridges one Docker session per connection from
  // zun-wsproxy, for the token it minted; the engine's API itself stays on the unix socket.
  const grants = new ConsoleGrants(conf.compute.relay_token_ttl * 1000);
  const relay = new ConsoleRelay(DockerConsoleStreams.fromConfig(conf.docker, logger.child({ component: 'console' })), grants, {
    host: conf.compute.relay_host,
    port: conf.compute.relay_port,
    publicHost: host,
    logger: logger.child({ component: 'console-relay' }),
  });
  const consoles = new ComputeConsole(grants, relay, conductor);

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(COMPUTE_CONF).toConstantValue(conf);
  container.bind(CONTAINER_DRIVER).toConstantValue(driver);
  container.bind(CONTAINER_OPERATIONS).toConstantValue(ops);
  container.bind(COMPUTE_CONSOLE).toConstantValue(consoles);
  container.bind(ComputeManager).toSelf();

  const server = new RpcServer(transport);
  await runService({
    binary: BINARY,
    topic,
    conf,
    registry: new ConductorServiceRegistry(conductor),
    logger,
    start: async () => {
      await relay.listen();
      // Each create holds its slot through pull, create and start: allow many at once.
      await server.serve(COMPUTE, container.get(ComputeManager), { host, concurrency: 64 });
      await ops.recover(adminContext()).catch((err: unknown) => logger.warn('start-up recovery failed', { error: (err as Error).message }));
      sync.start();
      for (const p of periodic) p.start();
    },
    stop: async () => {
      await Promise.all(periodic.map((p) => p.stop()));
      await sync.stop();
      await relay.close();
      await transport.close(); // stops taking messages, waits for the ones in flight
      await locks.idle();
      await driver.close();
    },
  });
});
