// zun-scheduler's SchedulerManager composed as apps/scheduler/src/main.ts does (built-in filters and weigher, no
// plug-ins), in the benchmark's own process: decisions without the message bus, to tell the scheduler's cost from
// the RPC's.
import 'reflect-metadata';
import { Container } from 'inversify';
import { LOGGER, silentLogger } from '@zun-ts/common';
import { type ZunConf, ZUN_CONF } from '@zun-ts/config';
import { COMPUTE_NODE_REPOSITORY, type Database, ZUN_SERVICE_REPOSITORY } from '@zun-ts/db';
import { loadPlugins } from '@zun-ts/plugin-host';
import { FilterScheduler } from '../../apps/scheduler/src/filter-scheduler';
import { bindSchedulerElements } from '../../apps/scheduler/src/scheduler.bindings';
import { SchedulerManager } from '../../apps/scheduler/src/scheduler.manager';

export function inProcessScheduler(conf: ZunConf, db: Database): SchedulerManager {
  const logger = silentLogger();
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(ZUN_CONF).toConstantValue(conf);
  container.bind(LOGGER).toConstantValue(logger);
  container.bind(COMPUTE_NODE_REPOSITORY).toConstantValue(db.computeNodes);
  container.bind(ZUN_SERVICE_REPOSITORY).toConstantValue(db.services);
  bindSchedulerElements(container, loadPlugins([], { host: conf.DEFAULT.host, logger }));
  container.bind(FilterScheduler).toSelf();
  container.bind(SchedulerManager).toSelf();
  return container.get(SchedulerManager);
}
