import { inject, injectable } from 'inversify';
import { type Logger, type RequestContext } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type ZunServiceRepository } from '@zun-ts/db';
import { type ServiceRegistration, type ZunService } from '@zun-ts/objects';
import { type ConductorRpcApi, type ServiceHeartbeatRequest } from '@zun-ts/rpc';
import { CONDUCTOR_CONF, LOGGER, SERVICE_REPOSITORY } from './tokens';

/**
 * The conductor's RPC handlers. Compute hosts hold no database credentials, so
 * their service rows are written here on their behalf.
 */
@injectable()
export class ConductorManager implements ConductorRpcApi {
  constructor(
    @inject(CONDUCTOR_CONF) private readonly conf: Pick<ZunConf, 'DEFAULT'>,
    @inject(SERVICE_REPOSITORY) private readonly services: Pick<ZunServiceRepository, 'upsert' | 'heartbeat'>,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Idempotent (upsert by host and binary), as at-least-once delivery requires. */
  async serviceRegister(ctx: RequestContext, args: ServiceRegistration): Promise<ZunService> {
    const { host, binary, topic, availability_zone } = args;
    const row = await this.services.upsert({ host, binary, topic, availability_zone });
    this.logger.info('service registered', { requestId: ctx.requestId, serviceHost: host, binary, topic });
    return row;
  }

  async serviceHeartbeat(_ctx: RequestContext, args: ServiceHeartbeatRequest): Promise<void> {
    await this.services.heartbeat(args.host, args.binary);
  }

  async ping(_ctx: RequestContext, _args: Record<string, never>): Promise<{ host: string }> {
    return { host: this.conf.DEFAULT.host };
  }
}
