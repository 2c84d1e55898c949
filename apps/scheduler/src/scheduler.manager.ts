import { inject, injectable } from 'inversify';
import { type RequestContext } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type SchedulerRpcApi } from '@zun-ts/rpc';
import { SCHEDULER_CONF } from './tokens';

/** The scheduler's RPC handlers (host selection arrives with container create). */
@injectable()
export class SchedulerManager implements SchedulerRpcApi {
  constructor(@inject(SCHEDULER_CONF) private readonly conf: Pick<ZunConf, 'DEFAULT'>) {}

  async ping(_ctx: RequestContext, _args: Record<string, never>): Promise<{ host: string }> {
    return { host: this.conf.DEFAULT.host };
  }
}
