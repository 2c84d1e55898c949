import 'reflect-metadata';
import { Container } from 'inversify';
import { Database } from '@zun-ts/db';
import { RpcServer, RpcTransport, SCHEDULER_TOPIC, type SchedulerRpcApi } from '@zun-ts/rpc';
import { assertSchemaCurrent, bootstrapService, runMain, runService } from '@zun-ts/service';
import { SchedulerManager } from './scheduler.manager';
import { SCHEDULER_CONF } from './tokens';

const BINARY = 'zun-scheduler';

void runMain(BINARY, async () => {
  const { conf, logger } = bootstrapService(BINARY);
  // The scheduler reads compute nodes from the database; services never migrate it.
  const db = await Database.open(conf.database.connection, {
    logger,
    poolSize: conf.database.max_pool_size,
    debug: conf.database.connection_debug,
  });
  try {
    assertSchemaCurrent(await db.version(), Database.migrationNames());
  } catch (err) {
    await db.close();
    throw err;
  }
  const transport = RpcTransport.connect({
    redisUrl: conf.redis.url,
    prefix: conf.redis.key_prefix,
    callTimeoutMs: conf.DEFAULT.rpc_response_timeout * 1000,
    shutdownTimeoutMs: 25_000,
    logger,
  });

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(SCHEDULER_CONF).toConstantValue(conf);
  container.bind(SchedulerManager).toSelf();

  const server = new RpcServer(transport);
  await runService({
    binary: BINARY,
    topic: SCHEDULER_TOPIC,
    conf,
    registry: db.serviceRegistry,
    logger,
    start: () => server.serve<SchedulerRpcApi>(SCHEDULER_TOPIC, container.get(SchedulerManager)),
    stop: async () => {
      await transport.close();
      await db.close();
    },
  });
});
