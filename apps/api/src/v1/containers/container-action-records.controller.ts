import { type Request } from 'express';
import { inject, injectable } from 'inversify';
import { sendJsonResponse } from '../../http/error-body';
import { requireContext } from '../../http/request-state';
import { type ApiController, type RouteSpec } from '../route-table';
import { ContainerService } from './container.service';

/** `/v1/containers/{id}/container_actions[/{request_id}]`: what was asked of a container, and its steps. */
@injectable()
export class ContainerActionRecordsController implements ApiController {
  constructor(@inject(ContainerService) private readonly containers: ContainerService) {}

  routes(): RouteSpec[] {
    const base = '/v1/containers/:ident/container_actions';
    return [
      { method: 'GET', path: base, handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) },
      { method: 'GET', path: `${base}/:requestId`, handler: async (req, res) => sendJsonResponse(res, 200, await this.show(req)) },
    ];
  }

  private async list(req: Request): Promise<unknown> {
    return { containerActions: await this.containers.listActions(requireContext(req), String(req.params['ident'])) };
  }

  private show(req: Request): Promise<unknown> {
    return this.containers.showAction(requireContext(req), String(req.params['ident']), String(req.params['requestId']));
  }
}
