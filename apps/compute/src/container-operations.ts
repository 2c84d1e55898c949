import { BadRequest, Conflict, ContainerNotFound, isRetryable, type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerDriver } from '@zun-ts/compute-driver';
import { type Container, type ContainerStatus, type HostContainerPatch, memoryMiBOf, type TaskState } from '@zun-ts/objects';
import { type ContainerCreateRequest } from '@zun-ts/rpc';
import { type ContainerBuilder, EVENTS } from './container-builder';
import { type ContainerRecords, errorText, LIVE_STATUSES } from './conductor-api';
import { detailOf } from './container-mapping';
import { type ContainerNetworks } from './container-networks';
import { type ContainerVolumes } from './container-volumes';
import { type KeyedLock } from '@zun-ts/common';

/** How many create uuids a host remembers to tell a redelivery from a first delivery. */
const SEEN_CREATES_MAX = 10_000;

/** One state change of a running container (stop, pause …). */
export interface ActionSpec {
  event: string;
  task: TaskState;
  /** Zun's status after the engine call succeeded. */
  result: ContainerStatus;
  /** The engine call. */
  call: (c: Container) => Promise<void>;
  /** The call starts the container: its volumes are mounted (again) and its networks ensured first, and a failure to is the call's. */
  mounts?: boolean;
}

/**
 * The compute host's container operations, each under the container's lock, with every outcome
 * saved through the conductor under a guard. Casts never throw for a container's own failure (it
 * is recorded on the container instead); they throw only when this host could not do its part
 * (conductor or engine unreachable), so that the message is delivered again.
 */
export class ContainerOperations {
  constructor(
    private readonly driver: ContainerDriver,
    private readonly records: ContainerRecords,
    private readonly builder: ContainerBuilder,
    private readonly volumes: ContainerVolumes,
    private readonly networks: ContainerNetworks,
    private readonly locks: KeyedLock,
    private readonly logger: Logger,
  ) {}

  private get host(): string {
    return this.records.host;
  }

  private log(ctx: RequestContext, uuid: string): Logger {
    return this.logger.child({ requestId: ctx.requestId, containerUuid: uuid });
  }

  /** The record when it exists and is placed on this host; null (logged) otherwise. */
  private async mine(ctx: RequestContext, uuid: string, log: Logger): Promise<Container | null> {
    const c = await this.records.get(ctx, uuid);
    if (!c) {
      log.info('container gone; nothing to do');
      return null;
    }
    if (c.host !== this.host) {
      log.info('container is not on this host; nothing to do', { containerHost: c.host });
      return null;
    }
    return c;
  }

  /** Creates this process handled lately (insertion order, bounded). */
  private readonly seenCreates = new Set<string>();

  private rememberCreate(uuid: string): void {
    this.seenCreates.delete(uuid);
    this.seenCreates.add(uuid);
    if (this.seenCreates.size > SEEN_CREATES_MAX) {
      const oldest = this.seenCreates.values().next();
      if (!oldest.done) this.seenCreates.delete(oldest.value);
    }
  }

  /** containerCreate: a redelivery of a create that already happened does nothing (or only the start it missed). */
  create(ctx: RequestContext, req: ContainerCreateRequest): Promise<void> {
    const uuid = req.container_uuid;
    return this.locks.run(uuid, async () => {
      const log = this.log(ctx, uuid);
      // The first delivery trusts the record the conductor cast (one round trip less); a create this
      // process has seen before reads the stored record, which may have moved on. A delivery after a
      // crash starts afresh: the engine create finds its container and every save is guarded.
      const seen = this.seenCreates.has(uuid);
      this.rememberCreate(uuid);
      const c = !seen && req.container?.uuid === uuid ? req.container : await this.records.get(ctx, uuid);
      if (!c) {
        log.info('container gone before its create; nothing to do');
        // A delivery that died after the engine create left a container nobody owns.
        await this.driver.delete(ctx, uuid, { force: true }).catch(() => undefined);
        return;
      }
      if (c.host !== this.host) {
        log.info('create for a container placed elsewhere; ignored', { containerHost: c.host });
        return;
      }
      if (c.status === 'Created' && req.run && c.started_at === null && c.task_state === null) {
        log.info('create redelivered after the container was made; starting it');
        await this.builder.start(ctx, c, ['Created']);
        return;
      }
      if (c.status !== 'Creating') {
        log.info('create redelivered; container already made', { status: c.status });
        return;
      }
      await this.builder.create(ctx, c, { run: req.run, retry: req.retry });
    });
  }

  /** A state change: task_state set while it runs (unless another task holds it), the result saved after. */
  act(ctx: RequestContext, uuid: string, spec: ActionSpec): Promise<void> {
    return this.locks.run(uuid, async () => {
      const log = this.log(ctx, uuid);
      const c = await this.mine(ctx, uuid, log);
      if (!c) return;
      // The API writes the operation's task_state before it casts (its guard against a second operation):
      // that task is ours to clear, as is one this host sets itself.
      let own = c.task_state === spec.task;
      if (!c.container_id) {
        log.info('cannot operate an uncreated container', { event: spec.event });
        if (own) await this.records.trySave(ctx, uuid, { task_state: null }, { task_state: [spec.task] });
        return;
      }
      await this.records.eventStart(ctx, uuid, spec.event);
      if (c.task_state === null) {
        own = (await this.records.trySave(ctx, uuid, { task_state: spec.task }, { status: LIVE_STATUSES, task_state: [null] })) !== null;
        if (!own && !(await this.records.get(ctx, uuid))) return;
      }
      try {
        if (spec.mounts) {
          await this.volumes.ensureReady(ctx, c);
          await this.networks.ensureReady(ctx, c);
        }
        await spec.call(c);
      } catch (err) {
        log.warn('container operation failed', { event: spec.event, error: errorText(err) });
        await this.records.eventFinish(ctx, uuid, spec.event, err);
        await this.records.actionFinish(ctx, uuid);
        await this.recordFailure(ctx, c, err, own);
        if (isRetryable(err)) throw err; // engine unreachable: try again later
        return;
      }
      const patch: HostContainerPatch = { status: spec.result, status_reason: null, status_detail: null, ...(own ? { task_state: null } : {}) };
      try {
        const state = await this.driver.inspect(ctx, uuid);
        patch.status_detail = detailOf(state);
        // The engine picks the published ports' host ports at each start (none while stopped).
        if (spec.mounts) Object.assign(patch, await this.networks.started(ctx, c, state));
        else patch.published_ports = this.networks.publishedPorts(state);
      } catch {
        // the status is what matters; the periodic sync fills the detail in
      }
      if (spec.result === 'Running' && spec.task === 'container_starting') patch.started_at = new Date();
      await this.records.trySave(ctx, uuid, patch, { status: LIVE_STATUSES });
      await this.records.eventFinish(ctx, uuid, spec.event);
      await this.records.actionFinish(ctx, uuid);
      log.info('container operation done', { event: spec.event, status: spec.result });
    });
  }

  /**
   * Zun's handling of a failed engine call: a container the engine lost becomes Deleted (auto_remove)
   * or Error; a state conflict ("is not running") changes nothing; anything else is Error with the reason.
   */
  private async recordFailure(ctx: RequestContext, c: Container, err: unknown, ownTask: boolean): Promise<void> {
    const patch: HostContainerPatch = ownTask ? { task_state: null } : {};
    if (err instanceof ContainerNotFound) {
      Object.assign(patch, c.auto_remove ? { status: 'Deleted' } : { status: 'Error', status_reason: errorText(err) });
    } else if (!(err instanceof Conflict) && !isRetryable(err)) {
      Object.assign(patch, { status: 'Error', status_reason: errorText(err) });
    }
    if (Object.keys(patch).length) await this.records.trySave(ctx, c.uuid, patch, { status: LIVE_STATUSES });
  }

  /**
   * Delete: stop when asked, remove the engine container, release its mounts (unmount the volumes no container
   * mounts any more, remove the auto_remove ones and the injected files) and its ports (networks no container of this
   * host uses any more are removed here), then have the conductor release the
   * claim and destroy the record. Without `force` an engine or volume failure leaves the container in Error;
   * with it, such errors are logged and the record goes anyway.
   */
  delete(ctx: RequestContext, uuid: string, opts: { force: boolean; stop: boolean }): Promise<void> {
    return this.locks.run(uuid, async () => {
      const log = this.log(ctx, uuid);
      const c = await this.records.get(ctx, uuid);
      if (!c) {
        await this.driver.delete(ctx, uuid, { force: true }).catch(() => undefined);
        log.info('container already destroyed');
        return;
      }
      if (c.host !== this.host) {
        log.info('delete for a container placed elsewhere; ignored', { containerHost: c.host });
        return;
      }
      await this.records.eventStart(ctx, uuid, EVENTS.delete);
      if (!(await this.records.trySave(ctx, uuid, { status: 'Deleting', task_state: 'container_deleting' }))) return;
      try {
        if (opts.stop) {
          await this.driver.stop(ctx, uuid, 10).catch((err: unknown) => {
            if (!(err instanceof ContainerNotFound)) throw err;
          });
        }
        await this.driver.delete(ctx, uuid, { force: opts.force });
      } catch (err) {
        if (!opts.force) {
          log.warn('container delete failed', { error: errorText(err) });
          await this.records.eventFinish(ctx, uuid, EVENTS.delete, err);
          await this.records.trySave(ctx, uuid, { status: 'Error', status_reason: errorText(err), task_state: null });
          return;
        }
        log.warn('engine error ignored by a forced delete', { error: errorText(err) });
      }
      try {
        await this.volumes.release(ctx, c);
        await this.networks.release(ctx, c);
      } catch (err) {
        if (isRetryable(err)) throw err; // the conductor could not be reached: the delete is delivered again
        if (!opts.force) {
          log.warn('container volumes or ports not released', { error: errorText(err) });
          await this.records.eventFinish(ctx, uuid, EVENTS.delete, err);
          await this.records.trySave(ctx, uuid, { status: 'Error', status_reason: errorText(err), task_state: null });
          return;
        }
        log.warn('volume or port error ignored by a forced delete', { error: errorText(err) });
      }
      await this.records.destroy(ctx, uuid);
      log.info('container deleted');
    });
  }

  /** networkAttach / networkDetach: under the container's lock, for a container of this host (see ContainerNetworks). */
  attachPort(ctx: RequestContext, uuid: string, portUuid: string): Promise<void> {
    return this.onMine(ctx, uuid, (c) => this.networks.attach(ctx, c, portUuid));
  }

  detachPort(ctx: RequestContext, uuid: string, portUuid: string): Promise<void> {
    return this.onMine(ctx, uuid, (c) => this.networks.detach(ctx, c, portUuid));
  }

  /** networkUpdatePeers, one at a time per network; only an unreachable engine or conductor makes it come again. */
  updatePeers(ctx: RequestContext, networkUuid: string, peers: readonly string[]): Promise<void> {
    return this.locks.run(`network:${networkUuid}`, async () => {
      try {
        await this.networks.updatePeers(ctx, networkUuid, peers);
      } catch (err) {
        if (isRetryable(err)) throw err;
        this.logger.warn('network peers not updated', { requestId: ctx.requestId, networkUuid, error: errorText(err) });
      }
    });
  }

  private onMine(ctx: RequestContext, uuid: string, fn: (c: Container) => Promise<void>): Promise<void> {
    return this.locks.run(uuid, async () => {
      const c = await this.mine(ctx, uuid, this.log(ctx, uuid));
      if (c) await fn(c);
    });
  }

  /** Rebuild: remove the engine container and make it again from the (possibly new) image. */
  rebuild(ctx: RequestContext, uuid: string, opts: { image: string | null; run: boolean }): Promise<void> {
    return this.locks.run(uuid, async () => {
      const log = this.log(ctx, uuid);
      const c = await this.mine(ctx, uuid, log);
      if (!c) return;
      await this.records.eventStart(ctx, uuid, EVENTS.rebuild);
      const patch: HostContainerPatch = { status: 'Rebuilding', task_state: 'container_rebuilding', ...(opts.image ? { image: opts.image } : {}) };
      const saved = await this.records.trySave(ctx, uuid, patch, { status: LIVE_STATUSES });
      if (!saved) return;
      const result = await this.builder.recreate(ctx, saved, { start: opts.run, expected: ['Rebuilding'] });
      await this.records.eventFinish(ctx, uuid, EVENTS.rebuild, result?.status === 'Error' ? new Error(result.status_reason ?? 'rebuild failed') : null);
      await this.records.actionFinish(ctx, uuid);
    });
  }

  /**
   * At start, what the previous process of this host left unfinished: deletes are finished (forced), and a
   * task_state whose operation died with that process is cleared so the sync looks at the container again.
   * Creating containers are left to the create message, which is delivered again. Then the volumes of the
   * remaining containers are mounted again (a host restart unmounts them all) and what no container needs
   * is cleaned up ({@link ContainerVolumes.recover}). Runs before this host serves messages or syncs.
   */
  async recover(ctx: RequestContext): Promise<void> {
    const rows = await this.records.api.call('containersOnHost', ctx, { host: this.host });
    for (const c of rows) {
      if (c.status === 'Deleting') {
        this.logger.info('finishing a delete left by the previous run', { containerUuid: c.uuid });
        await this.delete(ctx, c.uuid, { force: true, stop: false });
      } else if (c.status !== 'Creating' && c.task_state !== null) {
        this.logger.info('clearing a task left by the previous run', { containerUuid: c.uuid, taskState: c.task_state });
        await this.locks.run(c.uuid, () => this.records.trySave(ctx, c.uuid, { task_state: null }, { task_state: [c.task_state] }));
      }
    }
    await this.volumes.recover(ctx, rows.filter((c) => c.status !== 'Deleting'));
  }

  /**
   * volumeDelete: the volume's backing store is removed and its record destroyed; a failure is recorded on the
   * volume (`error`), and only an unreachable conductor makes the message come again.
   */
  deleteVolume(ctx: RequestContext, uuid: string): Promise<void> {
    return this.locks.run(`volume:${uuid}`, async () => {
      try {
        await this.volumes.remove(ctx, uuid);
      } catch (err) {
        if (isRetryable(err)) throw err;
      }
    });
  }

  /**
   * A synchronous operation on an existing engine container. The engine having lost the container marks it
   * (Deleted for auto_remove, else Error) and answers 409, as Zun does.
   */
  async query<T>(ctx: RequestContext, uuid: string, fn: (c: Container) => Promise<T>): Promise<T> {
    const c = await this.records.get(ctx, uuid);
    if (!c) throw new ContainerNotFound(`Container ${uuid} could not be found.`);
    if (!c.container_id) throw new BadRequest('Cannot operate an uncreated container.');
    try {
      return await fn(c);
    } catch (err) {
      if (!(err instanceof ContainerNotFound)) throw err;
      const status: ContainerStatus = c.auto_remove ? 'Deleted' : 'Error';
      await this.records.trySave(ctx, uuid, status === 'Deleted' ? { status } : { status, status_reason: errorText(err) }, { status: LIVE_STATUSES });
      throw new Conflict(`Cannot act on container in '${status}' state`);
    }
  }

  /** PATCH cpu/memory: the engine's limits first, then the record. */
  update(ctx: RequestContext, uuid: string, change: { cpu: number | null; memory: string | null }): Promise<Container> {
    return this.locked(ctx, uuid, async (c) => {
      await this.driver.update(ctx, c.uuid, { cpu: change.cpu, memoryMiB: memoryMiBOf(change.memory) });
      const patch: HostContainerPatch = {};
      if (change.cpu !== null) patch.cpu = change.cpu;
      if (change.memory !== null) patch.memory = change.memory;
      return this.records.save(ctx, uuid, patch);
    });
  }

  /**
   * A synchronous operation the API recorded as an action (commit): {@link locked}, with its event, and
   * the action finished whatever the outcome, as Zun's compute does.
   */
  recorded<T>(ctx: RequestContext, uuid: string, event: string, fn: (c: Container) => Promise<T>): Promise<T> {
    return this.locked(ctx, uuid, async (c) => {
      await this.records.eventStart(ctx, uuid, event);
      try {
        const out = await fn(c);
        await this.records.eventFinish(ctx, uuid, event);
        return out;
      } catch (err) {
        await this.records.eventFinish(ctx, uuid, event, err);
        throw err;
      } finally {
        await this.records.actionFinish(ctx, uuid);
      }
    });
  }

  /** {@link query} under the container's lock (for changes). */
  locked<T>(ctx: RequestContext, uuid: string, fn: (c: Container) => Promise<T>): Promise<T> {
    return this.locks.run(uuid, () => this.query(ctx, uuid, fn));
  }
}
