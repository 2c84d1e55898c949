import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { ResourceNotFound } from '@zun-ts/common';
import { sendJsonResponse } from '../../http/error-body';
import { requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { ContainerService } from './container.service';
import { actionView, eventView } from './container.view';

/** `/v1/containers/{id}/container_actions[/{request_id}]`: what was asked of a container, and its steps. */
@injectable()
export class ContainerActionRecordsController implements ApiController {
  constructor(@inject(ContainerService) private readonly svc: ContainerService) {}

  routes(): RouteSpec[] {
    const base = '/v1/containers/:ident/container_actions';
    return [
      { method: 'GET', path: base, handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) },
      { method: 'GET', path: `${base}/:requestId`, handler: async (req, res) => sendJsonResponse(res, 200, await this.show(req)) },
    ];
  }

  private async list(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    // Zun checks this rule against the caller's own project, before the lookup.
    this.svc.authorize(ctx, 'container:actions');
    const c = await this.svc.get(ctx, String(req.params['ident']));
    const actions = await this.svc.stores.actions.list(c.uuid);
    return { containerActions: actions.map(actionView) };
  }

  private async show(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    this.svc.authorize(ctx, 'container:actions');
    const c = await this.svc.get(ctx, String(req.params['ident']));
    const requestId = String(req.params['requestId']);
    const action = await this.svc.stores.actions.get(c.uuid, requestId);
    if (!action) throw new ResourceNotFound(`The Action resource ${requestId} could not be found.`);
    const showTraceback = this.svc.allows(ctx, 'container:action:events');
    return { ...actionView(action), events: action.events.map((e) => eventView(e, showTraceback)) };
  }
}
