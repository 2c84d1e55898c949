import { inject, injectable } from 'inversify';
import { InvalidValue, type RequestContext } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { isServiceUp, type ZunService } from '@zun-ts/objects';
import { type PolicyEnforcer } from '@zun-ts/policy';
import { CLOCK, type Clock, CONF, POLICY, SERVICE_STORE, type ServiceStore } from '../api.tokens';
import { validateLimit, validateSortDir } from '../http/request-params.parser';

/** A service row as the API shows it: whether it is up now, and its zone (the default one when it has none). */
export type ZunServiceStatus = ZunService & { up: boolean; availability_zone: string };

/** A service's `host` and `binary`. */
export interface ServiceKey {
  host: string;
  binary: string;
}

/** `GET /v1/availability_zones` paging parameters as given (checked after the policy, as in Zun). */
export interface ListZonesRequest {
  limit?: string;
  sortKey?: string;
  sortDir?: string;
}

/** Columns of the service rows a zone list may be sorted by. */
const SORT_KEYS = new Set(['id', 'host', 'binary', 'topic', 'disabled', 'disabled_reason', 'forced_down', 'report_count', 'last_seen_up', 'availability_zone', 'created_at', 'updated_at']);

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  // NULL first ascending, as the database orders it.
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  return (x as number | string) < (y as number | string) ? -1 : 1;
}

/** The zun_service rows: `/v1/services` (admin by default) and the zones of `/v1/availability_zones`. */
@injectable()
export class ZunServiceService {
  constructor(
    @inject(SERVICE_STORE) private readonly store: ServiceStore,
    @inject(POLICY) private readonly policy: PolicyEnforcer,
    @inject(CONF) private readonly conf: ZunConf,
    @inject(CLOCK) private readonly now: Clock,
  ) {}

  private zoneOf(s: ZunService): string {
    return s.availability_zone ?? this.conf.DEFAULT.default_availability_zone;
  }

  async list(ctx: RequestContext): Promise<ZunServiceStatus[]> {
    this.policy.authorizeCaller('zun-service:get_all', ctx);
    const now = new Date(this.now());
    return (await this.store.list()).map((s) => ({ ...s, up: isServiceUp(s, this.conf.DEFAULT.service_down_time, now), availability_zone: this.zoneOf(s) }));
  }

  async delete(ctx: RequestContext, key: ServiceKey): Promise<void> {
    this.policy.authorizeCaller('zun-service:delete', ctx);
    await this.store.delete(key.host, key.binary);
  }

  enable(ctx: RequestContext, key: ServiceKey): Promise<ZunService> {
    this.policy.authorizeCaller('zun-service:enable', ctx);
    return this.store.update(key.host, key.binary, { disabled: false, disabled_reason: null });
  }

  disable(ctx: RequestContext, key: ServiceKey, reason: string | null): Promise<ZunService> {
    this.policy.authorizeCaller('zun-service:disable', ctx);
    return this.store.update(key.host, key.binary, { disabled: true, disabled_reason: reason });
  }

  forceDown(ctx: RequestContext, key: ServiceKey, forcedDown: boolean): Promise<ZunService> {
    this.policy.authorizeCaller('zun-service:force_down', ctx);
    return this.store.update(key.host, key.binary, { forced_down: forcedDown });
  }

  /** The zones of the registered services (any authenticated user), in the order of the sorted rows. */
  async availabilityZones(ctx: RequestContext, req: ListZonesRequest): Promise<string[]> {
    this.policy.authorizeCaller('availability_zones:get_all', ctx);
    const limit = validateLimit(req.limit, this.conf.api.max_limit);
    const sortDir = validateSortDir(req.sortDir ?? 'asc');
    const sortKey = req.sortKey ?? 'availability_zone';
    if (!SORT_KEYS.has(sortKey)) throw new InvalidValue(`The sort_key value "${sortKey}" is an invalid field for sorting`);
    const rows = (await this.store.list())
      .map((s) => ({ ...s, availability_zone: this.zoneOf(s) }))
      .sort((a, b) => (sortDir === 'asc' ? 1 : -1) * compare((a as Record<string, unknown>)[sortKey], (b as Record<string, unknown>)[sortKey]) || a.id - b.id);
    const zones: string[] = [];
    for (const s of rows.slice(0, limit)) if (!zones.includes(s.availability_zone)) zones.push(s.availability_zone);
    return zones;
  }
}
