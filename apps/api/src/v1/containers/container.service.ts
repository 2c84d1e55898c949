import { inject, injectable, injectFromBase } from 'inversify';
import { InvalidValue, ResourceNotFound, type RequestContext } from '@zun-ts/common';
import { type ContainerFilters } from '@zun-ts/db';
import { type Container, type ContainerAddresses, memoryMiBOf, type Network, parseMemoryMiB } from '@zun-ts/objects';
import { type BuildContainerRequest, firstAttemptJson } from '@zun-ts/rpc';
import { isAllProjects, nextLink, strictBool, validateLimit, validateSortDir, versionCheck } from '../../http/request-params.parser';
import { sameNameConflict } from './container.errors';
import {
  type CreateContainerRequest, type DeleteContainerRequest, type ListContainersRequest, type RenameContainerRequest, type ShowContainerRequest,
  type UpdateContainerRequest,
} from './container.requests';
import { ContainerServiceBase } from './container-service.base';
import { type StateCheckedAction, validateContainerState } from './container-states.table';
import { actionView, eventView } from './container.view';
import { planCreate } from './create-container.mapper';
import { ImageValidation } from '../images/image-validation';
import { RegistryService } from '../registries/registry.service';

/** List filters Zun accepts (each also checked against `container:get_one:<filter>` when that rule exists). */
const LIST_FILTERS = ['name', 'image', 'project_id', 'user_id', 'memory', 'host', 'task_state', 'status', 'auto_remove'] as const;

/** A created container and its view. */
export interface CreatedContainer {
  container: Container;
  view: Record<string, unknown>;
}

/**
 * The container resource (Zun's compute API for it): create, list, show, update, delete, rename, resize,
 * the network list, and the action records. Each operation does its policy checks, quota checks, action
 * records, RPC and rollback; the answers are views the controllers send as they are.
 */
@injectable()
@injectFromBase()
export class ContainerService extends ContainerServiceBase {
  @inject(ImageValidation) private readonly images!: ImageValidation;
  @inject(RegistryService) private readonly registryAccess!: RegistryService;

  /** Checks, inserts under quota, records the action and hands the container to the conductor. */
  async create(ctx: RequestContext, req: CreateContainerRequest): Promise<CreatedContainer> {
    this.authorize(ctx, 'container:create');
    const quota = this.quota;
    const plan = await planCreate(req.params, req.run, {
      version: req.version,
      ctx,
      authorize: (rule) => this.authorize(ctx, rule),
      checkQuota: (d) => quota.check(ctx, d),
      computeNodeExists: async (h) => (await this.stores.computeNodes.get(h)) !== null,
      // Mounts name the caller's own volumes, admins included: a container mounts its project's volumes.
      findVolume: (ident) => this.stores.volumes.getByIdent({ projectId: ctx.projectId, allProjects: false }, ident),
      // Likewise its networks: the project's own and the shared ones.
      findNetwork: (ident) => this.stores.networks.getByIdent({ projectId: ctx.projectId, allProjects: false }, ident),
      defaultNetwork: () => this.defaultNetwork(ctx),
      // A container pulls with its own project's credentials: another project's registry is not found, even for admins.
      findRegistry: (ident) => this.stores.registries.get({ projectId: ctx.projectId, allProjects: false }, ident),
      imageDrivers: { enabled: this.conf.DEFAULT.image_driver_list, default: this.conf.DEFAULT.default_image_driver },
    });
    // Zun checks the image after every other check of the request, before anything is made.
    // With the container's registry, when it names one: its domain and credentials are what the host will use.
    const registryId = plan.container.registry_id;
    const registry = registryId === null || registryId === undefined ? null : await this.registryAccess.accessForId(registryId);
    await this.images.validate(ctx, plan.container.image ?? '', plan.container.image_driver ?? 'docker', registry);
    // Nothing is written for a container the bus cannot take: the client gets a 503 and may try again.
    await this.rpc.ready();
    // The early check above keeps Zun's order of errors; this insert re-checks atomically per project and
    // writes the mounts (new volumes, reservations, mappings) and the ports in the same transaction.
    // The build request is stored with the row: the conductor runs the build again from it should the bus lose the message.
    const build: BuildContainerRequest = { container_uuid: plan.container.uuid, ...plan.build };
    const created = await quota.createContainer(ctx, plan.container, plan.quotaDeltas, plan.mounts, plan.ports, firstAttemptJson(ctx, build));
    try {
      await this.recordAction(ctx, created, 'create');
      await this.rpc.conductor().cast('buildContainer', ctx, build);
    } catch (e) {
      // The request was not accepted: what it wrote goes again (a build that reached the bus after all finds
      // no container and is dropped). A bus that went down meanwhile answers 503, anything else 500.
      await this.discardUnplaced(created.uuid).catch((err: unknown) =>
        this.logger.warn('could not remove the container of a refused create', { uuid: created.uuid, error: String(err) }),
      );
      throw e;
    }
    return { container: created, view: await this.view(ctx, created, req.version, req.hostUrl) };
  }

  /** The caller's project's default network, carved from `[network] default_pool` on its first use. */
  private defaultNetwork(ctx: RequestContext): Promise<Network> {
    const { default_pool: pool, default_prefix: prefix, segmentation_id_min: segmentationMin } = this.conf.network;
    return this.stores.networks.ensureDefault(ctx.projectId ?? '', ctx.userId, { pool, prefix, segmentationMin });
  }

  /**
   * One page of containers and Zun's `next` link, as the JSON bytes of `{"containers": [...], "next": ...}`: the rows
   * are the shared ones of `listShared`, whose rendered views are kept (ADR 0024).
   */
  async list(ctx: RequestContext, req: ListContainersRequest): Promise<Buffer> {
    this.authorize(ctx, 'container:get_all');
    const q: Record<string, string> = { ...req.query };
    const allProjects = isAllProjects(q);
    if (allProjects) this.authorize(ctx, 'container:get_all_all_projects');
    delete q['all_projects'];
    const limit = validateLimit(q['limit'], this.conf.api.max_limit);
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
      if (this.hasRule(rule)) this.authorize(ctx, rule);
      filters[key] = key === 'auto_remove' ? strictBool(value, 'auto_remove') : value;
      delete q[key];
    }
    const scope = { projectId: ctx.projectId, allProjects };
    const marker = q['marker'] || null;
    delete q['marker'];
    if (marker) await this.stores.containers.getByUuid(scope, marker);
    const unknown = Object.keys(q);
    if (unknown.length) throw new InvalidValue(`Unknown parameters: ${unknown.join(', ')}`);
    const rows = await this.stores.containers.listShared(scope, { filters: filters as ContainerFilters, limit, marker, sortKey, sortDir });
    return this.listBody(ctx, rows, req.version, nextLink(req.hostUrl, 'containers', rows, limit, sortKey, sortDir));
  }

  async show(ctx: RequestContext, req: ShowContainerRequest): Promise<Record<string, unknown>> {
    if (req.allProjects) this.authorize(ctx, 'container:get_one_all_projects');
    const c = await this.load(ctx, req.ident, 'container:get_one');
    return this.view(ctx, c, req.version, req.hostUrl);
  }

  /** Name/auto_heal are saved directly; cpu/memory go through the compute host first (after the quota check). */
  async update(ctx: RequestContext, req: UpdateContainerRequest): Promise<Record<string, unknown>> {
    let c = await this.load(ctx, req.ident, 'container:update', 'update');
    const { update } = req;
    const fields = { name: update.name, auto_heal: update.auto_heal };
    if (update.cpu === undefined && update.memory === undefined) {
      c = await this.saveFields(c, fields, 'update');
    } else {
      await this.quota.check(ctx, {
        containers: 0,
        cpu: update.cpu === undefined ? 0 : update.cpu - (c.cpu ?? 0),
        memory: update.memory === undefined ? 0 : parseMemoryMiB(update.memory) - (memoryMiBOf(c.memory) ?? 0),
        disk: 0,
      });
      c = await this.callCompute(ctx, c, 'containerUpdate', { container_uuid: c.uuid, cpu: update.cpu ?? null, memory: update.memory ?? null });
      c = await this.saveFields(c, fields, 'update');
    }
    return this.view(ctx, c, req.version, req.hostUrl);
  }

  /** Deletes a never-placed container at once; otherwise marks it Deleting and casts the delete to its host. */
  async delete(ctx: RequestContext, req: DeleteContainerRequest): Promise<void> {
    if (req.allProjects) this.authorize(ctx, 'container:delete_all_projects');
    const c = await this.load(ctx, req.ident, 'container:delete');
    const { force, stop } = req;
    let check: StateCheckedAction;
    if (!force && !stop) check = 'delete';
    else if (!stop) {
      versionCheck(req.version, 'force', '1.7');
      this.authorize(ctx, 'container:delete_force');
      check = 'delete_force';
    } else {
      versionCheck(req.version, 'stop', '1.12');
      check = 'delete_after_stop';
    }
    validateContainerState(c, check);
    if (stop && c.status === 'Running') this.authorizeOn(ctx, 'container:stop', c);
    if (!c.host) {
      // Never placed on a host: nothing to clean up anywhere but the database. Its ports never got past
      // `pending`/`allocated` on no host, so releasing them frees their addresses.
      await this.discardUnplaced(c.uuid);
      return;
    }
    await this.upHost(c);
    await this.castOperation(ctx, c, {
      check,
      action: 'delete',
      taskState: 'container_deleting',
      patch: { status: 'Deleting' },
      allowBusy: true,
      method: 'containerDelete',
      args: { container_uuid: c.uuid, force, stop: stop && c.status === 'Running' },
    });
  }

  async rename(ctx: RequestContext, req: RenameContainerRequest): Promise<Record<string, unknown>> {
    const c = await this.load(ctx, req.ident, 'container:rename');
    if (c.name === req.name) throw sameNameConflict();
    const renamed = await this.stores.containers.update(c.uuid, { name: req.name });
    return this.view(ctx, renamed, req.version, req.hostUrl);
  }

  /** Zun answers with the container as it was before the resize. */
  async resize(ctx: RequestContext, req: UpdateContainerRequest): Promise<Record<string, unknown>> {
    const c = await this.load(ctx, req.ident, 'container:resize_container', 'resize_container');
    const { update } = req;
    if (update.cpu !== undefined || update.memory !== undefined) {
      await this.callCompute(ctx, c, 'containerUpdate', { container_uuid: c.uuid, cpu: update.cpu ?? null, memory: update.memory ?? null });
    }
    const latest = await this.stores.containers.getByUuid({ projectId: null, allProjects: true }, c.uuid);
    await this.saveFields(latest, { name: update.name, auto_heal: update.auto_heal }, 'resize_container');
    return this.view(ctx, c, req.version, req.hostUrl);
  }

  /** The container's addresses by network (Zun checks no policy here beyond the scoped lookup). */
  async networkList(ctx: RequestContext, ident: string): Promise<ContainerAddresses> {
    const c = await this.lookup(ctx, ident);
    return c.addresses ?? {};
  }

  /** `container_actions`: what was asked of the container. */
  async listActions(ctx: RequestContext, ident: string): Promise<Record<string, unknown>[]> {
    // Zun checks this rule against the caller's own project, before the lookup.
    this.authorize(ctx, 'container:actions');
    const c = await this.lookup(ctx, ident);
    const actions = await this.stores.actions.list(c.uuid);
    return actions.map(actionView);
  }

  /** One action with its events (tracebacks only for callers allowed `container:action:events`). */
  async showAction(ctx: RequestContext, ident: string, requestId: string): Promise<Record<string, unknown>> {
    this.authorize(ctx, 'container:actions');
    const c = await this.lookup(ctx, ident);
    const action = await this.stores.actions.get(c.uuid, requestId);
    if (!action) throw new ResourceNotFound(`The Action resource ${requestId} could not be found.`);
    const showTraceback = this.allows(ctx, 'container:action:events');
    return { ...actionView(action), events: action.events.map((e) => eventView(e, showTraceback)) };
  }
}
