import 'reflect-metadata';
import { Container } from 'inversify';
import { LOGGER, type Logger } from '@zun-ts/common';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import {
  COMPUTE_NODE_REPOSITORY,
  CONTAINER_ACTION_REPOSITORY,
  CONTAINER_REPOSITORY,
  EXEC_INSTANCE_REPOSITORY,
  openDatabase,
  ZUN_SERVICE_REPOSITORY,
} from '@zun-ts/db';
import { CONDUCTOR_TOPIC, RpcServer, RpcTransport, type ConductorRpcApi } from '@zun-ts/rpc';
import { bootstrapService, launchWorkers, runMain, runService } from '@zun-ts/service';
import { ConductorManager } from './conductor.manager';
import { ConsoleRecords } from './console-records';
import { RpcComputeCaster, RpcSchedulerApi } from './rpc-apis';
import { BuildContainerTask } from './tasks/build-container.task';
import { RecoverBuildsTask } from './tasks/recover-builds.task';
import { COMPUTE_CASTER, SCHEDULER_API } from './tokens';

const BINARY = 'zun-conductor';

/** One conductor worker: serves the conductor topic and keeps its own service row alive. */
async function runConductor(conf: ZunConf, logger: Logger): Promise<void> {
  const db = await openDatabase(conf, logger);
  const transport = RpcTransport.connect({
    redisUrl: conf.redis.url,
    prefix: conf.redis.key_prefix,
    callTimeoutMs: conf.DEFAULT.rpc_response_timeout * 1000,
    // Leaves room inside runService's 30 s stop bound to close the database.
    shutdownTimeoutMs: 25_000,
    logger,
  });

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(ZUN_CONF).toConstantValue(conf);
  container.bind(LOGGER).toConstantValue(logger);
  container.bind(ZUN_SERVICE_REPOSITORY).toConstantValue(db.services);
  container.bind(CONTAINER_REPOSITORY).toConstantValue(db.containers);
  container.bind(COMPUTE_NODE_REPOSITORY).toConstantValue(db.computeNodes);
  container.bind(CONTAINER_ACTION_REPOSITORY).toConstantValue(db.actions);
  container.bind(EXEC_INSTANCE_REPOSITORY).toConstantValue(db.execInstances);
  container.bind(SCHEDULER_API).toConstantValue(new RpcSchedulerApi(transport));
  container.bind(COMPUTE_CASTER).toConstantValue(new RpcComputeCaster(transport));
  container
    .bind(ConsoleRecords)
    .toDynamicValue((ctx) => new ConsoleRecords(ctx.get(CONTAINER_REPOSITORY), ctx.get(EXEC_INSTANCE_REPOSITORY)));
  container.bind(BuildContainerTask).toSelf();
  container.bind(ConductorManager).toSelf();
  container.bind(RecoverBuildsTask).toSelf();
  const manager = container.get(ConductorManager);
  const recovery = container.get(RecoverBuildsTask);

  const server = new RpcServer(transport);
  await runService({
    binary: BINARY,
    topic: CONDUCTOR_TOPIC,
    conf,
    registry: db.serviceRegistry,
    logger,
    start: async () => {
      await server.serve<ConductorRpcApi>(CONDUCTOR_TOPIC, manager);
      recovery.start();
    },
    stop: async () => {
      await recovery.stop();
      await transport.close(); // stops its servers first, waiting for jobs in flight
      await db.close();
    },
  });
}

void runMain(BINARY, async () => {
  const { conf, logger } = bootstrapService(BINARY);
  // Check the schema once before forking, so a database that is not ready stops
  // the service with one clear message instead of a crash loop of workers.
  await (await openDatabase(conf, logger)).close();
  launchWorkers(conf.conductor.workers, () => runConductor(conf, logger), logger);
});
