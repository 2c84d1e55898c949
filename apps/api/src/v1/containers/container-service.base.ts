import { inject, injectable } from 'inversify';
import { ContainerNotFound, type Logger, type RequestContext } from '@zun-ts/common';
import { type ZunConf } from '@zun-ts/config';
import { type ContainerPatch, type ContainerScope, ContainerStateConflict } from '@zun-ts/db';
import { type Container, type ContainerStatus, type TaskState } from '@zun-ts/objects';
import { credentialsFromContext, defaultTarget, type PolicyEnforcer, type PolicyTarget } from '@zun-ts/policy';
import { type ComputeArgs, type ComputeCallName, type ComputeCastName, type ComputeResult } from '@zun-ts/rpc';
import { type ApiVersion } from '../../http/api-version';
import { CLOCK, type Clock, CONF, CONTAINER_BACKEND, LOGGER, POLICY } from '../../api.tokens';
import { ContainerHostNotUp, Invalid, InvalidStateException } from './container.errors';
import { type StateCheckedAction, VALID_STATES, validateContainerState } from './container-states.table';
import { containerListBody, containerView, hiddenContainerFields } from './container.view';
import { type ContainerBackend, type ContainerStores, type QuotaCheck } from './container-backend';
import { type ContainerRpc } from './container-rpc';
import { isComputeHostUp } from './compute-host.check';

/** An asynchronous operation: the state the API writes before casting, and the cast itself. */
export interface AsyncOperation<M extends ComputeCastName> {
  /** Verb of the state check and of its 409. */
  check: StateCheckedAction;
  /** Action recorded for the request (container_action), if any. */
  action: string | null;
  /** The in-flight task the compute host clears when done. */
  taskState: TaskState;
  /** Other fields written together with the task state (e.g. status Restarting). */
  patch?: ContainerPatch;
  /** Expected statuses for the conditional write; @default VALID_STATES[check] */
  expectedStatus?: readonly ContainerStatus[];
  /** Whether another task may be in flight (delete proceeds regardless). @default false */
  allowBusy?: boolean;
  method: M;
  args: ComputeArgs<M>;
  /**
   * Database work of the operation, done once the task state is written (so only the request that won the
   * conditional write does it) and before the action is recorded and the cast sent; a failure puts the state back.
   */
  prepare?: () => Promise<void>;
  /** Undoes a {@link prepare} that succeeded when the action record or the cast fails. */
  undo?: () => Promise<void>;
}

/**
 * The steps the container services are made of: scoped lookups, policy, state checks, host liveness,
 * action records, conditional writes with their 409s, and RPC. The repositories and RPC clients are
 * reached only from here and the services that extend it.
 */
@injectable()
export abstract class ContainerServiceBase {
  constructor(
    @inject(CONTAINER_BACKEND) private readonly backend: ContainerBackend,
    @inject(POLICY) private readonly policy: PolicyEnforcer,
    @inject(CONF) protected readonly conf: ZunConf,
    @inject(CLOCK) private readonly now: Clock,
    @inject(LOGGER) protected readonly logger: Logger,
  ) {}

  protected get stores(): ContainerStores {
    return this.backend.stores;
  }

  protected get rpc(): ContainerRpc {
    return this.backend.rpc;
  }

  /** The quota seam, through which containers are made (main.ts binds the database quotas unless the backend brings its own). */
  protected get quota(): QuotaCheck {
    const quota = this.backend.quota;
    if (!quota) throw new Error('the container backend has no quota check bound');
    return quota;
  }

  /** Single-resource scope: admins see every project (Zun's get_resource), others their own. */
  protected itemScope(ctx: RequestContext): ContainerScope {
    return { projectId: ctx.projectId, allProjects: ctx.isAdmin };
  }

  /** By uuid or name (404, or 409 for an ambiguous name). */
  protected lookup(ctx: RequestContext, ident: string): Promise<Container> {
    return this.stores.containers.getByIdent(this.itemScope(ctx), ident);
  }

  /** Lookup, then policy `rule` on the container, then the state check (Zun's order). */
  protected async load(ctx: RequestContext, ident: string, rule: string, check?: StateCheckedAction): Promise<Container> {
    const c = await this.lookup(ctx, ident);
    this.authorizeOn(ctx, rule, c);
    if (check) validateContainerState(c, check);
    return c;
  }

  /** Policy against the caller's own project (collections, create). */
  protected authorize(ctx: RequestContext, rule: string): void {
    this.policy.authorizeCaller(rule, ctx);
  }

  /** Whether the policy file defines `rule`. */
  protected hasRule(rule: string): boolean {
    return this.policy.hasRule(rule);
  }

  /** Whether a rule allows the caller (against its own project); unknown rules allow. */
  protected allows(ctx: RequestContext, rule: string): boolean {
    return !this.policy.hasRule(rule) || this.policy.enforce(rule, defaultTarget(ctx), credentialsFromContext(ctx));
  }

  /** Policy against the container (its project decides the owner rules). */
  protected authorizeOn(ctx: RequestContext, rule: string, c: Container): void {
    this.policy.authorize(rule, { ...c } as PolicyTarget, credentialsFromContext(ctx));
  }

  /** The container view, without the fields the caller may not see. */
  protected async view(ctx: RequestContext, c: Container, version: ApiVersion, hostUrl?: string): Promise<Record<string, unknown>> {
    return containerView(c, hiddenContainerFields(this.policy, ctx, version), hostUrl, await this.registryUuids([c]));
  }

  /**
   * The list answer of shared rows (`listShared`) as JSON bytes, `{"containers": [views…], "next": next}`: the fields
   * hidden from the caller are worked out once.
   */
  protected async listBody(ctx: RequestContext, rows: readonly Readonly<Container>[], version: ApiVersion, next: string | null): Promise<Buffer> {
    const hidden = hiddenContainerFields(this.policy, ctx, version);
    return containerListBody(rows, hidden, next, await this.registryUuids(rows));
  }

  /** The uuids of the registries the rows name (by row id), read once each. */
  private async registryUuids(rows: readonly Container[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const id of new Set(rows.map((c) => c.registry_id))) {
      if (id === null) continue;
      const r = await this.stores.registries.getById(id);
      if (r) out.set(id, r.uuid);
    }
    return out;
  }

  /** The container's host, which must be a zun-compute service that is up (else a 500 as in Zun). */
  protected async upHost(c: Container): Promise<string> {
    const host = this.requireHost(c);
    if (!(await isComputeHostUp(this.stores.services, host, this.conf, this.now))) throw ContainerHostNotUp.of(c.uuid, host);
    return host;
  }

  /** A container that was never placed has no Docker container to act on (Zun's 400). */
  protected requireHost(c: Container): string {
    if (!c.host) throw new Invalid('Cannot operate an uncreated container.');
    return c.host;
  }

  /** A synchronous call to the container's compute host, after checking the host is up. */
  protected async callCompute<M extends ComputeCallName>(ctx: RequestContext, c: Container, method: M, args: ComputeArgs<M>): Promise<ComputeResult<M>> {
    const host = await this.upHost(c);
    return this.backend.rpc.compute(host).call(method, ctx, args, { timeoutMs: this.conf.DEFAULT.rpc_response_timeout * 1000 });
  }

  /**
   * Removes a container that was never placed from the database: its volumes are released (back to `available`,
   * or `deleting` when they were made for it) and those left `deleting` with no host, which exist nowhere but in
   * the database, are destroyed; its ports are freed; then the row goes (with its claim and action records).
   * Idempotent: a row already gone is fine.
   */
  protected async discardUnplaced(containerUuid: string): Promise<void> {
    const released = await this.stores.volumes.releaseMounts(containerUuid);
    for (const { volume } of released) {
      if (volume.status === 'deleting' && volume.host === null) await this.stores.volumes.destroy(volume.uuid, { status: ['deleting'], host: [null] });
    }
    await this.stores.networks.releasePorts(containerUuid);
    await this.stores.containers.destroy(containerUuid).catch((e: unknown) => {
      if (!(e instanceof ContainerNotFound)) throw e;
    });
  }

  /** Records the request's action on the container (idempotent per request id). */
  protected async recordAction(ctx: RequestContext, c: Container, action: string): Promise<void> {
    await this.stores.actions.start(ctx, c.uuid, action, ctx.requestId);
  }

  /**
   * Writes the task state with a conditional update (so of two racing requests one wins and the other
   * gets a 409), records the action, and casts the operation to the container's host. If the cast cannot
   * be queued the previous state is put back.
   */
  protected async castOperation<M extends ComputeCastName>(ctx: RequestContext, c: Container, op: AsyncOperation<M>): Promise<Container> {
    const host = c.host ?? this.requireHost(c);
    const expectedStatus = op.expectedStatus ?? (VALID_STATES[op.check] as readonly ContainerStatus[]);
    // Nothing is written for a message the bus cannot take (503).
    await this.backend.rpc.ready();
    let updated: Container;
    try {
      updated = await this.stores.containers.update(
        c.uuid,
        { ...op.patch, task_state: op.taskState },
        { status: expectedStatus, ...(op.allowBusy ? {} : { task_state: [null] }) },
      );
    } catch (e) {
      if (e instanceof ContainerStateConflict) throw await this.stateConflict(op.check, c, expectedStatus);
      throw e;
    }
    let prepared = false;
    try {
      if (op.prepare) await op.prepare();
      prepared = true;
      if (op.action) await this.recordAction(ctx, c, op.action);
      await this.backend.rpc.compute(host).cast(op.method, ctx, op.args);
    } catch (e) {
      if (prepared && op.undo) {
        await op.undo().catch((err: unknown) => this.logger.warn('could not undo the operation after a failed cast', { uuid: c.uuid, error: String(err) }));
      }
      await this.stores.containers
        .update(c.uuid, { status: c.status, task_state: c.task_state, ...this.restoreOf(op.patch, c) }, { task_state: [op.taskState] })
        .catch((err: unknown) => this.logger.warn('could not restore the container state after a failed cast', { uuid: c.uuid, error: String(err) }));
      throw e;
    }
    return updated;
  }

  private restoreOf(patch: ContainerPatch | undefined, c: Container): ContainerPatch {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(patch ?? {})) out[k] = (c as unknown as Record<string, unknown>)[k];
    return out as ContainerPatch;
  }

  /** Saves fields directly (no task), only while the container is still in a state `check` allows. */
  protected async saveFields(c: Container, patch: ContainerPatch, check: StateCheckedAction): Promise<Container> {
    const changed = Object.fromEntries(Object.entries(patch).filter(([k, v]) => v !== undefined && (c as unknown as Record<string, unknown>)[k] !== v));
    if (!Object.keys(changed).length) return c;
    const expected = VALID_STATES[check] as readonly ContainerStatus[];
    try {
      return await this.stores.containers.update(c.uuid, changed, { status: expected });
    } catch (e) {
      if (e instanceof ContainerStateConflict) throw await this.stateConflict(check, c, expected);
      throw e;
    }
  }

  /** The 409 for a conditional write that lost: Zun's message, naming the task when one is in flight. */
  protected async stateConflict(check: StateCheckedAction, c: Container, expected: readonly ContainerStatus[]): Promise<InvalidStateException> {
    const now = await this.stores.containers.getByUuid({ projectId: null, allProjects: true, containerType: null }, c.uuid).catch(() => c);
    if (!expected.includes(now.status) || now.task_state === null) return InvalidStateException.of(check, c.uuid, now.status);
    return new InvalidStateException(`Cannot ${check} container ${c.uuid} in ${now.status} state: task ${now.task_state} is in progress`);
  }
}
