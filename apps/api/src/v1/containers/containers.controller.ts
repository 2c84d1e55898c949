import { type Request, type Response } from 'express';
import { inject, injectable } from 'inversify';
import { InvalidValue, type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerFilters, type ContainerPatch, ContainerStateConflict } from '@zun-ts/db';
import { type Container, type ContainerStatus } from '@zun-ts/objects';
import { LOGGER } from '../../api.tokens';
import { ApiVersion } from '../../http/api-version';
import { sendJsonResponse } from '../../http/error-body';
import { requestState, requireContext } from '../../http/request-state';
import { queryParams } from '../query-schema';
import { type ApiController, type RouteSpec } from '../route-table';
import { sameNameConflict } from './container.errors';
import { createValidatorFor, validators } from './container.schemas';
import { ContainerService } from './container.service';
import { type StateCheckedAction, VALID_STATES, validateContainerState } from './container-states.table';
import { planCreate } from './create-container.mapper';
import {
  isAllProjects, jsonBody, mergedParams, nextLink, requireJsonContentType, strictBool, validateLimit, validateSortDir, versionCheck, versionOf,
} from './request-params.parser';

/** List filters Zun accepts (each also checked against `container:get_one:<filter>` when that rule exists). */
const LIST_FILTERS = ['name', 'image', 'project_id', 'user_id', 'memory', 'host', 'task_state', 'status', 'auto_remove'] as const;

const V1_18 = new ApiVersion(1, 18);

/** A PATCH / resize_container body after the schema: values in their stored types. */
interface UpdateRequest {
  cpu?: number;
  memory?: string;
  name?: string;
  auto_heal?: boolean;
}

function parseUpdate(params: Readonly<Record<string, unknown>>): UpdateRequest {
  const out: UpdateRequest = {};
  // A null value means "leave it" (Zun would fail or store the text "None").
  if (params['cpu'] !== undefined && params['cpu'] !== null) out.cpu = Number(params['cpu']);
  if (params['memory'] !== undefined && params['memory'] !== null) out.memory = String(params['memory']).trim();
  if (params['name'] !== undefined && params['name'] !== null) out.name = String(params['name']);
  if (params['auto_heal'] !== undefined && params['auto_heal'] !== null) out.auto_heal = strictBool(params['auto_heal'], 'auto_heal');
  return out;
}

/** `/v1/containers` and `/v1/containers/{id}`: create, list, show, update, delete, rename, resize_container, network_list. */
@injectable()
export class ContainersController implements ApiController {
  constructor(
    @inject(ContainerService) private readonly svc: ContainerService,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  routes(): RouteSpec[] {
    const base = '/v1/containers';
    const item = `${base}/:ident`;
    return [
      { method: 'POST', path: base, handler: (req, res) => this.create(req, res) },
      { method: 'GET', path: base, handler: async (req, res) => sendJsonResponse(res, 200, await this.list(req)) },
      { method: 'GET', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.show(req)) },
      { method: 'PATCH', path: item, handler: async (req, res) => sendJsonResponse(res, 200, await this.update(req)) },
      { method: 'DELETE', path: item, handler: (req, res) => this.delete(req, res) },
      { method: 'POST', path: `${item}/rename`, maxVersion: new ApiVersion(1, 13), handler: async (req, res) => sendJsonResponse(res, 200, await this.rename(req)) },
      { method: 'POST', path: `${item}/resize_container`, minVersion: new ApiVersion(1, 19), handler: async (req, res) => sendJsonResponse(res, 202, await this.resizeContainer(req)) },
      { method: 'GET', path: `${item}/network_list`, minVersion: new ApiVersion(1, 13), handler: async (req, res) => sendJsonResponse(res, 200, await this.networkList(req)) },
    ];
  }

  private ident(req: Request): string {
    return String(req.params['ident']);
  }

  /** Lookup, then policy on the container, then the state check (Zun's order). */
  private async load(ctx: RequestContext, req: Request, rule: string, check?: StateCheckedAction): Promise<Container> {
    const c = await this.svc.get(ctx, this.ident(req));
    this.svc.authorizeOn(ctx, rule, c);
    if (check) validateContainerState(c, check);
    return c;
  }

  private async create(req: Request, res: Response): Promise<void> {
    const ctx = requireContext(req);
    const version = versionOf(req);
    requireJsonContentType(req);
    const query = queryParams(req);
    validators.createQuery(query);
    const { run, ...rest } = { ...query, ...(await jsonBody(req)) };
    createValidatorFor(version)(rest);
    this.svc.authorize(ctx, 'container:create');
    const quota = this.svc.quota;
    const plan = await planCreate(rest, run, {
      version,
      ctx,
      authorize: (rule) => this.svc.authorize(ctx, rule),
      ...(quota ? { checkQuota: (d) => quota.check(ctx, d) } : {}),
      computeNodeExists: async (h) => (await this.svc.stores.computeNodes.get(h)) !== null,
    });
    // The early check above keeps Zun's order of errors; this insert re-checks atomically per project.
    const created = quota ? await quota.createContainer(ctx, plan.container, plan.quotaDeltas) : await this.svc.stores.containers.create(plan.container);
    try {
      await this.svc.recordAction(ctx, created, 'create');
      await this.svc.castBuild(ctx, { container_uuid: created.uuid, ...plan.build });
    } catch (e) {
      // As Zun does when scheduling fails unexpectedly: the record stays, in Error.
      await this.svc.stores.containers
        .update(created.uuid, { status: 'Error', status_reason: 'Unexpected exception occurred.' })
        .catch((err: unknown) => this.logger.warn('could not mark the container Error', { uuid: created.uuid, error: String(err) }));
      throw e;
    }
    const hostUrl = requestState(req).hostUrl;
    res.setHeader('Location', `${hostUrl}/v1/containers/${created.uuid}`);
    sendJsonResponse(res, 202, this.svc.view(ctx, created, hostUrl));
  }

  private async list(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    this.svc.authorize(ctx, 'container:get_all');
    const q: Record<string, string> = queryParams(req);
    const allProjects = isAllProjects(q);
    if (allProjects) this.svc.authorize(ctx, 'container:get_all_all_projects');
    delete q['all_projects'];
    const limit = validateLimit(q['limit'], this.svc.conf.api.max_limit);
    delete q['limit'];
    const sortDir = validateSortDir(q['sort_dir'] ?? 'asc');
    delete q['sort_dir'];
    const sortKey = q['sort_key'] ?? 'id';
    delete q['sort_key'];
    // Internal keyword arguments of Zun's handler that a query string could also carry.
    delete q['resource_url'];
    delete q['expand'];
    const filters: Record<string, unknown> = {};
    for (const key of LIST_FILTERS) {
      const value = q[key];
      if (value === undefined) continue;
      const rule = `container:get_one:${key}`;
      if (this.svc.policy.hasRule(rule)) this.svc.authorize(ctx, rule);
      filters[key] = key === 'auto_remove' ? strictBool(value, 'auto_remove') : value;
      delete q[key];
    }
    const scope = { projectId: ctx.projectId, allProjects };
    const marker = q['marker'] || null;
    delete q['marker'];
    if (marker) await this.svc.stores.containers.getByUuid(scope, marker);
    const unknown = Object.keys(q);
    if (unknown.length) throw new InvalidValue(`Unknown parameters: ${unknown.join(', ')}`);
    const rows = await this.svc.stores.containers.list(scope, { filters: filters as ContainerFilters, limit, marker, sortKey, sortDir });
    const hostUrl = requestState(req).hostUrl;
    return {
      containers: this.svc.views(ctx, rows),
      next: nextLink(hostUrl, 'containers', rows, limit, sortKey, sortDir),
    };
  }

  private async show(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    if (isAllProjects(queryParams(req))) this.svc.authorize(ctx, 'container:get_one_all_projects');
    const c = await this.load(ctx, req, 'container:get_one');
    return this.svc.view(ctx, c, requestState(req).hostUrl);
  }

  /** Saves name/auto_heal directly, only while the container is still in an updatable state. */
  private async saveFields(c: Container, patch: ContainerPatch, check: StateCheckedAction): Promise<Container> {
    const changed = Object.fromEntries(Object.entries(patch).filter(([k, v]) => v !== undefined && (c as unknown as Record<string, unknown>)[k] !== v));
    if (!Object.keys(changed).length) return c;
    const expected = VALID_STATES[check] as readonly ContainerStatus[];
    try {
      return await this.svc.stores.containers.update(c.uuid, changed, { status: expected });
    } catch (e) {
      if (e instanceof ContainerStateConflict) throw await this.svc.stateConflict(check, c, expected);
      throw e;
    }
  }

  private async update(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    validators.update(params);
    let c = await this.load(ctx, req, 'container:update', 'update');
    const patch = parseUpdate(params);
    const fields: ContainerPatch = { name: patch.name, auto_heal: patch.auto_heal };
    if (patch.cpu === undefined && patch.memory === undefined) {
      c = await this.saveFields(c, fields, 'update');
    } else {
      const quota = this.svc.quota;
      if (quota) {
        await quota.check(ctx, {
          containers: 0,
          cpu: patch.cpu === undefined ? 0 : patch.cpu - (c.cpu ?? 0),
          memory: patch.memory === undefined ? 0 : Number(patch.memory) - Number(c.memory ?? 0),
          disk: 0,
        });
      }
      c = await this.svc.callCompute(ctx, c, 'containerUpdate', { container_uuid: c.uuid, cpu: patch.cpu ?? null, memory: patch.memory ?? null });
      c = await this.saveFields(c, fields, 'update');
    }
    return this.svc.view(ctx, c, requestState(req).hostUrl);
  }

  private async delete(req: Request, res: Response): Promise<void> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.deleteQuery(q);
    if (isAllProjects(q)) this.svc.authorize(ctx, 'container:delete_all_projects');
    const c = await this.load(ctx, req, 'container:delete');
    const what = 'force or stop';
    const force = q['force'] === undefined ? false : strictBool(q['force'], what);
    const stop = q['stop'] === undefined ? false : strictBool(q['stop'], what);
    const version = versionOf(req);
    let check: StateCheckedAction;
    if (!force && !stop) check = 'delete';
    else if (!stop) {
      versionCheck(version, 'force', '1.7');
      this.svc.authorize(ctx, 'container:delete_force');
      check = 'delete_force';
    } else {
      versionCheck(version, 'stop', '1.12');
      check = 'delete_after_stop';
    }
    validateContainerState(c, check);
    if (stop && c.status === 'Running') this.svc.authorizeOn(ctx, 'container:stop', c);
    if (!c.host) {
      // Never placed on a host: nothing to clean up anywhere but the database.
      await this.svc.stores.containers.destroy(c.uuid);
    } else {
      await this.svc.upHost(c);
      await this.svc.castOperation(ctx, c, {
        check,
        action: 'delete',
        taskState: 'container_deleting',
        patch: { status: 'Deleting' },
        allowBusy: true,
        method: 'containerDelete',
        args: { container_uuid: c.uuid, force, stop: stop && c.status === 'Running' },
      });
    }
    res.status(204).end();
  }

  private async rename(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const q = queryParams(req);
    validators.renameQuery(q);
    const c = await this.load(ctx, req, 'container:rename');
    const name = q['name'] as string;
    if (c.name === name) throw sameNameConflict();
    const renamed = await this.svc.stores.containers.update(c.uuid, { name });
    return this.svc.view(ctx, renamed, requestState(req).hostUrl);
  }

  private async resizeContainer(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    const params = await mergedParams(req);
    validators.update(params);
    const c = await this.load(ctx, req, 'container:resize_container', 'resize_container');
    const patch = parseUpdate(params);
    if (patch.cpu !== undefined || patch.memory !== undefined) {
      await this.svc.callCompute(ctx, c, 'containerUpdate', { container_uuid: c.uuid, cpu: patch.cpu ?? null, memory: patch.memory ?? null });
    }
    const latest = await this.svc.stores.containers.getByUuid({ projectId: null, allProjects: true }, c.uuid);
    await this.saveFields(latest, { name: patch.name, auto_heal: patch.auto_heal }, 'resize_container');
    // Zun answers with the container as it was before the resize.
    return this.svc.view(ctx, c, requestState(req).hostUrl);
  }

  private async networkList(req: Request): Promise<unknown> {
    const ctx = requireContext(req);
    // Zun checks no policy here beyond the scoped lookup.
    const c = await this.svc.get(ctx, this.ident(req));
    const addresses = c.addresses ?? {};
    if (versionOf(req).lt(V1_18)) {
      return {
        networks: Object.entries(addresses).flatMap(([netId, infos]) =>
          infos.map((a) => ({ net_id: netId, subnet_id: a.subnet_id ?? null, port_id: a.port ?? null, version: a.version ?? null, ip_address: a.addr ?? null })),
        ),
      };
    }
    const networks: unknown[] = [];
    for (const [netId, infos] of Object.entries(addresses)) {
      const byPort = new Map<string | null, unknown[]>();
      for (const a of infos) {
        const port = a.port ?? null;
        byPort.set(port, [...(byPort.get(port) ?? []), { subnet_id: a.subnet_id ?? null, version: a.version ?? null, ip_address: a.addr ?? null }]);
      }
      for (const [port, fixedIps] of byPort) networks.push({ net_id: netId, port_id: port, fixed_ips: fixedIps });
    }
    return { networks };
  }
}
