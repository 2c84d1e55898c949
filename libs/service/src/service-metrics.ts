import cluster from 'node:cluster';
import { type Logger, zunVersion } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { buildInfo, type MetricsServer, startMetricsServer } from '@zun-ts/metrics';
import { errorMessage } from './errors';

/** The `[metrics]` port option of each binary. */
const PORT_OPTION = {
  'zun-api': 'api_port',
  'zun-conductor': 'conductor_port',
  'zun-scheduler': 'scheduler_port',
  'zun-compute': 'compute_port',
  'zun-wsproxy': 'wsproxy_port',
} as const;

/** The port a binary's metrics endpoint uses, or null when it is off (`[metrics] enabled = false`, port 0, unknown binary). */
export function metricsPort(conf: Pick<ZunConf, 'metrics'>, binary: string): number | null {
  if (!conf.metrics.enabled) return null;
  const option = (PORT_OPTION as Record<string, (typeof PORT_OPTION)[keyof typeof PORT_OPTION] | undefined>)[binary];
  const port = option ? conf.metrics[option] : 0;
  return port > 0 ? port : null;
}

/**
 * Starts the service's metrics endpoint (`GET /metrics` on `[metrics] host` and the binary's port) in the process
 * that owns the service: not in worker processes, whose metrics the primary sums. An endpoint that cannot listen
 * (the port is taken) is logged as an error; the service runs on without it.
 */
export async function startServiceMetrics(conf: Pick<ZunConf, 'metrics'>, binary: string, logger: Logger): Promise<MetricsServer | null> {
  buildInfo(zunVersion());
  if (cluster.isWorker) return null;
  const port = metricsPort(conf, binary);
  if (port === null) {
    logger.info('metrics endpoint off', { binary });
    return null;
  }
  try {
    const server = await startMetricsServer(conf.metrics.host, port);
    logger.info('metrics endpoint listening', { url: `http://${conf.metrics.host}:${server.port}/metrics` });
    return server;
  } catch (err) {
    logger.error('metrics endpoint cannot listen', { host: conf.metrics.host, port, error: errorMessage(err) });
    return null;
  }
}
