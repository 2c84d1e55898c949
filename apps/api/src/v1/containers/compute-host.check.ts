import { type ZunConf } from '@zun-ts/config';
import { COMPUTE_BINARY, isServiceUp } from '@zun-ts/objects';
import { type Clock } from '../../api.tokens';
import { type ContainerStores } from './container-backend';

/**
 * Whether `host` runs a zun-compute service that is up (it heartbeated within `[DEFAULT] service_down_time`):
 * checked before anything is asked of a host, so that a dead host gets an answer instead of a stuck task.
 */
export async function isComputeHostUp(services: ContainerStores['services'], host: string, conf: Pick<ZunConf, 'DEFAULT'>, now: Clock): Promise<boolean> {
  const service = await services.get(host, COMPUTE_BINARY);
  return service !== null && isServiceUp(service, conf.DEFAULT.service_down_time, new Date(now()));
}
