import { inject, injectable } from 'inversify';
import { type RequestContext } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type ComputeRpcApi } from '@zun-ts/rpc';
import { COMPUTE_CONF } from './tokens';

/** The compute host's RPC handlers, on topic `compute.<host>` (container operations arrive with the Docker driver). */
@injectable()
export class ComputeManager implements ComputeRpcApi {
  constructor(@inject(COMPUTE_CONF) private readonly conf: Pick<ZunConf, 'DEFAULT'>) {}

  async ping(_ctx: RequestContext, _args: Record<string, never>): Promise<{ host: string }> {
    return { host: this.conf.DEFAULT.host };
  }
}
