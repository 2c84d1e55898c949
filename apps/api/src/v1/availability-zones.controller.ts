import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { InvalidValue } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type ZunService } from '@zun-ts/objects';
import { credentialsFromContext, defaultTarget, type PolicyEnforcer } from '@zun-ts/policy';
import { CONF, POLICY, SERVICE_STORE, type ServiceStore } from '../api.tokens';
import { sendJsonResponse } from '../http/error-body';
import { requireContext } from '../http/request-state';
import { validateLimit, validateSortDir } from '../http/request-params.parser';
import { queryParams } from '../http/query-schema';
import { type ApiController, type RouteSpec } from './route-table';

/** Columns of the service rows a list may be sorted by. */
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

/** `GET /v1/availability_zones`: the zones of the registered services (any authenticated user). */
@injectable()
export class AvailabilityZonesController implements ApiController {
  constructor(
    @inject(SERVICE_STORE) private readonly services: ServiceStore,
    @inject(POLICY) private readonly policy: PolicyEnforcer,
    @inject(CONF) private readonly conf: ZunConf,
  ) {}

  routes(): RouteSpec[] {
    return [{ method: 'GET', path: '/v1/availability_zones', handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) }];
  }

  private async list(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    this.policy.authorize('availability_zones:get_all', defaultTarget(ctx), credentialsFromContext(ctx));
    const q = queryParams(req);
    const limit = validateLimit(q['limit'], this.conf.api.max_limit);
    const sortDir = validateSortDir(q['sort_dir'] ?? 'asc');
    const sortKey = q['sort_key'] ?? 'availability_zone';
    if (!SORT_KEYS.has(sortKey)) throw new InvalidValue(`The sort_key value "${sortKey}" is an invalid field for sorting`);
    const zoneOf = (s: ZunService): string => s.availability_zone ?? this.conf.DEFAULT.default_availability_zone;
    const rows = (await this.services.list())
      .map((s) => ({ ...s, availability_zone: zoneOf(s) }))
      .sort((a, b) => (sortDir === 'asc' ? 1 : -1) * compare((a as Record<string, unknown>)[sortKey], (b as Record<string, unknown>)[sortKey]) || a.id - b.id);
    const zones: string[] = [];
    for (const s of rows.slice(0, limit)) if (!zones.includes(s.availability_zone)) zones.push(s.availability_zone);
    return { availability_zones: zones.map((z) => ({ availability_zone: z })), next: null };
  }
}
