import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { Conflict, InvalidValue, isUuidLike, type Logger, type RequestContext, VolumeNotFound } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type VolumeScope } from '@zun-ts/db';
import { type Volume } from '@zun-ts/objects';
import { credentialsFromContext, defaultTarget, type PolicyEnforcer, type PolicyTarget } from '@zun-ts/policy';
import { CLOCK, type Clock, CONF, CONTAINER_BACKEND, LOGGER, POLICY } from '../../api.tokens';
import { isAllProjects, nextLink, validateLimit, validateSortDir } from '../../http/request-params.parser';
import { type ContainerBackend } from '../containers/container-backend';
import { isComputeHostUp } from '../containers/compute-host.check';
import { LOCAL_VOLUME_PROVIDER } from '../containers/container-mounts.mapper';
import { InvalidVolumeState, VolumeHostNotUp, volumeInUse, volumeNotFound } from './volume.errors';
import { volumeView } from './volume.view';

/** `POST /v1/volumes`, schema-checked. */
export interface CreateVolumeRequest {
  name: string | null;
  /** Whole GiB, ≥ 1. */
  size: number;
  shareable: boolean;
  hostUrl: string;
}

/** `GET /v1/volumes`: the query as given (checked in the container list's order). */
export interface ListVolumesRequest {
  query: Readonly<Record<string, string>>;
  hostUrl: string;
}

/** Statuses a volume may be deleted from (one that is `deleting` already belongs to its host). */
const DELETABLE = ['available', 'error'] as const;

/**
 * The volumes (`/v1/volumes`, zun-ts's own resource): create under the `disk` quota, list, show, delete.
 * A volume with a host is deleted by that host's zun-compute (volumeDelete), one without by the API itself.
 */
@injectable()
export class VolumeService {
  constructor(
    @inject(CONTAINER_BACKEND) private readonly backend: ContainerBackend,
    @inject(POLICY) private readonly policy: PolicyEnforcer,
    @inject(CONF) private readonly conf: ZunConf,
    @inject(CLOCK) private readonly now: Clock,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  private get volumes(): ContainerBackend['stores']['volumes'] {
    return this.backend.stores.volumes;
  }

  /** A volume with no host: its backing store is made on the host of the first container that mounts it. */
  async create(ctx: RequestContext, req: CreateVolumeRequest): Promise<Record<string, unknown>> {
    this.policy.authorizeCaller('volume:create', ctx);
    // A name that looks like a uuid could never be looked up by name (zun-api.md §2.2).
    if (req.name !== null && isUuidLike(req.name)) throw new InvalidValue(`Invalid volume name ${req.name}: a name must not look like a uuid.`);
    const quota = this.backend.quota;
    if (!quota) throw new Error('the container backend has no quota check bound');
    const volume = await quota.createVolume(ctx, {
      uuid: randomUUID(),
      name: req.name,
      size: req.size,
      project_id: ctx.projectId,
      user_id: ctx.userId,
      shareable: req.shareable,
      auto_remove: false,
      volume_provider: LOCAL_VOLUME_PROVIDER,
      status: 'available',
    });
    return volumeView(volume, [], this.showsHost(ctx), req.hostUrl);
  }

  /** One page of volumes and the `next` link, as the container list does it. */
  async list(ctx: RequestContext, req: ListVolumesRequest): Promise<{ volumes: Record<string, unknown>[]; next: string | null }> {
    this.policy.authorizeCaller('volume:get_all', ctx);
    const q: Record<string, string> = { ...req.query };
    const allProjects = isAllProjects(q);
    if (allProjects) this.policy.authorizeCaller('volume:get_all_all_projects', ctx);
    const limit = validateLimit(q['limit'], this.conf.api.max_limit);
    const sortDir = validateSortDir(q['sort_dir'] ?? 'asc');
    const sortKey = q['sort_key'] ?? 'id';
    const marker = q['marker'] || null;
    for (const k of ['all_projects', 'limit', 'sort_dir', 'sort_key', 'marker']) delete q[k];
    const unknown = Object.keys(q);
    if (unknown.length) throw new InvalidValue(`Unknown parameters: ${unknown.join(', ')}`);
    const scope: VolumeScope = { projectId: ctx.projectId, allProjects };
    // A marker the caller cannot see is not found, as any of its volumes.
    if (marker) {
      await this.volumes.getByUuid(scope, marker).catch((e: unknown) => {
        throw e instanceof VolumeNotFound ? volumeNotFound(marker) : e;
      });
    }
    const rows = await this.volumes.list(scope, { limit, marker, sortKey, sortDir });
    const attachments = await this.volumes.attachmentsOf(rows.map((v) => v.id));
    const showHost = this.showsHost(ctx);
    return {
      volumes: rows.map((v) => volumeView(v, attachments.get(v.id) ?? [], showHost, req.hostUrl)),
      next: nextLink(req.hostUrl, 'volumes', rows, limit, sortKey, sortDir),
    };
  }

  async show(ctx: RequestContext, ident: string, hostUrl: string): Promise<Record<string, unknown>> {
    const v = await this.load(ctx, ident, 'volume:get');
    return this.view(ctx, v, hostUrl);
  }

  /**
   * A volume no container mounts: without a host its row goes at once; with one, it becomes `deleting` (a
   * conditional write, so a racing mount or delete gets a 409) and its host is asked to remove the backing store.
   */
  async delete(ctx: RequestContext, ident: string): Promise<void> {
    const v = await this.load(ctx, ident, 'volume:delete');
    const attached = (await this.volumes.attachmentsOf([v.id])).get(v.id) ?? [];
    if (v.status === 'in-use' || attached.length) throw volumeInUse(v.uuid);
    if (v.host === null) {
      // Nothing exists on any disk; a `deleting` leftover of a released mount may go too.
      await this.guarded(v, () => this.volumes.destroy(v.uuid, { status: [...DELETABLE, 'deleting'], host: [null] }));
      return;
    }
    const host = v.host;
    if (!(await isComputeHostUp(this.backend.stores.services, host, this.conf, this.now))) throw VolumeHostNotUp.of(v.uuid, host);
    // Nothing is written for a delete the bus cannot take (503).
    await this.backend.rpc.ready();
    await this.guarded(v, () => this.volumes.update(v.uuid, { status: 'deleting', status_reason: null }, { status: [...DELETABLE], host: [host] }));
    try {
      await this.backend.rpc.compute(host).cast('volumeDelete', ctx, { volume_uuid: v.uuid });
    } catch (e) {
      await this.volumes
        .update(v.uuid, { status: v.status, status_reason: v.status_reason }, { status: ['deleting'] })
        .catch((err: unknown) => this.logger.warn('could not restore the volume status after a failed cast', { uuid: v.uuid, error: String(err) }));
      throw e;
    }
  }

  /** A conditional write; when it lost, the 409 says what the volume became. */
  private async guarded(v: Volume, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (e) {
      if (!(e instanceof Conflict)) throw e;
      const now = await this.volumes.getByUuid({ projectId: null, allProjects: true }, v.uuid).catch(() => v);
      throw now.status === 'in-use' ? volumeInUse(v.uuid) : InvalidVolumeState.of(v.uuid, now.status);
    }
  }

  /** By uuid or name; admins see every project's volumes, as for containers; then the rule against the volume. */
  private async load(ctx: RequestContext, ident: string, rule: string): Promise<Volume> {
    const v = await this.volumes.getByIdent({ projectId: ctx.projectId, allProjects: ctx.isAdmin }, ident).catch((e: unknown) => {
      throw e instanceof VolumeNotFound ? volumeNotFound(ident) : e;
    });
    this.policy.authorize(rule, { ...v } as unknown as PolicyTarget, credentialsFromContext(ctx));
    return v;
  }

  private async view(ctx: RequestContext, v: Volume, hostUrl: string): Promise<Record<string, unknown>> {
    const attachments = await this.volumes.attachmentsOf([v.id]);
    return volumeView(v, attachments.get(v.id) ?? [], this.showsHost(ctx), hostUrl);
  }

  /** `volume:get_one:host` (admin by default), checked like a container's hidden fields. */
  private showsHost(ctx: RequestContext): boolean {
    const rule = 'volume:get_one:host';
    return !this.policy.hasRule(rule) || this.policy.enforce(rule, defaultTarget(ctx), credentialsFromContext(ctx));
  }
}
