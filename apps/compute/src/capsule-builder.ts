import { ContainerNotFound, isRetryable, type KeyedLock, type Logger, type RequestContext } from '@zun-ts/common';
import { type ContainerCreateSpec, type ContainerDriver, type ContainerState } from '@zun-ts/compute-driver';
import { NetworkDriverError } from '@zun-ts/network-driver';
import { type Container, type ContainerAddresses, CONTAINER_TYPES, type HostContainerPatch } from '@zun-ts/objects';
import { type ContainerCreateRequest } from '@zun-ts/rpc';
import { EVENTS } from './container-builder';
import { type ContainerRecords, errorText, isConflict } from './conductor-api';
import { createSpecOf, detailOf } from './container-mapping';
import { type ContainerNetworks, type PreparedNetworks } from './container-networks';
import { type ContainerVolumes, type PreparedMounts } from './container-volumes';

/** The sandbox image as `[capsule]` configures it. */
export interface SandboxOptions {
  image_pull_policy: string;
  /** How often an init container is looked at while it runs, in ms. @default 250 */
  pollMs?: number;
}

/** A step failed for the capsule (not for this host): the capsule goes to Error with the reason. */
class CapsuleFailure extends Error {}

/** `container:zun-<uuid>`: the namespaces of the capsule's sandbox. */
export function sandboxMode(capsuleUuid: string): string {
  return `container:zun-${capsuleUuid}`;
}

/** The members of `capsule` among the records of this host: init containers first, each kind in the order they were made. */
export function membersOf(capsule: Pick<Container, 'id'>, rows: readonly Container[]): { inits: Container[]; containers: Container[] } {
  const mine = rows.filter((r) => r.capsule_id === capsule.id).sort((a, b) => a.id - b.id);
  return {
    inits: mine.filter((m) => m.container_type === CONTAINER_TYPES.capsuleInitContainer),
    containers: mine.filter((m) => m.container_type === CONTAINER_TYPES.capsuleContainer),
  };
}

/**
 * The engine create of a capsule member: the record's own settings, joined to the sandbox's network, IPC and PID
 * namespaces. Its ports are the sandbox's (published there); an init container runs once, restarted by the builder only.
 */
export function memberSpecOf(m: Container, capsuleUuid: string, imageRef: string, host: string, binds: ContainerCreateSpec['binds']): ContainerCreateSpec {
  const mode = sandboxMode(capsuleUuid);
  const spec: ContainerCreateSpec = { ...createSpecOf(m, imageRef, host), hostname: null, exposed_ports: null, network_mode: mode, ipc_mode: mode, pid_mode: mode };
  if (m.container_type === CONTAINER_TYPES.capsuleInitContainer) spec.restart_policy = { Name: 'no' };
  if (binds?.length) spec.binds = binds;
  return spec;
}

/** How many times an init container that failed is run again (its restart policy; Docker's unlimited 0 is taken as none). */
export function initRetries(m: Pick<Container, 'restart_policy'>): number {
  const rp = m.restart_policy;
  if (rp?.Name !== 'on-failure') return 0;
  const n = Number.parseInt(String(rp.MaximumRetryCount ?? '0'), 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * A capsule on this host (zun-api.md §4.4): the sandbox container (`zun-<capsule uuid>`, the capsule's image, its port
 * plugged), then per member its mounts and image, the init containers run one by one to exit code 0, then the containers
 * created and started in the sandbox's namespaces. The capsule is Running once every container runs. An init container
 * failing ends the capsule in Error with the reason and starts none of the containers.
 *
 * Every step is idempotent (engine containers are named by uuid; create and start find what an earlier delivery made;
 * saves are guarded by status), so a redelivered create goes on where the last one stopped. A failure removes what
 * this attempt made on the engine (members and sandbox) and the volumes it made, and leaves the records truthful.
 */
export class CapsuleBuilder {
  private readonly pollMs: number;

  constructor(
    private readonly driver: ContainerDriver,
    private readonly records: ContainerRecords,
    private readonly volumes: ContainerVolumes,
    private readonly networks: ContainerNetworks,
    private readonly locks: KeyedLock,
    private readonly logger: Logger,
    private readonly sandbox: SandboxOptions,
  ) {
    this.pollMs = sandbox.pollMs ?? 250;
  }

  private get host(): string {
    return this.records.host;
  }

  /** The capsule's members as this host's records (members carry the capsule's host). */
  private async members(ctx: RequestContext, capsule: Container): Promise<{ inits: Container[]; containers: Container[] }> {
    return membersOf(capsule, await this.records.api.call('containersOnHost', ctx, { host: this.host }));
  }

  /** containerCreate of a capsule row. */
  create(ctx: RequestContext, req: ContainerCreateRequest): Promise<void> {
    const uuid = req.container_uuid;
    return this.locks.run(uuid, async () => {
      const log = this.logger.child({ requestId: ctx.requestId, capsuleUuid: uuid });
      const capsule = await this.records.get(ctx, uuid);
      if (!capsule || capsule.host !== this.host || capsule.status !== 'Creating') {
        log.info('capsule create with nothing to do', { host: capsule?.host ?? null, status: capsule?.status ?? null });
        return;
      }
      await this.records.eventStart(ctx, uuid, EVENTS.create);
      const made: Made = { engine: [], mounts: [], nets: null };
      try {
        await this.build(ctx, capsule, made, log);
        await this.records.eventFinish(ctx, uuid, EVENTS.create);
      } catch (err) {
        if (err instanceof ContainerNotFound || isConflict(err)) {
          log.info('capsule deleted or changed while being built; build abandoned');
          await this.undo(ctx, capsule, made, log);
          return;
        }
        if (isRetryable(err) && !(err instanceof NetworkDriverError)) throw err; // the conductor or engine unreachable: delivered again
        const reason = errorText(err);
        log.warn('capsule build failed', { reason });
        await this.undo(ctx, capsule, made, log);
        await this.records.eventFinish(ctx, uuid, EVENTS.create, err);
        await this.records.trySave(ctx, uuid, { status: 'Error', status_reason: reason, task_state: null }, { status: ['Creating'] });
      } finally {
        await this.records.actionFinish(ctx, uuid);
      }
    });
  }

  private async build(ctx: RequestContext, capsule: Container, made: Made, log: Logger): Promise<void> {
    const { inits, containers } = await this.members(ctx, capsule);
    // The sandbox publishes the ports of every container (members cannot: they share its network namespace).
    const exposed: Record<string, Record<string, never>> = {};
    for (const m of containers) Object.assign(exposed, m.exposed_ports ?? {});
    const withPorts: Container = { ...capsule, exposed_ports: exposed };
    made.nets = await this.networks.prepare(ctx, withPorts);
    const pulled = await this.driver.pullImage(ctx, { image: capsule.image ?? '', image_pull_policy: capsule.image_pull_policy ?? this.sandbox.image_pull_policy });
    const spec: ContainerCreateSpec = { ...createSpecOf(withPorts, pulled.ref, this.host), ...made.nets.create, command: null, restart_policy: { Name: 'always' }, ipc_mode: 'shareable',
      // The members have their own limits; the sandbox only sleeps.
      cpu: null, memoryMiB: null };
    made.engine.push(capsule.uuid);
    const state = await this.driver.create(ctx, spec);
    const addresses = await this.networks.plug(ctx, made.nets, state.container_id);
    await this.driver.start(ctx, capsule.uuid);
    const running = await this.driver.inspect(ctx, capsule.uuid);
    const learnt = await this.networks.started(ctx, withPorts, running);
    await this.records.save(ctx, capsule.uuid, { container_id: state.container_id, addresses, ...learnt, task_state: 'container_creating' }, { status: ['Creating'] });
    log.info('sandbox running', { containerId: state.container_id });

    for (const m of inits) await this.runInit(ctx, capsule, m, containers, addresses, made, log);
    for (const m of containers) await this.make(ctx, capsule, m, addresses, made);
    for (const m of containers) {
      if (m.status === 'Running') continue;
      await this.driver.start(ctx, m.uuid);
      const s = await this.driver.inspect(ctx, m.uuid);
      await this.records.save(ctx, m.uuid, this.statePatch(m, s, { started_at: s.started_at ?? new Date() }), { status: ['Creating'] });
    }
    await this.records.save(ctx, capsule.uuid, { status: 'Running', status_reason: null, status_detail: detailOf(running), task_state: null, started_at: running.started_at ?? new Date() },
      { status: ['Creating'] });
    log.info('capsule running', { initContainers: inits.length, containers: containers.length });
  }

  /** Mounts, image and engine create of one member (nothing started); recorded with the capsule's address. */
  private async make(ctx: RequestContext, capsule: Container, m: Container, addresses: ContainerAddresses, made: Made): Promise<ContainerState> {
    const mounts = await this.volumes.prepare(ctx, m);
    made.mounts.push({ member: m, mounts });
    const pulled = await this.driver.pullImage(ctx, { image: m.image ?? '', image_pull_policy: m.image_pull_policy });
    made.engine.push(m.uuid);
    const state = await this.driver.create(ctx, memberSpecOf(m, capsule.uuid, pulled.ref, this.host, mounts.binds));
    if (m.status === 'Creating') {
      // Still Creating (the sync leaves it to this build) until it is started.
      const { status: _made, ...patch } = this.statePatch(m, state);
      await this.records.save(ctx, m.uuid, { ...patch, image_driver: pulled.driver, addresses }, { status: ['Creating'] });
    }
    return state;
  }

  /** Runs an init container to its end (again on failure, as its restart policy allows); exit code 0 or the capsule fails. */
  private async runInit(ctx: RequestContext, capsule: Container, m: Container, containers: Container[], addresses: ContainerAddresses, made: Made, log: Logger): Promise<void> {
    if (m.status === 'Stopped' && m.container_id) return; // done by an earlier delivery
    await this.make(ctx, capsule, m, addresses, made);
    let state: ContainerState | null = null;
    for (let attempt = 0; attempt <= initRetries(m); attempt++) {
      await this.driver.start(ctx, m.uuid);
      state = await this.waitExit(ctx, m.uuid);
      if (state.exit_code === 0) break;
      log.info('init container failed', { member: m.name, exitCode: state.exit_code, attempt });
    }
    if (!state) return;
    const ok = state.exit_code === 0;
    await this.records.save(ctx, m.uuid, this.statePatch(m, state, { status_reason: ok ? null : `Exited with code ${String(state.exit_code)}` }),
      { status: ['Creating'] });
    if (ok) return;
    const reason = `Init container ${m.name ?? m.uuid} exited with code ${String(state.exit_code)}.`;
    // None of the containers is started: the ones not made say why.
    for (const c of containers) {
      await this.records.trySave(ctx, c.uuid, { status: 'Error', status_reason: `Not started: ${reason}`, task_state: null }, { status: ['Creating'] });
    }
    made.keepMembers = true;
    throw new CapsuleFailure(reason);
  }

  /** Polls an engine container until its process has ended (not running, not restarting). */
  private async waitExit(ctx: RequestContext, uuid: string): Promise<ContainerState> {
    for (;;) {
      const s = await this.driver.inspect(ctx, uuid);
      if (!s.running && !s.restarting && s.started) return s;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private statePatch(m: Container, s: ContainerState, extra: HostContainerPatch = {}): HostContainerPatch {
    return {
      status: s.running ? 'Running' : s.status,
      status_detail: detailOf(s),
      container_id: s.container_id,
      task_state: null,
      ...(m.command?.length ? {} : { command: s.command }),
      ...extra,
    };
  }

  /**
   * A failed or abandoned build: the members and sandbox this attempt made leave the engine (an init container that
   * failed stays, with its logs, when `keepMembers`), then the volumes this attempt made.
   */
  private async undo(ctx: RequestContext, capsule: Container, made: Made, log: Logger): Promise<void> {
    if (!made.keepMembers) {
      for (const uuid of [...made.engine].reverse()) {
        await this.driver.delete(ctx, uuid, { force: true }).catch((err: unknown) => log.warn('engine container of a failed capsule not removed', { uuid, error: errorText(err) }));
      }
      for (const { member, mounts } of made.mounts) await this.volumes.undo(ctx, member, mounts);
    }
    if (made.nets && !made.keepMembers) await this.networks.undo(ctx, capsule, made.nets, null);
  }

  /**
   * containerDelete of a capsule row: its members (containers, then init containers), then the sandbox, leave the
   * engine; the members' mounts are released (volumes made for the capsule removed once no member mounts them, a
   * volume it only named made available again); the sandbox's port released; the rows destroyed, members first.
   * Returns false when `uuid` is not a capsule of this host's records (the caller deletes it as a container).
   */
  async delete(ctx: RequestContext, uuid: string): Promise<boolean> {
    const c = await this.records.get(ctx, uuid);
    if (!c || c.container_type !== CONTAINER_TYPES.capsule) return false;
    if (c.host !== this.host) return true;
    await this.locks.run(uuid, async () => {
      const log = this.logger.child({ requestId: ctx.requestId, capsuleUuid: uuid });
      await this.records.eventStart(ctx, uuid, EVENTS.delete);
      if (!(await this.records.trySave(ctx, uuid, { status: 'Deleting', task_state: 'container_deleting' }))) return;
      const { inits, containers } = await this.members(ctx, c);
      for (const m of [...containers, ...inits]) {
        await this.driver.delete(ctx, m.uuid, { force: true }).catch((err: unknown) => log.warn('member not removed from the engine', { member: m.uuid, error: errorText(err) }));
        await this.volumes.release(ctx, m);
      }
      await this.driver.delete(ctx, uuid, { force: true }).catch((err: unknown) => log.warn('sandbox not removed from the engine', { error: errorText(err) }));
      await this.networks.release(ctx, c);
      for (const m of [...containers, ...inits]) await this.records.destroy(ctx, m.uuid);
      await this.records.destroy(ctx, uuid);
      log.info('capsule deleted', { members: containers.length + inits.length });
    });
    return true;
  }

  /**
   * The capsule's status from its sandbox and containers (the periodic sync): Running while the sandbox and every
   * container run; otherwise the first container that does not, with the reason. Creating and Deleting belong to those
   * operations and are left alone, as is a capsule whose build failed (never started).
   */
  async reconcile(ctx: RequestContext, rows: readonly Container[]): Promise<void> {
    for (const capsule of rows.filter((r) => r.container_type === CONTAINER_TYPES.capsule)) {
      // A capsule that never ran (its build failed) keeps the reason its build gave.
      if (capsule.status === 'Creating' || capsule.status === 'Deleting' || capsule.task_state !== null || capsule.started_at === null) continue;
      const { containers } = membersOf(capsule, rows);
      let sandboxRunning = false;
      try {
        sandboxRunning = (await this.driver.inspect(ctx, capsule.uuid)).running;
      } catch (err) {
        if (!(err instanceof ContainerNotFound)) throw err;
      }
      const down = containers.find((m) => m.status !== 'Running');
      const patch: HostContainerPatch = !sandboxRunning
        ? { status: 'Error', status_reason: 'The sandbox of the capsule is not running.' }
        : down
          ? { status: down.status === 'Error' ? 'Error' : 'Stopped', status_reason: `Container ${down.name ?? down.uuid} is ${down.status}.` }
          : { status: 'Running', status_reason: null };
      if (patch.status === capsule.status && patch.status_reason === capsule.status_reason) continue;
      await this.records.trySave(ctx, capsule.uuid, patch, { status: [capsule.status], task_state: [null] });
      this.logger.info('capsule status synced', { capsuleUuid: capsule.uuid, from: capsule.status, to: patch.status });
    }
  }
}

/** What one build attempt made, for its undo. */
interface Made {
  /** Engine containers (sandbox first). */
  engine: string[];
  mounts: { member: Container; mounts: PreparedMounts }[];
  nets: PreparedNetworks | null;
  /** An init container failed: what was made stays for the user to look at (removed by the capsule's delete). */
  keepMembers?: boolean;
}
