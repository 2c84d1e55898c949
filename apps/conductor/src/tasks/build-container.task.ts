import { inject, injectable } from 'inversify';
import { ComputeNodeNotFound, ContainerNotFound, type Logger, NoValidHost, type RequestContext, RequestedHostNotFound, ZunError } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import {
  type ClaimLimits,
  type ClaimResources,
  type ComputeNodeRepository,
  type ContainerActionRepository,
  type ContainerRepository,
  type ContainerScope,
  ContainerStateConflict,
} from '@zun-ts/db';
import { type Container } from '@zun-ts/objects';
import { type BuildContainerRequest, type BuildRetry, type CreateFailureReport } from '@zun-ts/rpc';
import { type ComputeCaster, type SchedulerApi } from '../rpc-apis';
import { ACTION_REPOSITORY, COMPUTE_CASTER, COMPUTE_NODE_REPOSITORY, CONDUCTOR_CONF, CONTAINER_REPOSITORY, LOGGER, SCHEDULER_API } from '../tokens';

/** Zun's status_reason when scheduling finds no host. */
export const NO_HOST_REASON = 'There are not enough hosts available.';
/** Action event of the first build attempt; later attempts get a numbered name (events are unique per action). */
export const BUILD_EVENT = 'conductor__schedule_and_build';

/** The action event name of build attempt `attempt` (1-based). */
export function buildEventName(attempt: number): string {
  return attempt <= 1 ? BUILD_EVENT : `${BUILD_EVENT}_attempt_${attempt}`;
}

/** Every row, whatever its project or type: the conductor acts for the system. */
const ANY: ContainerScope = { projectId: null, allProjects: true, containerType: null };

/** The container's `memory` ("512", "512M") in MiB; null when unset or unreadable. */
export function memoryMiB(memory: string | null): number | null {
  if (memory === null) return null;
  const m = /^\s*(\d+)\s*[mM]?\s*$/.exec(memory);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** A failure worth retrying the whole message for: marked retryable, or a 503/504 rebuilt from another process. */
export function isTransient(err: unknown): boolean {
  return err instanceof ZunError && (err.retryable || err.status === 503 || err.status === 504);
}

/** What the container asks of a host. */
export function claimResources(c: Pick<Container, 'cpu' | 'memory' | 'disk'>): ClaimResources {
  return { cpu: c.cpu ?? 0, memory: memoryMiB(c.memory) ?? 0, disk: c.disk ?? 0 };
}

/**
 * The allocation ratios a claim enforces: those of the enabled resource filters only, so that a
 * resource the operator does not schedule on is not refused at claim time either (Zun: a filter
 * that did not run wrote no limit, and a missing limit is unlimited).
 */
export function claimLimits(s: ZunConf['scheduler']): ClaimLimits {
  const on = (name: string): boolean => s.enabled_filters.includes(name);
  return {
    cpuRatio: on('CPUFilter') ? s.cpu_allocation_ratio : null,
    ramRatio: on('RamFilter') ? s.ram_allocation_ratio : null,
    diskRatio: on('DiskFilter') ? s.disk_allocation_ratio : null,
  };
}

/**
 * The conductor's build: ask the scheduler for hosts, claim the first one whose atomic claim
 * succeeds, record the host and cast `containerCreate` to it. A compute host that fails with a
 * retryable error reports back and the build moves to another host, up to `[scheduler] max_attempts`.
 *
 * Every step is safe under redelivery: a build whose container already holds a claim casts the
 * create again instead of claiming twice (the compute create is idempotent), a container that is no
 * longer `Creating` is left alone, and a failure report about a host the container has already left
 * is ignored. Each attempt is an action event of the `create` action.
 */
@injectable()
export class BuildContainerTask {
  constructor(
    @inject(CONDUCTOR_CONF) private readonly conf: Pick<ZunConf, 'scheduler'>,
    @inject(CONTAINER_REPOSITORY) private readonly containers: Pick<ContainerRepository, 'getByUuid' | 'update'>,
    @inject(COMPUTE_NODE_REPOSITORY)
    private readonly nodes: Pick<ComputeNodeRepository, 'claimForContainer' | 'releaseForContainer' | 'getClaim'>,
    @inject(ACTION_REPOSITORY) private readonly actions: Pick<ContainerActionRepository, 'start' | 'finish' | 'eventStart' | 'eventFinish'>,
    @inject(SCHEDULER_API) private readonly scheduler: SchedulerApi,
    @inject(COMPUTE_CASTER) private readonly compute: ComputeCaster,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  private log(ctx: RequestContext, uuid: string): Logger {
    return this.logger.child({ requestId: ctx.requestId, containerUuid: uuid });
  }

  /** The first attempt (buildContainer). */
  async build(ctx: RequestContext, req: BuildContainerRequest): Promise<void> {
    const uuid = req.container_uuid;
    const log = this.log(ctx, uuid);
    const c = await this.creating(uuid, log);
    if (!c) return;
    try {
      // The API records the action before casting; recording it here too (idempotent) keeps the events
      // of a build that arrived some other way.
      await this.actions.start(ctx, uuid, 'create', ctx.requestId);
    } catch (err) {
      if (err instanceof ContainerNotFound) return;
      throw err;
    }
    const claim = await this.nodes.getClaim(uuid);
    if (claim && claim.released_at === null) {
      // Redelivered after the claim was made: hand the create to that host again.
      log.info('build redelivered; container already claimed, casting the create again', { host: claim.hostname });
      await this.placeOn(ctx, c, claim.hostname, { request: req, attempt: 1, hosts: [claim.hostname] }, log);
      return;
    }
    await this.attempt(ctx, c, { request: req, attempt: 1, hosts: [] }, log);
  }

  /** A compute host failed the create (reportCreateFailure): release its claim, then retry elsewhere or fail. */
  async reschedule(ctx: RequestContext, report: CreateFailureReport): Promise<void> {
    const uuid = report.container_uuid;
    const log = this.log(ctx, uuid).child({ host: report.host });
    const c = await this.creating(uuid, log);
    if (!c) return;
    if (c.host !== report.host) {
      log.info('failure report about a host the container has left; ignored', { currentHost: c.host });
      return;
    }
    const claim = await this.nodes.getClaim(uuid);
    if (claim && claim.released_at === null) {
      if (claim.hostname !== report.host) {
        log.info('failure report about a host the container is not claimed on; ignored', { claimedOn: claim.hostname });
        return;
      }
      await this.nodes.releaseForContainer(uuid);
    }
    const { retry } = report;
    const event = buildEventName(retry.attempt);
    await this.event(ctx, uuid, event, report.host, 'Error', `${report.host}: ${report.reason}`, log);
    const max = this.conf.scheduler.max_attempts;
    if (report.retryable && retry.attempt < max && !retry.request.requested_host) {
      log.warn('create failed on host; rescheduling', { reason: report.reason, attempt: retry.attempt, maxAttempts: max });
      await this.attempt(ctx, c, { request: retry.request, attempt: retry.attempt + 1, hosts: [...new Set([...retry.hosts, report.host])] }, log);
      return;
    }
    const reason = report.retryable && retry.attempt >= max
      ? `Failed to create the container after ${retry.attempt} attempt(s); last error: ${report.reason}`
      : report.reason;
    log.warn('create failed; not rescheduling', { reason: report.reason, retryable: report.retryable, attempt: retry.attempt });
    await this.fail(ctx, c, null, reason, log);
  }

  /** The record while it is still `Creating`; null (logged) otherwise. */
  private async creating(uuid: string, log: Logger): Promise<Container | null> {
    let c: Container;
    try {
      c = await this.containers.getByUuid(ANY, uuid);
    } catch (err) {
      if (!(err instanceof ContainerNotFound)) throw err;
      log.info('container gone; build dropped');
      return null;
    }
    if (c.status !== 'Creating') {
      log.info('container no longer Creating; build dropped', { status: c.status });
      return null;
    }
    return c;
  }

  private async attempt(ctx: RequestContext, c: Container, retry: BuildRetry, log: Logger): Promise<void> {
    const event = buildEventName(retry.attempt);
    let hosts: string[];
    try {
      ({ hosts } = await this.scheduler.selectDestinations(ctx, {
        container_uuid: c.uuid,
        cpu: c.cpu,
        memory: memoryMiB(c.memory),
        disk: c.disk || null,
        runtime: c.runtime,
        cpu_policy: c.cpu_policy,
        hints: retry.request.hints ?? {},
        availability_zone: retry.request.availability_zone,
        requested_host: retry.request.requested_host,
        ignore_hosts: retry.hosts,
      }));
    } catch (err) {
      if (err instanceof NoValidHost) return this.fail(ctx, c, event, NO_HOST_REASON, log);
      if (err instanceof RequestedHostNotFound) return this.fail(ctx, c, event, err.message, log);
      // The scheduler (or its database) unreachable: the cast is retried. Anything else would fail again.
      if (isTransient(err)) throw err;
      return this.fail(ctx, c, event, `Scheduling failed: ${(err as Error).message}`, log);
    }
    const resources = claimResources(c);
    const limits = claimLimits(this.conf.scheduler);
    for (const host of hosts) {
      let outcome;
      try {
        outcome = await this.nodes.claimForContainer(c.uuid, host, resources, limits);
      } catch (err) {
        if (err instanceof ComputeNodeNotFound) continue; // deleted since the scheduler looked
        if (err instanceof ContainerNotFound) {
          log.info('container deleted while scheduling; build dropped');
          return;
        }
        throw err;
      }
      const chosen = outcome.claimed ? host : outcome.alreadyClaimed ? outcome.hostname : null;
      if (chosen) {
        log.info('host claimed', { host: chosen, attempt: retry.attempt, ...resources });
        await this.placeOn(ctx, c, chosen, { ...retry, hosts: [...new Set([...retry.hosts, chosen])] }, log);
        return;
      }
      // Another scheduler's pick (or a stale snapshot) filled the host first: try the next one.
      log.info('claim refused (host full); trying the next host', { host });
    }
    await this.fail(ctx, c, event, NO_HOST_REASON, log);
  }

  /** Records `host` on the record and casts the create to it; gives the claim back if the container went away. */
  private async placeOn(ctx: RequestContext, c: Container, host: string, retry: BuildRetry, log: Logger): Promise<void> {
    let saved: Container;
    try {
      saved = c.host === host ? c : await this.containers.update(c.uuid, { host }, { status: ['Creating'] });
    } catch (err) {
      if (err instanceof ContainerNotFound || err instanceof ContainerStateConflict) {
        // Deleted (or otherwise taken over) while we claimed: the claim must not outlive the build.
        await this.nodes.releaseForContainer(c.uuid);
        log.info('container changed while placing it; claim released', { host });
        return;
      }
      throw err;
    }
    await this.compute.containerCreate(ctx, host, { container_uuid: c.uuid, container: saved, run: retry.request.run, retry });
    await this.event(ctx, c.uuid, buildEventName(retry.attempt), host, 'Success', null, log);
  }

  /** Terminal failure: status Error with `reason`, no host; `event` (when given) is finished as Error. */
  private async fail(ctx: RequestContext, c: Container, event: string | null, reason: string, log: Logger): Promise<void> {
    try {
      await this.containers.update(c.uuid, { status: 'Error', status_reason: reason, host: null, task_state: null }, { status: ['Creating'] });
    } catch (err) {
      if (err instanceof ContainerNotFound || err instanceof ContainerStateConflict) return;
      throw err;
    }
    log.warn('build failed', { reason });
    if (event) await this.event(ctx, c.uuid, event, null, 'Error', reason, log);
    try {
      await this.actions.finish(c.uuid, ctx.requestId);
    } catch (err) {
      log.debug('action not finished', { error: (err as Error).message });
    }
  }

  /** Records a finished attempt event; the record is informative, so failing to write it fails nothing. */
  private async event(ctx: RequestContext, uuid: string, event: string, host: string | null, result: 'Success' | 'Error',
    traceback: string | null, log: Logger): Promise<void> {
    try {
      await this.actions.eventStart(ctx.requestId, uuid, event, host);
      await this.actions.eventFinish(ctx.requestId, uuid, event, result, traceback);
    } catch (err) {
      log.info('action event not recorded', { event, error: (err as Error).message });
    }
  }
}
