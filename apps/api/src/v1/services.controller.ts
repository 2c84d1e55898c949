import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { formatDateTime } from '../http/date-format';
import { sendJsonResponse } from '../http/error-body';
import { requireContext } from '../http/request-state';
import { type JsonSchema, queryParams, querySchema } from '../http/query-schema';
import { type ApiController, type RouteSpec } from './route-table';
import { type ServiceKey, ZunServiceService, type ZunServiceStatus } from './zun-service.service';

// A host name (dots allowed: [DEFAULT] host defaults to the machine's name, often a FQDN).
const HOST = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$' };
const BINARY = { type: 'string', minLength: 1, maxLength: 255 };
const BOOLEAN = {
  type: ['boolean', 'string'],
  enum: [true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y', 't',
    false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f'],
};
const schema = (properties: Record<string, JsonSchema>, required: string[]): JsonSchema => ({ type: 'object', properties, required, additionalProperties: false });

const validateHostBinary = querySchema(schema({ host: HOST, binary: BINARY }, ['host', 'binary']));
const validateDisable = querySchema(schema({ host: HOST, binary: BINARY, disabled_reason: { type: 'string', minLength: 1, maxLength: 255 } }, ['host', 'binary']));
const validateForceDown = querySchema(schema({ host: HOST, binary: BINARY, forced_down: BOOLEAN }, ['host', 'binary', 'forced_down']));

function strictBool(v: string): boolean {
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(v.toLowerCase());
}

/** The service view, times as `YYYY-MM-DDTHH:MM:SS.ffffff`. */
function serviceView(s: ZunServiceStatus): Record<string, unknown> {
  return {
    id: s.id,
    host: s.host,
    binary: s.binary,
    state: s.up ? 'up' : 'down',
    disabled: s.disabled,
    disabled_reason: s.disabled_reason,
    forced_down: s.forced_down,
    report_count: s.report_count,
    last_seen_up: formatDateTime(s.last_seen_up),
    availability_zone: s.availability_zone,
    created_at: formatDateTime(s.created_at),
    updated_at: formatDateTime(s.updated_at),
  };
}

function keyOf(q: Readonly<Record<string, string>>): ServiceKey {
  return { host: q['host'] as string, binary: q['binary'] as string };
}

/** `/v1/services`: the zun_service rows (admin only by default). */
@injectable()
export class ServicesController implements ApiController {
  constructor(@inject(ZunServiceService) private readonly services: ZunServiceService) {}

  routes(): RouteSpec[] {
    return [
      { method: 'GET', path: '/v1/services', handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) },
      { method: 'DELETE', path: '/v1/services', handler: async (req, res) => sendJsonResponse(res, 200, await this.delete(req)), schemas: { query: validateHostBinary } },
      { method: 'PUT', path: '/v1/services/enable', handler: async (req, res) => sendJsonResponse(res, 200, await this.enable(req)), schemas: { query: validateHostBinary } },
      { method: 'PUT', path: '/v1/services/disable', handler: async (req, res) => sendJsonResponse(res, 200, await this.disable(req)), schemas: { query: validateDisable } },
      { method: 'PUT', path: '/v1/services/force_down', handler: async (req, res) => sendJsonResponse(res, 200, await this.forceDown(req)), schemas: { query: validateForceDown } },
    ];
  }

  private async list(req: Request): Promise<unknown> {
    const services = await this.services.list(requireContext(req));
    return { services: services.map(serviceView) };
  }

  private async delete(req: Request): Promise<null> {
    const q = queryParams(req);
    validateHostBinary(q);
    await this.services.delete(requireContext(req), keyOf(q));
    return null;
  }

  private async enable(req: Request): Promise<unknown> {
    const q = queryParams(req);
    validateHostBinary(q);
    const s = await this.services.enable(requireContext(req), keyOf(q));
    return { service: { host: s.host, binary: s.binary, disabled: s.disabled, disabled_reason: s.disabled_reason } };
  }

  private async disable(req: Request): Promise<unknown> {
    const q = queryParams(req);
    validateDisable(q);
    const s = await this.services.disable(requireContext(req), keyOf(q), q['disabled_reason'] ?? null);
    return { service: { host: s.host, binary: s.binary, disabled: s.disabled, disabled_reason: s.disabled_reason } };
  }

  private async forceDown(req: Request): Promise<unknown> {
    const q = queryParams(req);
    validateForceDown(q);
    const s = await this.services.forceDown(requireContext(req), keyOf(q), strictBool(q['forced_down'] as string));
    return { service: { host: s.host, binary: s.binary, forced_down: s.forced_down } };
  }
}
