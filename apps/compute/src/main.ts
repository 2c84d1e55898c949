import 'reflect-metadata';
import { Container } from 'inversify';
import { ConductorServiceRegistry, computeTopic, RpcServer, RpcTransport, type ComputeRpcApi } from '@zun-ts/rpc';
import { bootstrapService, runMain, runService } from '@zun-ts/service';
import { ComputeManager } from './compute.manager';
import { COMPUTE_CONF } from './tokens';

const BINARY = 'zun-compute';

// A compute host has no database access: it registers and heartbeats through the conductor.
void runMain(BINARY, async () => {
  const { conf, logger } = bootstrapService(BINARY);
  const topic = computeTopic(conf.DEFAULT.host);
  const transport = RpcTransport.connect({
    redisUrl: conf.redis.url,
    prefix: conf.redis.key_prefix,
    callTimeoutMs: conf.DEFAULT.rpc_response_timeout * 1000,
    shutdownTimeoutMs: 25_000,
    logger,
  });
  logger.info('container driver not enabled yet; docker endpoint unused', { docker: conf.docker.docker_remote_api_host });

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(COMPUTE_CONF).toConstantValue(conf);
  container.bind(ComputeManager).toSelf();

  const server = new RpcServer(transport);
  await runService({
    binary: BINARY,
    topic,
    conf,
    registry: new ConductorServiceRegistry(transport),
    logger,
    start: () => server.serve<ComputeRpcApi>(topic, container.get(ComputeManager)),
    stop: () => transport.close(),
  });
});
