import 'reflect-metadata';
import { Container } from 'inversify';
import { LOGGER, type Logger } from '@zun-ts/common';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import {
  COMPUTE_NODE_REPOSITORY,
  CONTAINER_ACTION_REPOSITORY,
  CONTAINER_REPOSITORY,
  EXEC_INSTANCE_REPOSITORY,
  IMAGE_REPOSITORY,
  NETWORK_REPOSITORY,
  openDatabase,
  VOLUME_REPOSITORY,
  ZUN_SERVICE_REPOSITORY,
} from '@zun-ts/db';
import { COMPUTE, CONDUCTOR, CONDUCTOR_TOPIC, RpcServer, rpcClient, SCHEDULER } from '@zun-ts/rpc';
import { bootstrapService, connectRpc, launchWorkers, runMain, runService } from '@zun-ts/service';
import { ConductorManager } from './conductor.manager';
import { ConsoleRecords } from './console-records';
import { ImageRecords } from './image-records';
import { NetworkRecords } from './network-records';
import { RegistryRecords } from './registry-records';
import { SelectBatcher } from './select-batcher';
import { BuildContainerTask } from './tasks/build-container.task';
import { RecoverBuildsTask } from './tasks/recover-builds.task';
import { COMPUTE_CASTER, SCHEDULER_API } from './tokens';
import { VolumeRecords } from './volume-records';

const BINARY = 'zun-conductor';

/** One conductor worker: serves the conductor topic and keeps its own service row alive. */
async function runConductor(conf: ZunConf, logger: Logger): Promise<void> {
  const db = await openDatabase(conf, logger);
  // Leaves room inside runService's 30 s stop bound to close the database.
  const transport = connectRpc(conf, logger, { binary: BINARY, shutdownTimeoutMs: 25_000 });

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(ZUN_CONF).toConstantValue(conf);
  container.bind(LOGGER).toConstantValue(logger);
  container.bind(ZUN_SERVICE_REPOSITORY).toConstantValue(db.services);
  container.bind(CONTAINER_REPOSITORY).toConstantValue(db.containers);
  container.bind(COMPUTE_NODE_REPOSITORY).toConstantValue(db.computeNodes);
  container.bind(CONTAINER_ACTION_REPOSITORY).toConstantValue(db.actions);
  container.bind(EXEC_INSTANCE_REPOSITORY).toConstantValue(db.execInstances);
  container.bind(VOLUME_REPOSITORY).toConstantValue(db.volumes);
  container.bind(NETWORK_REPOSITORY).toConstantValue(db.networks);
  container.bind(IMAGE_REPOSITORY).toConstantValue(db.images);
  // The builds that reach scheduling in one turn are decided in one message (ADR 0025).
  container.bind(SCHEDULER_API).toConstantValue(new SelectBatcher(rpcClient(transport, SCHEDULER), logger));
  container.bind(COMPUTE_CASTER).toConstantValue((host: string) => rpcClient(transport, COMPUTE, host));
  container
    .bind(ConsoleRecords)
    .toDynamicValue((ctx) => new ConsoleRecords(ctx.get(CONTAINER_REPOSITORY), ctx.get(EXEC_INSTANCE_REPOSITORY)));
  container
    .bind(VolumeRecords)
    .toDynamicValue((ctx) => new VolumeRecords(ctx.get(VOLUME_REPOSITORY), ctx.get(CONTAINER_REPOSITORY), ctx.get(LOGGER)));
  container
    .bind(NetworkRecords)
    .toDynamicValue((ctx) => new NetworkRecords(ctx.get(NETWORK_REPOSITORY), ctx.get(CONTAINER_REPOSITORY), ctx.get(COMPUTE_CASTER), ctx.get(LOGGER)));
  container.bind(ImageRecords).toDynamicValue((ctx) => new ImageRecords(ctx.get(IMAGE_REPOSITORY), ctx.get(LOGGER)));
  container.bind(RegistryRecords).toDynamicValue((ctx) => new RegistryRecords(db.registries, ctx.get(CONTAINER_REPOSITORY), ctx.get(LOGGER)));
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
      await server.serve(CONDUCTOR, manager);
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
