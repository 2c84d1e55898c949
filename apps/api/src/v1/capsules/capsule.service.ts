import { randomUUID } from 'node:crypto';
import { injectable, injectFromBase } from 'inversify';
import { ContainerNotFound, InvalidValue, NotFound, registerError, type RequestContext, VolumeNotFound, type ZunError } from '@zun-ts/common';
import { type CapsuleMountRow, type CapsuleVolumeRow, type ContainerScope, type NewCapsule, type QuotaDeltas } from '@zun-ts/db';
import { type Container, CONTAINER_TYPES, type Network } from '@zun-ts/objects';
import { ApiVersion } from '../../http/api-version';
import { isAllProjects, nextLink, validateLimit, validateSortDir } from '../../http/request-params.parser';
import { ContainerServiceBase } from '../containers/container-service.base';
import { CONTAINER_VIEW_FIELDS } from '../containers/container.view';
import { DEFAULT_IMAGE_DRIVER } from '../containers/parameter-types.schema';
import { type CapsulePlan, InvalidCapsuleTemplate, planCapsule, readTemplate } from './capsule-template';
import { capsuleView, type CapsuleWithMembers } from './capsule.view';

/** 404 "Capsule <id> could not be found." (Zun's CapsuleNotFound). */
export class CapsuleNotFound extends NotFound {
  static of(ident: string): CapsuleNotFound {
    return new CapsuleNotFound(`Capsule ${ident} could not be found.`);
  }
}
registerError(CapsuleNotFound as unknown as new (message: string) => ZunError);

/** `POST /v1/capsules`. */
export interface CreateCapsuleRequest {
  body: Readonly<Record<string, unknown>>;
  version: ApiVersion;
  hostUrl: string;
}

/** `GET /v1/capsules`. */
export interface ListCapsulesRequest {
  query: Readonly<Record<string, string>>;
  version: ApiVersion;
  hostUrl: string;
}

/** `GET` and `DELETE /v1/capsules/{id}`. */
export interface CapsuleItemRequest {
  ident: string;
  allProjects: boolean;
  version: ApiVersion;
  hostUrl: string;
}

const CAPSULES = CONTAINER_TYPES.capsule;
const V1_24 = new ApiVersion(1, 24);

/**
 * Capsules (zun-api.md §4.4): rows of the container table with container_type 1, their members (2: containers,
 * 3: init containers) pointing at them by capsule_id. Created under the project's quota in one transaction, then built
 * like a container (conductor `buildContainer`: one claim, one cast; the compute host builds the whole capsule).
 */
@injectable()
@injectFromBase()
export class CapsuleService extends ContainerServiceBase {
  async create(ctx: RequestContext, req: CreateCapsuleRequest): Promise<Record<string, unknown>> {
    this.authorize(ctx, 'capsule:create');
    const template = readTemplate(req.body);
    const uuid = randomUUID();
    const plan = planCapsule(template, { uuid, mayChoosePullPolicy: this.allows(ctx, 'container:create:image_pull_policy') });
    const projectId = ctx.projectId;
    if (projectId === null) throw new InvalidValue('Capsules belong to a project: use a project-scoped token to create one.');
    const volumes = await this.volumeRows(ctx, plan, projectId);
    const newGiB = plan.volumes.reduce((sum, v) => sum + (v.size ?? 0), 0);
    const deltas: QuotaDeltas = { containers: 1, cpu: plan.cpu, memory: plan.memory, disk: newGiB };
    await this.quota.check(ctx, deltas);
    const network = await this.defaultNetwork(ctx, projectId);
    const rows = this.rows(ctx, plan, uuid, projectId, volumes, network);
    const create = this.quota.createCapsule;
    if (!create) throw new Error('the container backend cannot create capsules');
    // Nothing is written for a capsule the bus cannot take (503).
    await this.rpc.ready();
    const made = await create.call(this.quota, ctx, rows, deltas);
    try {
      await this.recordAction(ctx, made.capsule, 'create');
      await this.rpc.conductor().cast('buildContainer', ctx, {
        container_uuid: made.capsule.uuid,
        run: true,
        hints: {},
        availability_zone: plan.availability_zone,
        requested_host: null,
      });
    } catch (e) {
      // Not accepted: its rows go again (a build that reached the bus after all finds no capsule and is dropped).
      await this.discardUnplacedCapsule(made.capsule).catch((err: unknown) =>
        this.logger.warn('could not remove the capsule of a refused create', { uuid: made.capsule.uuid, error: String(err) }),
      );
      throw e;
    }
    return this.capsuleView(ctx, made, req.version, req.hostUrl);
  }

  /** One page of the caller's capsules (every project's with `all_projects` for admins) and Zun's `next` link. */
  async list(ctx: RequestContext, req: ListCapsulesRequest): Promise<{ capsules: Record<string, unknown>[]; next: string | null }> {
    this.authorize(ctx, 'capsule:get_all');
    const q: Record<string, string> = { ...req.query };
    const allProjects = isAllProjects(q);
    if (allProjects) this.authorize(ctx, 'capsule:get_all_all_projects');
    const limit = validateLimit(q['limit'], this.conf.api.max_limit);
    const sortDir = validateSortDir(q['sort_dir'] ?? 'asc');
    const sortKey = q['sort_key'] ?? 'id';
    const scope: ContainerScope = { projectId: ctx.projectId, allProjects, containerType: CAPSULES };
    const marker = q['marker'] || null;
    if (marker) await this.stores.containers.getByUuid(scope, marker).catch((e: unknown) => rethrowNotFound(e, marker));
    const rows = await this.stores.containers.list(scope, { limit, marker, sortKey, sortDir });
    const capsules: Record<string, unknown>[] = [];
    for (const c of rows) capsules.push(this.capsuleView(ctx, { capsule: c, members: await this.members(c) }, req.version));
    return { capsules, next: nextLink(req.hostUrl, 'capsules', rows, limit, sortKey, sortDir) };
  }

  async show(ctx: RequestContext, req: CapsuleItemRequest): Promise<Record<string, unknown>> {
    if (req.allProjects) this.authorize(ctx, 'capsule:get_one_all_projects');
    const c = await this.loadCapsule(ctx, req.ident, 'capsule:get');
    return this.capsuleView(ctx, { capsule: c, members: await this.members(c) }, req.version, req.hostUrl);
  }

  /**
   * A capsule never placed is removed from the database at once (members, then the capsule, their mounts and
   * ports released); a placed one is marked Deleting and its host removes the engine containers, the sandbox, its
   * port and the volumes made for it before the rows go.
   */
  async delete(ctx: RequestContext, req: CapsuleItemRequest): Promise<void> {
    if (req.allProjects) this.authorize(ctx, 'capsule:delete_all_projects');
    const c = await this.loadCapsule(ctx, req.ident, 'capsule:delete');
    if (!c.host) {
      await this.discardUnplacedCapsule(c);
      return;
    }
    const host = await this.upHost(c);
    // Nothing is written for a delete the bus cannot take (503); a cast that fails all the same puts the state back.
    await this.rpc.ready();
    await this.stores.containers.update(c.uuid, { status: 'Deleting', task_state: 'container_deleting' });
    try {
      await this.recordAction(ctx, c, 'delete');
      await this.rpc.compute(host).cast('containerDelete', ctx, { container_uuid: c.uuid, force: true, stop: false });
    } catch (e) {
      await this.stores.containers
        .update(c.uuid, { status: c.status, task_state: c.task_state }, { task_state: ['container_deleting'] })
        .catch((err: unknown) => this.logger.warn('could not restore the capsule state after a failed cast', { uuid: c.uuid, error: String(err) }));
      throw e;
    }
  }

  /** A capsule never placed goes from the database: its members (mounts released), then itself and its ports. */
  private async discardUnplacedCapsule(c: Container): Promise<void> {
    for (const m of await this.members(c)) await this.discardUnplaced(m.uuid);
    await this.discardUnplaced(c.uuid);
  }

  /** The capsule by uuid or name in the caller's scope (admins: every project), then the rule on it. */
  private async loadCapsule(ctx: RequestContext, ident: string, rule: string): Promise<Container> {
    const scope: ContainerScope = { projectId: ctx.projectId, allProjects: ctx.isAdmin, containerType: CAPSULES };
    const c = await this.stores.containers.getByIdent(scope, ident).catch((e: unknown) => rethrowNotFound(e, ident));
    this.authorizeOn(ctx, rule, c);
    return c;
  }

  /** Init containers then containers, in the order they were made. */
  private members(c: Container): Promise<Container[]> {
    return this.stores.containers.list({ projectId: null, allProjects: true, containerType: null }, { filters: { capsule_id: c.id } });
  }

  private capsuleView(ctx: RequestContext, cm: CapsuleWithMembers, version: ApiVersion, hostUrl?: string): Record<string, unknown> {
    return capsuleView(cm, {
      version,
      hiddenMemberFields: this.hiddenMemberFields(ctx, version),
      showHost: this.allows(ctx, 'capsule:get:host'),
      hostUrl,
    });
  }

  /** The member fields the container rules hide from the caller (as in the container view). */
  private hiddenMemberFields(ctx: RequestContext, version: ApiVersion): Set<string> {
    const hidden = new Set<string>();
    if (version.lt(V1_24)) hidden.add('published_ports');
    for (const f of CONTAINER_VIEW_FIELDS) if (!this.allows(ctx, `container:get_one:${f}`)) hidden.add(f);
    return hidden;
  }

  /** The template's volumes: new ones to make, existing ones of the project (an unknown one is a bad template). */
  private async volumeRows(ctx: RequestContext, plan: CapsulePlan, projectId: string): Promise<CapsuleVolumeRow[]> {
    const out: CapsuleVolumeRow[] = [];
    for (const v of plan.volumes) {
      if (v.volume_id === null) {
        out.push({ name: v.name, kind: 'new', volume: { uuid: randomUUID(), size: v.size ?? 1, project_id: projectId, auto_remove: v.auto_remove } });
        continue;
      }
      try {
        const found = await this.stores.volumes.getByIdent({ projectId: ctx.projectId, allProjects: false }, v.volume_id);
        out.push({ name: v.name, kind: 'existing', volume_uuid: found.uuid });
      } catch (e) {
        if (e instanceof VolumeNotFound) throw InvalidCapsuleTemplate.of(`Volume ${v.volume_id} of ${v.name} could not be found`);
        throw e;
      }
    }
    return out;
  }

  private defaultNetwork(ctx: RequestContext, projectId: string): Promise<Network> {
    const { default_pool: pool, default_prefix: prefix, segmentation_id_min: segmentationMin } = this.conf.network;
    return this.stores.networks.ensureDefault(projectId, ctx.userId, { pool, prefix, segmentationMin });
  }

  private rows(ctx: RequestContext, plan: CapsulePlan, uuid: string, projectId: string, volumes: CapsuleVolumeRow[], network: Network): NewCapsule {
    const members = plan.members.map((m) => ({
      uuid: randomUUID(),
      init: m.init,
      status: 'Creating' as const,
      name: m.name,
      image: m.image,
      image_driver: DEFAULT_IMAGE_DRIVER,
      image_pull_policy: m.image_pull_policy,
      command: m.command,
      environment: m.environment,
      workdir: m.workdir,
      interactive: m.interactive,
      tty: m.tty,
      cpu: m.cpu,
      memory: m.memory,
      exposed_ports: m.exposed_ports,
      restart_policy: m.restart_policy,
    }));
    const mounts: CapsuleMountRow[] = [];
    plan.members.forEach((m, i) => {
      for (const mount of m.mounts) {
        mounts.push({ member_uuid: members[i]?.uuid ?? '', mapping_uuid: randomUUID(), volume: mount.volume, container_path: mount.mount_path });
      }
    });
    return {
      capsule: {
        uuid,
        status: 'Creating',
        name: plan.name,
        project_id: projectId,
        user_id: ctx.userId,
        image: this.conf.capsule.sandbox_image,
        image_driver: this.conf.capsule.sandbox_image_driver,
        image_pull_policy: this.conf.capsule.sandbox_image_pull_policy,
        cpu: plan.cpu,
        // No request at all: no figure (a container without memory has none either).
        memory: plan.memory > 0 ? String(plan.memory) : null,
        labels: plan.labels,
        annotations: plan.annotations,
        restart_policy: plan.restart_policy,
      },
      members,
      volumes,
      mounts,
      ports: { ports: [{ port_uuid: randomUUID(), network_uuid: network.uuid, requested_ip: null }] },
    };
  }
}

function rethrowNotFound(e: unknown, ident: string): never {
  if (e instanceof ContainerNotFound) throw CapsuleNotFound.of(ident);
  throw e;
}
