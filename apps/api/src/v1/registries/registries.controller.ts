import { type Request, type Response } from 'express';
import { inject, injectable } from 'inversify';
import { sendJsonResponse } from '../../http/error-body';
import { queryParams } from '../../http/query-schema';
import { jsonBody, requireJsonContentType } from '../../http/request-params.parser';
import { requestState, requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { registryValidators } from './registry.schemas';
import { type RegistryFields, RegistryService } from './registry.service';

/** The `registry` object of a schema-valid body, in its stored types. */
export function parseRegistryFields(body: Readonly<Record<string, unknown>>): RegistryFields {
  const r = (body['registry'] ?? {}) as Record<string, unknown>;
  const out: RegistryFields = {};
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  if ('name' in r) out.name = text(r['name']);
  if ('domain' in r && typeof r['domain'] === 'string') out.domain = r['domain'];
  if ('username' in r) out.username = text(r['username']);
  if ('password' in r) out.password = text(r['password']);
  return out;
}

/** `/v1/registries` and `/v1/registries/{uuid or name}`: create, list, show, update, delete (all wrapped as Zun's). */
@injectable()
export class RegistriesController implements ApiController {
  constructor(@inject(RegistryService) private readonly registries: RegistryService) {}

  routes(): RouteSpec[] {
    const base = '/v1/registries';
    const item = `${base}/:ident`;
    return [
      { method: 'POST', path: base, handler: (req, res) => this.create(req, res), schemas: { body: registryValidators.create, example: { registry: { name: 'local', domain: 'registry.example.org:5000', username: 'demo', password: 'secret' } } } },
      { method: 'GET', path: base, handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) },
      { method: 'GET', path: item, handler: async (req, res) => sendJsonResponse(res, 200, { registry: await this.show(req) }) },
      { method: 'PATCH', path: item, handler: async (req, res) => sendJsonResponse(res, 200, { registry: await this.update(req) }), schemas: { body: registryValidators.update } },
      { method: 'DELETE', path: item, handler: (req, res) => this.delete(req, res) },
    ];
  }

  private ident(req: Request): string {
    return String(req.params['ident']);
  }

  private async create(req: Request, res: Response): Promise<void> {
    const ctx = requireContext(req);
    requireJsonContentType(req);
    const body = await jsonBody(req);
    registryValidators.create(body);
    const hostUrl = requestState(req).hostUrl;
    const view = await this.registries.create(ctx, parseRegistryFields(body), hostUrl);
    res.setHeader('Location', `${hostUrl}/v1/registries/${String(view['uuid'])}`);
    sendJsonResponse(res, 201, { registry: view });
  }

  private list(req: Request): Promise<unknown> {
    return this.registries.list(requireContext(req), { query: queryParams(req), hostUrl: requestState(req).hostUrl });
  }

  private show(req: Request): Promise<unknown> {
    return this.registries.show(requireContext(req), this.ident(req), requestState(req).hostUrl);
  }

  private async update(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const body = await jsonBody(req);
    registryValidators.update(body);
    return this.registries.update(ctx, this.ident(req), parseRegistryFields(body), requestState(req).hostUrl);
  }

  private async delete(req: Request, res: Response): Promise<void> {
    await this.registries.delete(requireContext(req), this.ident(req));
    res.status(204).end();
  }
}
