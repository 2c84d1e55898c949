import { InvalidValue, type RequestContext } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type ContainerUsage, type CreatedCapsule, type NewCapsule, DEFAULT_QUOTA_CLASS, type MountPlan, type NewContainer, type NewVolume, type PortPlan, type QuotaDeltas, type QuotaLimits, QUOTAS_OFF } from '@zun-ts/db';
import { type Container, type JsonObject, QUOTA_RESOURCES, type QuotaResource, type Volume } from '@zun-ts/objects';
import { credentialsFromContext, type PolicyEnforcer } from '@zun-ts/policy';
import { type ContainerStores, type QuotaCheck } from '../containers/container-backend';

/** A limit with the project's usage (`GET /v1/quotas/{p}?usages=…`). */
export interface QuotaUsageEntry {
  limit: number;
  in_use: number;
}

/** Limits to set: any of the resources. */
export type QuotaLimitsUpdate = Partial<QuotaLimits>;

/** Longest project id or class name the quota tables hold. */
export const MAX_ID_LENGTH = 255;

/** A request without a project (a domain- or system-scoped token) has nowhere to keep volumes. */
function noProjectForVolumes(): InvalidValue {
  return new InvalidValue('Volumes belong to a project: use a project-scoped token to create or mount them.');
}

/** `[quota] driver` values that turn quotas off (Zun's NoopQuotaDriver: every limit and usage −1). */
function isNoop(driver: string): boolean {
  return /noop/i.test(driver);
}

/**
 * Zun's database quota driver for the API: the quota and quota class operations (with their policy
 * checks), and the checks on container create and update. Limits come from the project override, else
 * the `default` class, else `[quota]`. A create is checked and inserted in one step per project (the
 * repository serialises a project's creates), so racing requests cannot overshoot a limit.
 */
export class QuotaService implements QuotaCheck {
  constructor(
    private readonly stores: Pick<ContainerStores, 'containers' | 'quotas' | 'quotaClasses' | 'volumes'>,
    private readonly conf: Pick<ZunConf, 'quota'>,
    private readonly policy: PolicyEnforcer,
  ) {}

  /** Zun's quota rules take the project of the URL as their target (so "owner" means that project). */
  private authorizeOnProject(ctx: RequestContext, rule: string, projectId: string): void {
    if (projectId.length > MAX_ID_LENGTH) throw new InvalidValue(`Invalid project id: longer than ${MAX_ID_LENGTH} characters.`);
    this.policy.authorize(rule, { project_id: projectId }, credentialsFromContext(ctx));
  }

  /** Quota class rules: against the caller's own project; the class name is checked after the policy. */
  private authorizeOnClass(ctx: RequestContext, rule: string, className: string): void {
    this.policy.authorizeCaller(rule, ctx);
    if (className.length > MAX_ID_LENGTH) throw new InvalidValue(`Invalid quota class name: longer than ${MAX_ID_LENGTH} characters.`);
  }

  /** The project's effective limits, or with `withUsage` each limit with the project's usage. */
  async show(ctx: RequestContext, projectId: string, withUsage: boolean): Promise<QuotaLimits | Record<QuotaResource, QuotaUsageEntry>> {
    this.authorizeOnProject(ctx, 'quota:get', projectId);
    return withUsage ? this.limitsWithUsage(projectId) : this.limits(projectId);
  }

  /** Sets the project's overrides; returns its effective limits. */
  async update(ctx: RequestContext, projectId: string, limits: QuotaLimitsUpdate): Promise<QuotaLimits> {
    this.authorizeOnProject(ctx, 'quota:update', projectId);
    await this.stores.quotas.setProjectLimits(projectId, limits);
    return this.limits(projectId);
  }

  /** Removes the project's overrides. */
  async delete(ctx: RequestContext, projectId: string): Promise<void> {
    this.authorizeOnProject(ctx, 'quota:delete', projectId);
    await this.stores.quotas.deleteProject(projectId);
  }

  /** Every project's defaults: the `default` class, else `[quota]`. */
  async defaults(ctx: RequestContext, projectId: string): Promise<QuotaLimits> {
    this.authorizeOnProject(ctx, 'quota:get_default', projectId);
    if (!this.enabled) return this.unlimited();
    return this.stores.quotaClasses.limits(DEFAULT_QUOTA_CLASS, this.configDefaults());
  }

  /** A class's limits (its rows, else `[quota]`). */
  showClass(ctx: RequestContext, className: string): Promise<QuotaLimits> {
    this.authorizeOnClass(ctx, 'quota_class:get', className);
    return this.classLimits(className);
  }

  /** Sets a class's rows; returns its limits. */
  async updateClass(ctx: RequestContext, className: string, limits: QuotaLimitsUpdate): Promise<QuotaLimits> {
    this.authorizeOnClass(ctx, 'quota_class:update', className);
    await this.stores.quotaClasses.setLimits(className, limits);
    return this.classLimits(className);
  }

  async check(ctx: RequestContext, deltas: QuotaDeltas): Promise<void> {
    const project = this.projectOf(ctx);
    if (!this.enabled || project === null) return;
    await this.stores.quotas.check(project, deltas, this.configDefaults());
  }

  /**
   * Every create of a project goes through the quota repository, which writes the container and its mounts in
   * one transaction; with the no-op driver nothing is checked (not even stored overrides).
   * A request without a project counts against nothing, and cannot have volumes (they belong to a project).
   */
  async createContainer(_ctx: RequestContext, container: NewContainer, deltas: QuotaDeltas, mounts: MountPlan, ports: PortPlan, build?: JsonObject): Promise<Container> {
    const project = container.project_id ?? null;
    if (project === null) {
      if (mounts.mounts.length) throw noProjectForVolumes();
      if (ports.ports.length) throw new InvalidValue('Networks belong to a project: use a project-scoped token to create a container on them.');
      return this.stores.containers.create(container);
    }
    return this.stores.quotas.createContainer({ ...container, project_id: project }, deltas, this.createLimits(), mounts, ports, build);
  }

  async createVolume(_ctx: RequestContext, volume: NewVolume): Promise<Volume> {
    const project = volume.project_id;
    if (project === null) throw noProjectForVolumes();
    return this.stores.quotas.createVolume({ ...volume, project_id: project }, this.createLimits());
  }

  createCapsule(_ctx: RequestContext, rows: NewCapsule, deltas: QuotaDeltas): Promise<CreatedCapsule> {
    return this.stores.quotas.createCapsule(rows, deltas, this.createLimits());
  }

  /** The defaults a create is checked against; none with the no-op driver. */
  private createLimits(): QuotaLimits | typeof QUOTAS_OFF {
    return this.enabled ? this.configDefaults() : QUOTAS_OFF;
  }

  /** False with a no-op driver. */
  private get enabled(): boolean {
    return !isNoop(this.conf.quota.driver);
  }

  /** The `[quota]` limits. */
  private configDefaults(): QuotaLimits {
    const q = this.conf.quota;
    return { containers: q.containers, memory: q.memory, cpu: q.cpu, disk: q.disk };
  }

  private unlimited(): QuotaLimits {
    return { containers: -1, memory: -1, cpu: -1, disk: -1 };
  }

  /** Whose usage a request counts against (requests without a project are not limited). */
  private projectOf(ctx: RequestContext): string | null {
    return ctx.projectId;
  }

  /** The project's effective limits. */
  private async limits(projectId: string): Promise<QuotaLimits> {
    if (!this.enabled) return this.unlimited();
    return this.stores.quotas.effectiveLimits(projectId, this.configDefaults());
  }

  /** Limits with usage, per resource. */
  private async limitsWithUsage(projectId: string): Promise<Record<QuotaResource, QuotaUsageEntry>> {
    const [limits, usage]: [QuotaLimits, ContainerUsage] = this.enabled
      ? await Promise.all([this.limits(projectId), this.stores.quotas.usage(projectId)])
      : [this.unlimited(), { containers: -1, memory: -1, cpu: -1, disk: -1 }];
    return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, { limit: limits[r], in_use: usage[r] }])) as Record<QuotaResource, QuotaUsageEntry>;
  }

  private classLimits(className: string): Promise<QuotaLimits> {
    if (!this.enabled) return Promise.resolve(this.unlimited());
    return this.stores.quotaClasses.limits(className, this.configDefaults());
  }
}
