import { ContainerNotFound, isRetryable, type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerDriver, type ContainerState, type RegistryCredentials } from '@zun-ts/compute-driver';
import { NetworkDriverError } from '@zun-ts/network-driver';
import { type Container, type ContainerAddresses, type ContainerStatus, type TaskState } from '@zun-ts/objects';
import { type BuildRetry } from '@zun-ts/rpc';
import { type ContainerRecords, errorText, isConflict } from './conductor-api';
import { createdPatch, createSpecOf, detailOf, isRetryableCreateFailure } from './container-mapping';
import { type ContainerNetworks, type PreparedNetworks } from './container-networks';
import { type ContainerRegistries } from './container-registry';
import { type ContainerVolumes } from './container-volumes';
import { DockerImageDriver, ImageDrivers } from './image-drivers';

/** Action event names, as Zun's compute records them. */
export const EVENTS = {
  create: 'compute__do_container_create',
  start: 'compute__do_container_start',
  stop: 'compute__do_container_stop',
  reboot: 'compute__do_container_reboot',
  pause: 'compute__do_container_pause',
  unpause: 'compute__do_container_unpause',
  kill: 'compute__do_container_kill',
  delete: 'compute__do_container_delete',
  rebuild: 'compute__do_container_rebuild',
  commit: 'compute__do_container_commit',
} as const;

/** A driver step failed: the failure belongs to the container, not to this process. */
class DriverFailure extends Error {
  constructor(readonly error: unknown) {
    super(errorText(error));
  }
}

async function step<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new DriverFailure(err);
  }
}

/** Whether a host supports per-container disk quotas; null while not known yet. */
export type DiskQuotaProbe = () => boolean | null;

/**
 * The create steps of Zun's compute (pull per policy, create `zun-<uuid>`, record what the engine
 * made, start when asked) for a new container, a rebuild and an auto-heal. Callers hold the
 * container's lock. Every save is guarded by the status the step expects, so a container deleted
 * or changed meanwhile is never overwritten; the engine container is named by the uuid, so running
 * the steps twice never makes a second one.
 */
export class ContainerBuilder {
  constructor(
    private readonly driver: ContainerDriver,
    private readonly records: ContainerRecords,
    private readonly volumes: ContainerVolumes,
    private readonly networks: ContainerNetworks,
    private readonly logger: Logger,
    private readonly diskQuota: DiskQuotaProbe = () => null,
    private readonly images: ImageDrivers = new ImageDrivers([new DockerImageDriver(driver)]),
    /** Pull credentials of containers that name a registry; without it such a container fails. */
    private readonly registries: Pick<ContainerRegistries, 'credentialsFor'> | null = null,
  ) {}

  private get host(): string {
    return this.records.host;
  }

  /**
   * A new container (`Creating`, placed on this host by the conductor). A failure of the engine is
   * reported to the conductor with the build's retry state, which reschedules or fails the container.
   * With `run` the container is started before anything is recorded, so the record goes from
   * Creating to Running in one guarded save. Action events and the transient task state go out in
   * the background, in order, and are flushed before any final save so none lands after it.
   */
  async create(ctx: RequestContext, c: Container, opts: { run: boolean; retry: BuildRetry }): Promise<void> {
    const log = this.logger.child({ requestId: ctx.requestId, containerUuid: c.uuid });
    const bg = new BackgroundQueue();
    bg.add(() => this.records.eventStart(ctx, c.uuid, EVENTS.create));
    try {
      await this.createSteps(ctx, c, opts, log, bg);
    } catch (err) {
      if (!isGoneOrChanged(err)) throw err; // the conductor is unreachable and the like: the create is delivered again
      log.info('container deleted or changed while being created; create abandoned');
      await this.removeIfUnknown(ctx, c.uuid, log);
    } finally {
      await bg.settled();
    }
  }

  private async createSteps(ctx: RequestContext, c: Container, opts: { run: boolean; retry: BuildRetry }, log: Logger, bg: BackgroundQueue): Promise<void> {
    const expected: ContainerStatus[] = ['Creating'];
    let made: Made;
    try {
      made = await this.make(ctx, c, expected, bg);
    } catch (err) {
      if (!(err instanceof DriverFailure)) throw err;
      const reason = errorText(err.error);
      const retryable = isRetryableCreateFailure(err.error);
      log.warn('container create failed', { reason, retryable });
      // Nothing half-made stays behind for a container that may be rebuilt on another host.
      await this.driver.delete(ctx, c.uuid, { force: true }).catch(() => undefined);
      await bg.settled();
      await this.records.trySave(ctx, c.uuid, { task_state: null }, { status: expected });
      bg.add(() => this.records.eventFinish(ctx, c.uuid, EVENTS.create, err.error));
      await bg.settled();
      await this.records.api.cast('reportCreateFailure', ctx, { container_uuid: c.uuid, host: this.host, reason, retryable, retry: opts.retry });
      return;
    }
    const { state, driver, addresses } = made;
    // A container the engine already ran belongs to an earlier delivery: record it as found, start only per the record.
    if (!opts.run || state.started) {
      await bg.settled();
      const created = await this.records.save(ctx, c.uuid, { ...createdPatch(c, state), image_driver: driver, addresses }, { status: expected });
      bg.add(() => this.records.eventFinish(ctx, c.uuid, EVENTS.create));
      log.info('container created', { containerId: created.container_id, status: created.status });
      if (opts.run) {
        await bg.settled();
        await this.start(ctx, created, ['Created']);
      }
      bg.add(() => this.records.actionFinish(ctx, c.uuid));
      return;
    }
    bg.add(() => this.records.eventFinish(ctx, c.uuid, EVENTS.create));
    bg.add(() => this.records.eventStart(ctx, c.uuid, EVENTS.start));
    let running: ContainerState;
    try {
      await this.driver.start(ctx, c.uuid);
      running = await this.driver.inspect(ctx, c.uuid);
    } catch (err) {
      log.warn('container start failed', { reason: errorText(err) });
      bg.add(() => this.records.eventFinish(ctx, c.uuid, EVENTS.start, err));
      await bg.settled();
      await this.records.save(ctx, c.uuid, { ...createdPatch(c, state), image_driver: driver, addresses, status: 'Error', status_reason: errorText(err) }, { status: expected });
      bg.add(() => this.records.actionFinish(ctx, c.uuid));
      return;
    }
    // The ports' MACs are recorded after Running (learnMacs): the API shows none of them, and they cost round trips.
    const learnt = { published_ports: this.networks.publishedPorts(running) };
    // The start's event is over before the record says Running, so a reader who sees Running sees it finished.
    bg.add(() => this.records.eventFinish(ctx, c.uuid, EVENTS.start));
    await bg.settled();
    const saved = await this.records.save(
      ctx,
      c.uuid,
      { ...createdPatch(c, running), image_driver: driver, addresses, ...learnt, status: running.running ? 'Running' : running.status, status_reason: null,
        started_at: running.started_at ?? new Date() },
      { status: expected },
    );
    log.info('container created and started', { containerId: saved.container_id, status: saved.status });
    bg.add(() => this.networks.learnMacs(ctx, c, running));
    bg.add(() => this.records.actionFinish(ctx, c.uuid));
  }

  /**
   * Make the engine container again from the record (rebuild, auto-heal): the old one is removed,
   * the image pulled per policy, the container created and started when `start`. A failure leaves
   * the container in Error with the reason.
   */
  async recreate(ctx: RequestContext, c: Container, opts: { start: boolean; expected: ContainerStatus[] }): Promise<Container | null> {
    const log = this.logger.child({ requestId: ctx.requestId, containerUuid: c.uuid });
    try {
      await step(() => this.driver.delete(ctx, c.uuid, { force: true }));
      const created = await this.build(ctx, c, opts.expected);
      log.info('container recreated', { containerId: created.container_id });
      return opts.start ? await this.start(ctx, created, ['Created']) : created;
    } catch (err) {
      if (isGoneOrChanged(err)) return null;
      if (!(err instanceof DriverFailure)) throw err;
      log.warn('container recreate failed', { reason: err.message });
      return this.records.trySave(ctx, c.uuid, { status: 'Error', status_reason: err.message, task_state: null }, { status: ['Rebuilding', ...opts.expected] });
    }
  }

  /** Pull, create, record. Throws DriverFailure for engine failures, 409/ContainerNotFound when a guard lost. */
  private async build(ctx: RequestContext, c: Container, expected: ContainerStatus[]): Promise<Container> {
    const { state, driver, addresses } = await this.make(ctx, c, expected);
    return this.records.save(ctx, c.uuid, { ...createdPatch(c, state), image_driver: driver, addresses }, { status: expected });
  }

  /**
   * Set up the mounts and the networks, pull per policy, create the engine container and plug its other ports.
   * The task state is saved on the way (awaited, or queued on `bg`, whose guard on the status keeps a late one from
   * landing after the final save). A failure after the mounts were set up removes the engine container the attempt
   * made, undoes what it made of the mounts (never a volume that was there before) and removes the networks it made
   * here that nothing else uses (the ports stay allocated), before the caller reports the failure and the container
   * may be rescheduled elsewhere.
   */
  private async make(ctx: RequestContext, c: Container, expected: ContainerStatus[], bg?: BackgroundQueue): Promise<Made> {
    if (!c.image) throw new DriverFailure(new Error('The container has no image.'));
    if (c.disk && this.diskQuota() === false) throw new DriverFailure(new Error('Your host does not support disk quota feature.'));
    const mounts = await this.hostStep(() => this.volumes.prepare(ctx, c));
    let nets: PreparedNetworks | null = null;
    let containerId: string | null = null;
    try {
      nets = await this.hostStep(() => this.networks.prepare(ctx, c));
      if (bg) {
        bg.add(() => this.mark(ctx, c.uuid, 'image_pulling', expected));
      } else {
        await this.records.save(ctx, c.uuid, { task_state: 'image_pulling' }, { status: expected });
      }
      const registry = await this.registryOf(ctx, c);
      // the container's image driver: docker (a registry, with the container's registry credentials) or glance
      const pulled = await step(() => this.images.for(c).pull(ctx, c, registry));
      if (!bg) await this.records.save(ctx, c.uuid, { task_state: 'container_creating', image_driver: pulled.driver }, { status: expected });
      const spec = { ...createSpecOf(c, pulled.ref, this.host), ...nets.create };
      if (mounts.binds.length) spec.binds = mounts.binds;
      const state = await step(() => this.driver.create(ctx, spec));
      containerId = state.container_id;
      const prepared = nets;
      const addresses = await this.hostStep(() => this.networks.plug(ctx, prepared, state.container_id));
      return { state, driver: pulled.driver, addresses };
    } catch (err) {
      // Nothing half-made may hold what is about to be undone: the engine container this attempt made goes first
      // (its networks and volumes are then unused here), and the networks it made here are removed.
      const made = containerId !== null || mounts.madeVolumes.length > 0 || mounts.writtenFiles.length > 0;
      const removed = made && (await this.driver.delete(ctx, c.uuid, { force: true }).then(() => true, () => false));
      if (nets) await this.networks.undo(ctx, c, nets, removed ? null : containerId);
      if (mounts.madeVolumes.length || mounts.writtenFiles.length) await this.volumes.undo(ctx, c, mounts);
      throw err;
    }
  }

  /** The container's registry credentials (password opened), or null; a registry that cannot be used fails the container. */
  private async registryOf(ctx: RequestContext, c: Container): Promise<RegistryCredentials | null> {
    if (c.registry_id === null) return null;
    const registries = this.registries;
    if (!registries) throw new DriverFailure(new Error('This host cannot pull from private registries.'));
    return this.hostStep(() => registries.credentialsFor(ctx, c));
  }

  /**
   * A step of this host's own (mounts, networks): a refused or failed one is the container's failure; a conductor
   * or engine that could not be reached is this host's (the create is delivered again), as is a container gone meanwhile.
   */
  private async hostStep<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // The conductor unreachable: the create is delivered again. This host's engine or tools failing (the
      // network driver's errors, retryable or not) is the container's failure here: another host may do better.
      if (err instanceof ContainerNotFound || (isRetryable(err) && !(err instanceof NetworkDriverError))) throw err;
      throw new DriverFailure(err);
    }
  }

  /** A transient task state, best effort: a lost guard or an unreachable conductor only costs the display. */
  private async mark(ctx: RequestContext, uuid: string, task: TaskState, expected: ContainerStatus[]): Promise<void> {
    try {
      await this.records.trySave(ctx, uuid, { task_state: task }, { status: expected });
    } catch (err) {
      this.logger.debug('task state not recorded', { requestId: ctx.requestId, containerUuid: uuid, task, error: errorText(err) });
    }
  }

  /**
   * Starts the engine container and records Running; a failure records Error with the reason. Returns
   * the saved record, or null when the container moved on meanwhile.
   */
  async start(ctx: RequestContext, c: Container, expected: ContainerStatus[]): Promise<Container | null> {
    await this.records.eventStart(ctx, c.uuid, EVENTS.start);
    const own = c.task_state === null;
    if (own && !(await this.records.trySave(ctx, c.uuid, { task_state: 'container_starting' }, { status: expected, task_state: [null] }))) return null;
    try {
      await this.volumes.ensureReady(ctx, c);
      await this.networks.ensureReady(ctx, c);
      await this.driver.start(ctx, c.uuid);
      const state = await this.driver.inspect(ctx, c.uuid);
      const learnt = await this.networks.started(ctx, c, state);
      const saved = await this.records.trySave(
        ctx,
        c.uuid,
        { status: state.running ? 'Running' : state.status, status_reason: null, status_detail: detailOf(state), started_at: state.started_at ?? new Date(),
          ...learnt, ...(own ? { task_state: null } : {}) },
        { status: expected },
      );
      await this.records.eventFinish(ctx, c.uuid, EVENTS.start);
      return saved;
    } catch (err) {
      this.logger.warn('container start failed', { requestId: ctx.requestId, containerUuid: c.uuid, reason: errorText(err) });
      await this.records.eventFinish(ctx, c.uuid, EVENTS.start, err);
      return this.records.trySave(ctx, c.uuid, { status: 'Error', status_reason: errorText(err), ...(own ? { task_state: null } : {}) }, { status: expected });
    }
  }

  /** The record is gone: an engine container made for it has nobody to own it. */
  private async removeIfUnknown(ctx: RequestContext, uuid: string, log: Logger): Promise<void> {
    if (await this.records.get(ctx, uuid)) return;
    await this.driver.delete(ctx, uuid, { force: true }).catch((err: unknown) => log.warn('engine container not removed', { error: errorText(err) }));
  }
}

/** What {@link ContainerBuilder.make} made. */
interface Made {
  state: ContainerState;
  driver: string;
  /** The container's `addresses`, from its ports. */
  addresses: ContainerAddresses;
}

/**
 * Best-effort calls run one after another off the request's path. Each task handles its own
 * errors; a stray rejection is still swallowed so that none goes unhandled.
 */
class BackgroundQueue {
  private tail: Promise<void> = Promise.resolve();

  add(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch(() => undefined);
  }

  /** Resolves once everything added so far has run. */
  settled(): Promise<void> {
    return this.tail;
  }
}

function isGoneOrChanged(err: unknown): boolean {
  return err instanceof ContainerNotFound || isConflict(err);
}
