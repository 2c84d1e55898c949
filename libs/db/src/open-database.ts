import { type Logger } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { Database } from './database';

/**
 * The database of a service, as `[database]` of zun.conf says: its connection, pool size and SQL
 * logging. Refuses a schema that is not at head (SchemaNotCurrent): `zun-manage db sync` migrates,
 * never a service. `poolSize` overrides `[database] max_pool_size` (a one-off check needs one connection).
 */
export function openDatabase(conf: Pick<ZunConf, 'database'>, logger: Logger, opts: { poolSize?: number } = {}): Promise<Database> {
  return Database.openAtHead(conf.database.connection, {
    logger,
    poolSize: opts.poolSize ?? conf.database.max_pool_size,
    debug: conf.database.connection_debug,
  });
}
