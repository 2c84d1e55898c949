import { recordBuildEnd, recordReschedule } from '../build-metrics';
import { inject, injectable } from 'inversify';
import {
  adminContext,
  ComputeNodeNotFound,
  ContainerNotFound,
  isRetryable,
  LOGGER,
  type Logger,
  NoValidHost,
  type RequestContext,
  RequestedHostNotFound,
} from '@zun-ts/common';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import {
  COMPUTE_NODE_REPOSITORY,
  CONTAINER_ACTION_REPOSITORY,
  CONTAINER_REPOSITORY,
  type ComputeNodeRepository,
  type ContainerActionRepository,
  type ContainerRepository,
  type ContainerClaim,
  type ContainerScope,
  ContainerStateConflict,
  NETWORK_REPOSITORY,
  VOLUME_REPOSITORY,
  type VolumeRepository,
} from '@zun-ts/db';
import { type Container, CONTAINER_TYPES } from '@zun-ts/objects';
import { type BuildContainerRequest, type BuildRetry, type CreateFailureReport, parseStoredBuild, storedBuildJson } from '@zun-ts/rpc';
import { COMPUTE_CASTER, type ComputeCaster, SCHEDULER_API, type SchedulerApi } from '../tokens';
import { claimLimits, claimResources, selectRequestOf } from './claim-terms';
import { type ClaimTry, selectAndClaim } from './claim-loop';
import { isAddressFailure, PortPlacement, type PortPlacementRepository } from './port-placement';
import { noHostReason, volumeHostsOf } from './volume-placement';

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

/** Options of {@link BuildContainerTask.recover}. */
export interface RecoverOptions {
  /** Build elsewhere when the stored build state allows it (false: always fail the container). */
  reschedule: boolean;
  /**
   * How long a claim that is released, or held on another host than the container's, may stay so: a build
   * is moving the container right now. Past it, that build is taken to have died and recovery goes on.
   */
  graceMs: number;
  now?: Date;
}

/** What {@link BuildContainerTask.recover} did. */
export type RecoverOutcome = 'rescheduled' | 'failed' | 'skipped';

/**
 * The conductor's build: ask the scheduler for hosts (only the host holding the container's volumes,
 * when they are on one already), claim the first one whose atomic claim succeeds (all of them full by then: ask again
 * without them, `selectAndClaim`), record the host, give the
 * container's ports their addresses there (PortPlacement; no address → Error, not retried elsewhere) and cast
 * `containerCreate` to it. A compute host that fails with a retryable error reports back and the build moves to
 * another host, up to `[scheduler] max_attempts`.
 *
 * Every step is safe under redelivery: a build whose container already holds a claim casts the
 * create again instead of claiming twice (the compute create is idempotent), a container that is no
 * longer `Creating` is left alone, and a failure report about a host the container has already left
 * is ignored. Each attempt is an action event of the `create` action.
 */
@injectable()
export class BuildContainerTask {
  constructor(
    @inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'scheduler'>,
    @inject(CONTAINER_REPOSITORY) private readonly containers: Pick<ContainerRepository, 'getByUuid' | 'update'> & Partial<Pick<ContainerRepository, 'list' | 'buildRequest'>>,
    @inject(COMPUTE_NODE_REPOSITORY)
    private readonly nodes: Pick<ComputeNodeRepository, 'claimForContainer' | 'releaseForContainer' | 'getClaim' | 'touchClaim'>,
    @inject(CONTAINER_ACTION_REPOSITORY) private readonly actions: Pick<ContainerActionRepository, 'start' | 'finish' | 'eventStart' | 'eventFinish'>,
    @inject(SCHEDULER_API) private readonly scheduler: SchedulerApi,
    @inject(COMPUTE_CASTER) private readonly compute: ComputeCaster,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(VOLUME_REPOSITORY) private readonly volumes: Pick<VolumeRepository, 'mountsOf'>,
    @inject(NETWORK_REPOSITORY) networks: PortPlacementRepository,
  ) {
    this.ports = new PortPlacement(networks, compute, logger);
  }

  private readonly ports: PortPlacement;

  private log(ctx: RequestContext, uuid: string): Logger {
    return this.logger.child({ requestId: ctx.requestId, containerUuid: uuid });
  }

  /**
   * Runs again, from the request the API stored with the container, a build whose message the bus lost (a Redis
   * that lost its data): the container is Creating on no host and holds no claim. 'skipped' when it holds a claim
   * (a build placed it meanwhile) or has no stored request. Safe beside a build still running: the claim's
   * unique key lets one of them place the container, the other casts the same create, which is idempotent.
   */
  async rerunLost(uuid: string): Promise<'rerun' | 'skipped'> {
    const claim = await this.nodes.getClaim(uuid);
    if (claim && claim.released_at === null) return 'skipped';
    const stored = parseStoredBuild((await this.containers.buildRequest?.(uuid)) ?? null);
    if (!stored || stored.retry.request.container_uuid !== uuid) return 'skipped';
    await this.build(stored.context, stored.retry.request);
    return 'rerun';
  }

  /**
   * Casts the create again to `host` (whose service is up) for a container placed there whose record has not changed
   * for the grace time: the cast may have been lost on the bus (a Redis that lost its data) after the build placed it.
   * The host's create is idempotent; one behind a create still in flight finds the container made. Touching the
   * claim is the guard: one cast per grace period, whichever conductor gets there first. 'skipped' when the
   * container left `host`, holds no claim there, has no stored build state, or was cast to within the period.
   */
  async recastCreate(uuid: string, host: string, opts: { graceMs: number; now?: Date }): Promise<'recast' | 'skipped'> {
    const log = this.logger.child({ containerUuid: uuid, host });
    const c = await this.creating(uuid, log);
    if (!c || c.host !== host) return 'skipped';
    const claim = await this.nodes.getClaim(uuid);
    if (!claim || claim.released_at !== null || claim.hostname !== host) return 'skipped';
    const stored = parseStoredBuild(claim.build);
    if (!stored) return 'skipped';
    const now = opts.now ?? new Date();
    if (!(await this.nodes.touchClaim(uuid, host, new Date(now.getTime() - opts.graceMs), now))) return 'skipped';
    const { retry, context } = stored;
    await this.compute(host).cast('containerCreate', context, { container_uuid: uuid, container: c, run: retry.request.run, retry });
    return 'recast';
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
      // Releasing is the guard: of two copies of the report handled at once, only one goes on.
      if (!(await this.nodes.releaseForContainer(uuid))) {
        log.info('claim released by another handler of the same failure; ignored');
        return;
      }
    }
    await this.retryOrFail(ctx, c, report.host, report.reason, report.retryable, report.retry, NO_HOST_REASON, log);
  }

  /**
   * Recovery of a build left behind: the container is `Creating` on `host`, whose compute service is down
   * (or which made no progress for too long), so no failure report will ever come. Treated like a
   * retryable failure on that host: its claim is released (exactly once; of several conductors recovering
   * the same container only the one that released it goes on), then the build moves to another host when
   * `reschedule` and the stored build state allow it, else the container goes to Error with `reason`.
   * Safe to repeat: a container that is no longer Creating on `host` is left alone.
   */
  async recover(uuid: string, host: string, reason: string, opts: RecoverOptions): Promise<RecoverOutcome> {
    let log = this.logger.child({ containerUuid: uuid, host });
    const c = await this.creating(uuid, log);
    if (!c) return 'skipped';
    if (c.host !== host) {
      log.info('container left the host meanwhile; nothing to recover', { currentHost: c.host });
      return 'skipped';
    }
    const now = opts.now ?? new Date();
    const claim = await this.nodes.getClaim(uuid);
    const settled = (since: Date): boolean => now.getTime() - since.getTime() >= opts.graceMs;
    if (claim && claim.released_at === null) {
      if (claim.hostname !== host && !settled(claimTime(claim))) {
        log.info('container being placed on another host; recovery waits', { claimedOn: claim.hostname });
        return 'skipped';
      }
      if (!(await this.nodes.releaseForContainer(uuid))) {
        log.info('claim released by another conductor; recovery left to it');
        return 'skipped';
      }
    } else if (!settled(claim ? claimTime(claim) : (c.updated_at ?? c.created_at))) {
      // Released but not placed again yet: a reschedule is in flight (or died; then the next run goes on).
      log.info('container being rescheduled; recovery waits');
      return 'skipped';
    }
    const stored = parseStoredBuild(claim?.build);
    const ctx = stored?.context ?? adminContext();
    log = log.child({ requestId: ctx.requestId });
    if (!stored) log.warn('no build state stored with the claim; the container cannot be rescheduled');
    const retryable = opts.reschedule && stored !== null;
    return this.retryOrFail(ctx, c, host, reason, retryable, stored?.retry ?? null, `${reason} ${NO_HOST_REASON}`, log);
  }

  /**
   * After a failure on `host` (its claim given back): the attempt's event is marked Error, then the build
   * goes on as the next attempt elsewhere (retryable, attempts left, no requested host) or the container
   * fails with `reason`. `noHost` is the reason when no other host can take it.
   */
  private async retryOrFail(ctx: RequestContext, c: Container, host: string, reason: string, retryable: boolean,
    retry: BuildRetry | null, noHost: string, log: Logger): Promise<'rescheduled' | 'failed'> {
    if (retry) await this.event(ctx, c.uuid, buildEventName(retry.attempt), host, 'Error', `${host}: ${reason}`, log);
    const max = this.conf.scheduler.max_attempts;
    if (retry && retryable && retry.attempt < max && !retry.request.requested_host) {
      log.warn('create failed on host; rescheduling', { reason, attempt: retry.attempt, maxAttempts: max });
      const next: BuildRetry = { request: retry.request, attempt: retry.attempt + 1, hosts: [...new Set([...retry.hosts, host])] };
      recordReschedule();
      await this.attempt(ctx, c, next, log, noHost);
      return 'rescheduled';
    }
    const final = retry && retryable && retry.attempt >= max
      ? `Failed to create the container after ${retry.attempt} attempt(s); last error: ${reason}`
      : reason;
    log.warn('create failed; not rescheduling', { reason, retryable, attempt: retry?.attempt ?? null });
    await this.fail(ctx, c, null, final, log);
    return 'failed';
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

  private async attempt(ctx: RequestContext, c: Container, retry: BuildRetry, log: Logger, noHostBase = NO_HOST_REASON): Promise<void> {
    const event = buildEventName(retry.attempt);
    // Read on every attempt: a volume on no host may have been bound since (by another container's build).
    const volumeHosts = volumeHostsOf(await this.volumes.mountsOf(c.uuid));
    const noHost = noHostReason(noHostBase, volumeHosts);
    if (volumeHosts.length) log.info('volumes tie the container to hosts', { volumeHosts });
    const select = async (refused: readonly string[]): Promise<string[] | null> => {
      if (refused.length) log.info('every host offered was full by the claim; asking the scheduler again without them', { refused: refused.length });
      try {
        const args = selectRequestOf(c, retry.request, [...retry.hosts, ...refused], volumeHosts);
        return (await this.scheduler.call('selectDestinations', ctx, args)).hosts;
      } catch (err) {
        if (err instanceof NoValidHost) await this.fail(ctx, c, event, noHost, log);
        else if (err instanceof RequestedHostNotFound) await this.fail(ctx, c, event, err.message, log);
        // The scheduler (or its database) unreachable: the cast is retried. Anything else would fail again.
        else if (isRetryable(err)) throw err;
        else await this.fail(ctx, c, event, `Scheduling failed: ${(err as Error).message}`, log);
        return null;
      }
    };
    const resources = claimResources(c);
    const limits = claimLimits(this.conf.scheduler);
    const claim = async (host: string): Promise<ClaimTry> => {
      let outcome;
      try {
        // The build state goes in with the claim, so the claim never exists without it.
        const build = storedBuildJson(ctx, { ...retry, hosts: [...new Set([...retry.hosts, host])] });
        outcome = await this.nodes.claimForContainer(c.uuid, host, resources, limits, build);
      } catch (err) {
        if (err instanceof ComputeNodeNotFound) return 'refused'; // deleted since the scheduler looked
        if (err instanceof ContainerNotFound) {
          log.info('container deleted while scheduling; build dropped');
          return 'dropped';
        }
        throw err;
      }
      const chosen = outcome.claimed ? host : outcome.alreadyClaimed ? outcome.hostname : null;
      if (chosen) {
        log.info('host claimed', { host: chosen, attempt: retry.attempt, ...resources });
        return { placed: chosen };
      }
      // Another scheduler's pick (or a stale snapshot) filled the host first: try the next one.
      log.info('claim refused (host full); trying the next host', { host });
      return 'refused';
    };
    const { outcome } = await selectAndClaim(select, claim);
    if (outcome === 'dropped') return;
    if (outcome === 'refused') return this.fail(ctx, c, event, noHost, log);
    await this.placeOn(ctx, c, outcome.placed, { ...retry, hosts: [...new Set([...retry.hosts, outcome.placed])] }, log);
  }

  /**
   * Records `host` on the record, allocates the ports there and casts the create to it; gives the claim back if the
   * container went away, or (and fails the build) if its network has no address for it.
   */
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
    // A capsule is placed whole: its members are on its host, so that host owns their records too.
    if (saved.container_type === CONTAINER_TYPES.capsule) await this.placeMembers(saved, host);
    try {
      await this.ports.allocate(ctx, c.uuid, host, log);
    } catch (err) {
      if (!isAddressFailure(err)) throw err;
      // Another host would find the same network without the address: fail now, giving the claim back first.
      await this.nodes.releaseForContainer(c.uuid);
      await this.fail(ctx, c, buildEventName(retry.attempt), err.message, log);
      return;
    }
    await this.compute(host).cast('containerCreate', ctx, { container_uuid: c.uuid, container: saved, run: retry.request.run, retry });
    await this.event(ctx, c.uuid, buildEventName(retry.attempt), host, 'Success', null, log);
  }

  /** Records `host` on every member of capsule `c` (idempotent). */
  private async placeMembers(c: Container, host: string): Promise<void> {
    if (!this.containers.list) throw new Error('the container repository cannot list the members of a capsule');
    const members = await this.containers.list(ANY, { filters: { capsule_id: c.id } });
    for (const m of members) if (m.host !== host) await this.containers.update(m.uuid, { host });
  }

  /** Terminal failure: status Error with `reason`, no host; `event` (when given) is finished as Error. */
  private async fail(ctx: RequestContext, c: Container, event: string | null, reason: string, log: Logger): Promise<void> {
    try {
      await this.containers.update(c.uuid, { status: 'Error', status_reason: reason, host: null, task_state: null }, { status: ['Creating'] });
      recordBuildEnd(c, 'Error');
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

/** When a claim last changed hands (made, re-armed or released). */
function claimTime(claim: ContainerClaim): Date {
  return claim.updated_at ?? claim.created_at;
}
