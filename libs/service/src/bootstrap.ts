import { type Logger } from '@zun-ts/common';
import { configFiles, loadConfig, loggableConf, type ZunConf } from '@zun-ts/config';
import { createServiceLogger } from './service-logger';
import { startServiceMetrics } from './service-metrics';

/**
 * A service's first step: load zun.conf from the command line (throws ConfigError
 * listing every problem), create its logger, and log where the configuration
 * came from (and, with `[DEFAULT] debug`, the values, secrets masked); start its metrics endpoint (`[metrics]`,
 * in the primary process only: it sums its workers' metrics).
 */
export function bootstrapService(binary: string, argv: string[] = process.argv.slice(2)): { conf: ZunConf; logger: Logger } {
  const warnings: string[] = [];
  const conf = loadConfig(argv, { warn: (msg) => warnings.push(msg) });
  const logger = createServiceLogger(conf, binary);
  for (const detail of warnings) logger.warn('configuration warning', { detail });
  logger.info('configuration loaded', { files: configFiles(conf) });
  logger.debug('configuration values', { conf: loggableConf(conf) });
  void startServiceMetrics(conf, binary, logger);
  return { conf, logger };
}
