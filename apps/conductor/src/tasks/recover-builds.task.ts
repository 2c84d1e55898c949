import { inject, injectable } from 'inversify';
import { LOGGER, type Logger } from '@zun-ts/common';
import { ZUN_CONF, type ZunConf } from '@zun-ts/config';
import { CONTAINER_REPOSITORY, type ContainerRepository, type ContainerScope, ZUN_SERVICE_REPOSITORY, type ZunServiceRepository } from '@zun-ts/db';
import { COMPUTE_BINARY, type Container, isServiceUp, type ZunService } from '@zun-ts/objects';
import { PeriodicTask } from '@zun-ts/service';
import { BuildContainerTask, type RecoverOutcome } from './build-container.task';

/** Every row, whatever its project or type. */
const ANY: ContainerScope = { projectId: null, allProjects: true, containerType: null };

/** The Error reason of a container whose compute host went down while creating it. */
export function hostDownReason(host: string): string {
  return `Compute host ${host} went down while creating the container.`;
}

/** The Error reason of a container whose build on a live host made no progress for `seconds`. */
export function buildTimeoutReason(host: string, seconds: number): string {
  return `Creating the container on host ${host} made no progress for ${seconds} seconds.`;
}

/** How long the container's record has not changed, at `now`. */
function unchangedMs(c: Pick<Container, 'updated_at' | 'created_at'>, now: Date): number {
  return now.getTime() - (c.updated_at ?? c.created_at).getTime();
}

/** One container the task acted on, and why. */
export interface RecoveredBuild {
  uuid: string;
  /** null for a build lost before it placed the container. */
  host: string | null;
  cause: 'host-down' | 'timeout' | 'lost';
  outcome: RecoverOutcome | 'rerun' | 'recast';
}

/**
 * The conductor's periodic recovery of builds left behind. A container stays `Creating` after its create
 * was cast to a compute host only while that host works on it: when the host's zun-compute service is down
 * (no heartbeat for `service_down_time`, forced down, or its service row deleted), no report will come, so
 * the build is handed to {@link BuildContainerTask.recover} as a retryable failure there (rescheduled
 * without that host, or Error). A container whose host is up but whose record has not changed for
 * `[conductor] build_timeout` seconds is failed instead: that host may still finish, and two hosts must
 * never build the same container.
 *
 * Every conductor worker runs it; a container is recovered by exactly one of them (the claim release
 * decides), and a run that finds nothing to do only costs one query.
 */
@injectable()
export class RecoverBuildsTask {
  private readonly periodic: PeriodicTask;

  constructor(
    @inject(ZUN_CONF) private readonly conf: Pick<ZunConf, 'DEFAULT' | 'conductor'>,
    @inject(CONTAINER_REPOSITORY) private readonly containers: Pick<ContainerRepository, 'list'>,
    @inject(ZUN_SERVICE_REPOSITORY) private readonly services: Pick<ZunServiceRepository, 'list'>,
    @inject(BuildContainerTask) private readonly builds: Pick<BuildContainerTask, 'recover' | 'rerunLost' | 'recastCreate'>,
    @inject(LOGGER) private readonly logger: Logger,
  ) {
    this.periodic = new PeriodicTask('recover_builds', conf.DEFAULT.periodic_interval * 1000, async () => void (await this.runOnce()), logger);
  }

  /** One pass over the containers in `Creating`; returns what it did. */
  async runOnce(now: Date = new Date()): Promise<RecoveredBuild[]> {
    const creating = await this.containers.list(ANY, { filters: { status: 'Creating' } });
    if (!creating.length) return [];
    const { service_down_time: downTime, rpc_response_timeout: rpcTimeout } = this.conf.DEFAULT;
    // A build that is moving a container (scheduler call, claim, save, cast) is done well within this.
    const graceMs = Math.max(downTime, rpcTimeout) * 1000;
    const placed = creating.filter((c): c is Container & { host: string } => c.host !== null);
    const unplaced = creating.filter((c) => c.host === null && unchangedMs(c, now) > graceMs);
    return [...(placed.length ? await this.recoverPlaced(placed, now, graceMs) : []), ...(await this.rerunLost(unplaced))];
  }

  /**
   * Builds that never placed their container and have not moved for the grace time: their message was lost on
   * the bus (a Redis that lost its data). Each is run again from the request stored with the container.
   */
  private async rerunLost(unplaced: Container[]): Promise<RecoveredBuild[]> {
    const done: RecoveredBuild[] = [];
    for (const c of unplaced) {
      try {
        const outcome = await this.builds.rerunLost(c.uuid);
        if (outcome === 'rerun') this.logger.warn('build recovered', { containerUuid: c.uuid, host: null, cause: 'lost', outcome });
        done.push({ uuid: c.uuid, host: null, cause: 'lost', outcome });
      } catch (err) {
        this.logger.warn('build recovery failed; retried next run', { containerUuid: c.uuid, host: null, cause: 'lost', error: (err as Error).message });
      }
    }
    return done;
  }

  /** A container placed on a live host and unchanged for the grace time: its create cast may be lost; cast it again. */
  private async recast(c: Container & { host: string }, now: Date, graceMs: number): Promise<RecoveredBuild[]> {
    try {
      if ((await this.builds.recastCreate(c.uuid, c.host, { graceMs, now })) === 'skipped') return [];
      this.logger.warn('build recovered', { containerUuid: c.uuid, host: c.host, cause: 'lost', outcome: 'recast' });
      return [{ uuid: c.uuid, host: c.host, cause: 'lost', outcome: 'recast' }];
    } catch (err) {
      this.logger.warn('build recovery failed; retried next run', { containerUuid: c.uuid, host: c.host, cause: 'lost', error: (err as Error).message });
      return [];
    }
  }

  private async recoverPlaced(creating: (Container & { host: string })[], now: Date, graceMs: number): Promise<RecoveredBuild[]> {
    const computes = new Map<string, ZunService>();
    for (const s of await this.services.list()) if (s.binary === COMPUTE_BINARY) computes.set(s.host, s);
    const downTime = this.conf.DEFAULT.service_down_time;
    const timeout = this.conf.conductor.build_timeout;
    const done: RecoveredBuild[] = [];
    for (const c of creating) {
      const service = computes.get(c.host);
      let cause: RecoveredBuild['cause'];
      let reason: string;
      if (!service || !isServiceUp(service, downTime, now)) {
        cause = 'host-down';
        reason = hostDownReason(c.host);
      } else if (timeout > 0 && unchangedMs(c, now) > timeout * 1000) {
        cause = 'timeout';
        reason = buildTimeoutReason(c.host, timeout);
      } else {
        if (unchangedMs(c, now) > graceMs) done.push(...(await this.recast(c, now, graceMs)));
        continue;
      }
      try {
        const outcome = await this.builds.recover(c.uuid, c.host, reason, { reschedule: cause === 'host-down', graceMs, now });
        if (outcome !== 'skipped') this.logger.warn('build recovered', { containerUuid: c.uuid, host: c.host, cause, outcome });
        done.push({ uuid: c.uuid, host: c.host, cause, outcome });
      } catch (err) {
        // One container's trouble (the scheduler unreachable …) must not hold up the others; the next run retries.
        this.logger.warn('build recovery failed; retried next run', { containerUuid: c.uuid, host: c.host, cause, error: (err as Error).message });
      }
    }
    return done;
  }

  /** Runs now and then `[DEFAULT] periodic_interval` after each run ends (runs never overlap). */
  start(): void {
    this.periodic.start();
  }

  /** No more runs; resolves once a run in flight has finished. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
