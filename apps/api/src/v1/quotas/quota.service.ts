import { type RequestContext } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type ContainerUsage, DEFAULT_QUOTA_CLASS, type NewContainer, type QuotaDeltas, type QuotaLimits } from '@zun-ts/db';
import { type Container, QUOTA_RESOURCES, type QuotaResource } from '@zun-ts/objects';
import { type ContainerStores, type QuotaCheck } from '../containers/containers.tokens';

/** A limit with the project's usage (`GET /v1/quotas/{p}?usages=…`). */
export interface QuotaUsageEntry {
  limit: number;
  in_use: number;
}

/** `[quota] driver` values that turn quotas off (Zun's NoopQuotaDriver: every limit and usage −1). */
function isNoop(driver: string): boolean {
  return /noop/i.test(driver);
}

/**
 * Zun's database quota driver for the API: limits (project override → `default` class → `[quota]`),
 * usage, and the checks on create and update. A create is checked and inserted in one step per project
 * (the repository serialises a project's creates), so racing requests cannot overshoot a limit.
 */
export class QuotaService implements QuotaCheck {
  constructor(
    private readonly stores: Pick<ContainerStores, 'containers' | 'quotas' | 'quotaClasses'>,
    private readonly conf: Pick<ZunConf, 'quota'>,
  ) {}

  /** False with a no-op driver. */
  get enabled(): boolean {
    return !isNoop(this.conf.quota.driver);
  }

  /** The `[quota]` limits. */
  configDefaults(): QuotaLimits {
    const q = this.conf.quota;
    return { containers: q.containers, memory: q.memory, cpu: q.cpu, disk: q.disk };
  }

  private unlimited(): QuotaLimits {
    return { containers: -1, memory: -1, cpu: -1, disk: -1 };
  }

  /** Whose usage a request counts against (requests without a project are not limited). */
  projectOf(ctx: RequestContext): string | null {
    return ctx.projectId;
  }

  /** Every project's defaults: the `default` class, else `[quota]`. */
  async defaults(): Promise<QuotaLimits> {
    if (!this.enabled) return this.unlimited();
    return this.stores.quotaClasses.limits(DEFAULT_QUOTA_CLASS, this.configDefaults());
  }

  /** The project's effective limits. */
  async limits(projectId: string): Promise<QuotaLimits> {
    if (!this.enabled) return this.unlimited();
    return this.stores.quotas.effectiveLimits(projectId, this.configDefaults());
  }

  /** Limits with usage, per resource. */
  async limitsWithUsage(projectId: string): Promise<Record<QuotaResource, QuotaUsageEntry>> {
    const [limits, usage]: [QuotaLimits, ContainerUsage] = this.enabled
      ? await Promise.all([this.limits(projectId), this.stores.quotas.usage(projectId)])
      : [this.unlimited(), { containers: -1, memory: -1, cpu: -1, disk: -1 }];
    return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, { limit: limits[r], in_use: usage[r] }])) as Record<QuotaResource, QuotaUsageEntry>;
  }

  /** Sets the project's overrides; returns its effective limits. */
  async update(projectId: string, limits: Partial<QuotaLimits>): Promise<QuotaLimits> {
    await this.stores.quotas.setProjectLimits(projectId, limits);
    return this.limits(projectId);
  }

  /** Removes the project's overrides. */
  async delete(projectId: string): Promise<void> {
    await this.stores.quotas.deleteProject(projectId);
  }

  /** A class's limits (its rows, else `[quota]`). */
  classLimits(className: string): Promise<QuotaLimits> {
    if (!this.enabled) return Promise.resolve(this.unlimited());
    return this.stores.quotaClasses.limits(className, this.configDefaults());
  }

  /** Sets a class's rows; returns its limits. */
  async updateClass(className: string, limits: Partial<QuotaLimits>): Promise<QuotaLimits> {
    await this.stores.quotaClasses.setLimits(className, limits);
    return this.classLimits(className);
  }

  async check(ctx: RequestContext, deltas: QuotaDeltas): Promise<void> {
    const project = this.projectOf(ctx);
    if (!this.enabled || project === null) return;
    await this.stores.quotas.check(project, deltas, this.configDefaults());
  }

  async createContainer(_ctx: RequestContext, container: NewContainer, deltas: QuotaDeltas): Promise<Container> {
    const project = container.project_id ?? null;
    if (!this.enabled || project === null) return this.stores.containers.create(container);
    return this.stores.quotas.createContainer({ ...container, project_id: project }, deltas, this.configDefaults());
  }
}
