import { adminContext, ContainerNotFound, type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerDriver, type ContainerState, type DriverEvent, type EventSubscription } from '@zun-ts/compute-driver';
import { type Container, type ContainerStatus, CONTAINER_TYPES } from '@zun-ts/objects';
import { type CapsuleBuilder } from './capsule-builder';
import { type ContainerBuilder } from './container-builder';
import { type ContainerRecords, errorText } from './conductor-api';
import { COMPUTE_HOST_LABEL, detailOf } from './container-mapping';
import { type ContainerNetworks } from './container-networks';
import { type KeyedLock } from '@zun-ts/common';

/** Statuses the sync leaves alone: an operation owns them. */
const NOT_SYNCED: ReadonlySet<ContainerStatus> = new Set(['Creating', 'Deleting', 'Deleted']);
/** Statuses from which an auto_heal container whose engine container vanished is made again (Zun's rebuild states). */
const HEALABLE: ReadonlySet<ContainerStatus> = new Set(['Created', 'Running', 'Stopped', 'Error']);

/** An auto_heal container that was Running stopped and nobody asked it to (an operation would hold task_state). */
function diedUnexpectedly(c: Container, state: ContainerState): boolean {
  return c.auto_heal && c.status === 'Running' && !state.running && !state.restarting && (state.status === 'Stopped' || state.status === 'Dead');
}

/** Options of {@link ContainerSync}. */
export interface ContainerSyncOptions {
  /**
   * How long an engine container of this host without a record must stay unknown before it is removed,
   * in ms. It covers a create whose record the sync has not seen yet.
   */
  orphanGraceMs: number;
  /** @default Date.now */
  now?: () => number;
  /** Capsules of this host: their status follows their sandbox and containers (not synced as a container). */
  capsules?: Pick<CapsuleBuilder, 'reconcile'>;
}

/**
 * Keeps the records of this host's containers in line with the engine, both ways:
 * - engine events (start, die, oom, stop, pause, unpause, health, destroy) re-read the container at
 *   once, so a status change reaches the database within a second;
 * - {@link syncAll} (periodic) re-reads every record of this host against the engine.
 *
 * A container that died unexpectedly while Running is started again when it has `auto_heal`; one whose
 * engine container vanished is made again (auto_heal), destroyed (auto_remove, once Docker removed it)
 * or marked Error ("No such container: <id> in docker"). Engine containers this host made that have no
 * record are removed after a grace period. Containers with an operation in flight (task_state set, or
 * Creating/Deleting) are left to that operation.
 */
export class ContainerSync {
  private subscription: EventSubscription | null = null;
  /** Uuids with a sync queued but not started: more events for them need no second sync. */
  private readonly queued = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Unknown engine containers of this host → when first seen. */
  private readonly orphans = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly driver: ContainerDriver,
    private readonly records: ContainerRecords,
    private readonly builder: ContainerBuilder,
    private readonly networks: ContainerNetworks,
    private readonly locks: KeyedLock,
    private readonly logger: Logger,
    private readonly opts: ContainerSyncOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  private get host(): string {
    return this.records.host;
  }

  /** Starts following engine events. */
  start(): void {
    if (this.subscription) return;
    this.subscription = this.driver.events((e) => this.onEvent(e), {
      onError: (err) => this.logger.warn('engine event stream broken; reconnecting', { error: err.message }),
    });
  }

  /** Stops following events and waits for the syncs already started. */
  async stop(): Promise<void> {
    const s = this.subscription;
    this.subscription = null;
    await s?.close();
    await Promise.allSettled([...this.inFlight]);
  }

  private onEvent(e: DriverEvent): void {
    this.logger.debug('engine event', { containerUuid: e.uuid, event: e.type, exitCode: e.exit_code, health: e.health_status });
    void this.schedule(adminContext(), e.uuid);
  }

  /**
   * Queues a sync of one container behind its lock (coalescing repeated requests). `listed`: the record as the
   * periodic sync's list read it; when the engine shows just what it says, nothing more is read or saved.
   */
  schedule(ctx: RequestContext, uuid: string, listed?: Container): Promise<void> {
    if (this.queued.has(uuid)) return Promise.resolve();
    this.queued.add(uuid);
    const run = this.locks
      .run(uuid, async () => {
        this.queued.delete(uuid);
        if (listed && (await this.matchesEngine(ctx, listed))) return;
        await this.syncOne(ctx, uuid);
      })
      .catch((err: unknown) => {
        this.queued.delete(uuid);
        this.logger.warn('container sync failed', { containerUuid: uuid, error: errorText(err) });
      });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  /**
   * The steady state of the periodic sync: the engine shows what the listed record says, so syncOne would find
   * nothing to save. Without this every cycle read each record again from the conductor (one call per container
   * per cycle). Anything else (a difference, a vanished engine container, an auto_heal restart, a record an
   * operation owns) goes through syncOne, which reads the record again under the lock.
   */
  private async matchesEngine(ctx: RequestContext, c: Container): Promise<boolean> {
    if (c.status === 'Deleted' || NOT_SYNCED.has(c.status) || c.task_state !== null || c.container_type === CONTAINER_TYPES.capsule) return false;
    let state: ContainerState;
    try {
      state = await this.driver.inspect(ctx, c.uuid, { currentStatus: c.status });
    } catch {
      return false;
    }
    if (diedUnexpectedly(c, state)) return false;
    return !this.engineChange(c, state).changed;
  }

  /** What the engine's state changes in the record: status detail and published ports (besides the status). */
  private engineChange(c: Container, state: ContainerState): { changed: boolean; detail: string | null; published: ReturnType<ContainerNetworks['publishedPorts']>; newPublished: boolean } {
    const detail = detailOf(state);
    // `addresses` come from the ports, never from the engine; the published ports' host ports change at each
    // start (a restart outside Zun too), and there are none while the container is stopped.
    const published = this.networks.publishedPorts(state);
    const newPublished = JSON.stringify(published) !== JSON.stringify(c.published_ports ?? []);
    return { changed: state.status !== c.status || detail !== c.status_detail || newPublished, detail, published, newPublished };
  }

  /** Brings one record in line with the engine. The caller holds the container's lock. */
  async syncOne(ctx: RequestContext, uuid: string): Promise<void> {
    const c = await this.records.get(ctx, uuid);
    if (!c || c.host !== this.host) return;
    if (c.status === 'Deleted') {
      if (c.auto_remove && c.task_state === null) await this.reap(ctx, c);
      return;
    }
    if (NOT_SYNCED.has(c.status) || c.task_state !== null || c.container_type === CONTAINER_TYPES.capsule) return;
    let state: ContainerState;
    try {
      state = await this.driver.inspect(ctx, uuid, { currentStatus: c.status });
    } catch (err) {
      if (err instanceof ContainerNotFound) return this.vanished(ctx, c);
      throw err;
    }
    const log = this.logger.child({ containerUuid: uuid });
    if (diedUnexpectedly(c, state)) {
      // It was Running and nobody asked it to stop (an operation would hold task_state): bring it back.
      log.warn('auto_heal: container died unexpectedly; starting it again', { exitCode: state.exit_code, oomKilled: state.oom_killed });
      try {
        await this.driver.start(ctx, uuid);
        state = await this.driver.inspect(ctx, uuid, { currentStatus: c.status });
      } catch (err) {
        log.warn('auto_heal start failed', { error: errorText(err) });
      }
    }
    const reason = state.status === 'Unknown' || state.status === 'Error' ? state.status_reason : state.status === c.status ? c.status_reason : null;
    const { changed, detail, published, newPublished } = this.engineChange(c, state);
    if (!changed) return;
    const saved = await this.records.trySave(
      ctx,
      uuid,
      { status: state.status, status_detail: detail, status_reason: reason, ...(state.status === 'Running' && state.started_at ? { started_at: state.started_at } : {}),
        ...(newPublished ? { published_ports: published } : {}) },
      { status: [c.status], task_state: [null] },
    );
    if (saved && saved.status !== c.status) log.info('container status synced from the engine', { from: c.status, to: saved.status });
    // A capsule's container changed: the capsule's status follows at once.
    if (saved && saved.status !== c.status && c.capsule_id !== null) await this.reconcileCapsules(ctx, c.capsule_id);
  }

  /** The record says the container exists on this host but the engine has none. */
  private async vanished(ctx: RequestContext, c: Container): Promise<void> {
    if (!c.container_id) return; // never made (its create failed before the engine create)
    const log = this.logger.child({ containerUuid: c.uuid });
    if (c.auto_remove) {
      // Docker removed it after it exited; Zun marks it Deleted and reaps the record.
      if (await this.records.trySave(ctx, c.uuid, { status: 'Deleted', task_state: null }, { status: [c.status], task_state: [null] })) {
        log.info('auto_remove container gone from the engine; record removed');
        await this.releasePorts(ctx, c);
        await this.records.destroy(ctx, c.uuid);
      }
      return;
    }
    if (c.auto_heal && HEALABLE.has(c.status)) {
      log.warn('auto_heal: engine container vanished; making it again', { status: c.status });
      const saved = await this.records.trySave(ctx, c.uuid, { status: 'Rebuilding', task_state: 'container_rebuilding' }, { status: [c.status], task_state: [null] });
      if (saved) await this.builder.recreate(ctx, saved, { start: c.status === 'Running', expected: ['Rebuilding'] });
      return;
    }
    // Already Error (e.g. a rebuild whose image could not be pulled removed it): keep the reason that says why.
    if (c.status === 'Error') return;
    log.warn('engine container vanished', { containerId: c.container_id });
    await this.records.trySave(
      ctx,
      c.uuid,
      { status: 'Error', status_reason: `No such container: ${c.container_id} in docker`, task_state: null },
      { status: [c.status], task_state: [null] },
    );
  }

  private async reap(ctx: RequestContext, c: Container): Promise<void> {
    await this.driver.delete(ctx, c.uuid, { force: true }).catch(() => undefined);
    await this.releasePorts(ctx, c);
    await this.records.destroy(ctx, c.uuid);
    this.logger.info('deleted auto_remove container reaped', { containerUuid: c.uuid });
  }

  /** The ports of a container whose engine container is gone, and the networks no container needs here any more. */
  private async releasePorts(ctx: RequestContext, c: Container): Promise<void> {
    await this.networks.release(ctx, c).catch((err: unknown) => this.logger.warn('ports of a removed container not released', { containerUuid: c.uuid, error: errorText(err) }));
  }

  /**
   * The periodic full sync: every record of this host against the engine's list (records whose engine
   * state differs, or whose engine container is missing, are synced one by one), and engine containers of
   * this host that have no record are removed once they stayed unknown for the grace period.
   */
  async syncAll(ctx: RequestContext = adminContext()): Promise<void> {
    const [records, engine] = await Promise.all([this.records.api.call('containersOnHost', ctx, { host: this.host }), this.driver.list(ctx)]);
    const byUuid = new Map(engine.map((s) => [s.uuid, s]));
    const syncs: Promise<void>[] = [];
    for (const c of records) {
      const s = byUuid.get(c.uuid);
      const due =
        (c.status === 'Deleted' && c.auto_remove && c.task_state === null) ||
        // Every record with an engine container: status and detail ("Up 3 mins") are refreshed as Zun's sync does.
        (!NOT_SYNCED.has(c.status) && c.task_state === null && (s !== undefined || c.container_id !== null));
      if (due && c.container_type !== CONTAINER_TYPES.capsule) syncs.push(this.schedule(ctx, c.uuid, c));
    }
    const known = new Set(records.map((c) => c.uuid));
    const now = this.now();
    const unknown = engine.filter((s) => s.labels[COMPUTE_HOST_LABEL] === this.host && !known.has(s.uuid));
    for (const key of [...this.orphans.keys()]) if (!unknown.some((s) => s.uuid === key)) this.orphans.delete(key);
    for (const s of unknown) {
      const first = this.orphans.get(s.uuid) ?? now;
      this.orphans.set(s.uuid, first);
      if (now - first >= this.opts.orphanGraceMs) syncs.push(this.removeOrphan(ctx, s.uuid));
    }
    await Promise.all(syncs);
    if (records.some((c) => c.container_type === CONTAINER_TYPES.capsule)) await this.reconcileCapsules(ctx, null);
  }

  /** Capsule statuses from their members' records, read after the members were synced (`capsuleId`: only that capsule's). */
  private async reconcileCapsules(ctx: RequestContext, capsuleId: number | null): Promise<void> {
    if (!this.opts.capsules) return;
    const rows = await this.records.api.call('containersOnHost', ctx, { host: this.host });
    await this.opts.capsules.reconcile(ctx, capsuleId === null ? rows : rows.filter((r) => r.id === capsuleId || r.capsule_id === capsuleId));
  }

  private removeOrphan(ctx: RequestContext, uuid: string): Promise<void> {
    return this.locks
      .run(uuid, async () => {
        const c = await this.records.get(ctx, uuid);
        // Placed here after all (the list was older than the create): not an orphan.
        if (c && c.host === this.host) return;
        await this.driver.delete(ctx, uuid, { force: true });
        this.orphans.delete(uuid);
        this.logger.warn('engine container without a record on this host removed', { containerUuid: uuid, recordHost: c?.host ?? null });
      })
      .catch((err: unknown) => this.logger.warn('orphan container not removed', { containerUuid: uuid, error: errorText(err) }));
  }
}
