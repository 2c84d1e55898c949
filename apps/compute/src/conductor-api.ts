import { ContainerNotFound, type Logger, type RequestContext, ZunError } from '@zun-ts/common';
import { type Container, type ContainerStatus, type HostContainerPatch, type TaskState } from '@zun-ts/objects';
import { type ConductorClient } from '@zun-ts/rpc';

/**
 * The conductor as a compute host uses it, its only way to the database: the typed client of the conductor
 * topic (`rpcClient(transport, CONDUCTOR)`; in unit tests `localClient(CONDUCTOR, fake)`).
 */
export type ConductorApi = Pick<ConductorClient, 'call' | 'cast'>;

/** Conditions a save is applied under (see ConductorRpcApi.containerSave). */
export interface SaveGuard {
  status?: ContainerStatus[];
  task_state?: (TaskState | null)[];
}

/** Every status but the ones that mean the record is on its way out. */
export const LIVE_STATUSES: ContainerStatus[] = ['Creating', 'Created', 'Running', 'Stopped', 'Paused', 'Restarting', 'Rebuilding', 'Error', 'Dead', 'Unknown'];

/** A conditional save lost (409): someone changed the container first. Rebuilt by status, not class. */
export function isConflict(err: unknown): boolean {
  return err instanceof ZunError && err.status === 409;
}

/**
 * Container records as a compute host reaches them, through the conductor. Action events are
 * informative: failing to record one never fails the operation.
 */
export class ContainerRecords {
  constructor(
    private readonly conductor: ConductorApi,
    readonly host: string,
    private readonly logger: Logger,
  ) {}

  get api(): ConductorApi {
    return this.conductor;
  }

  /** The record, or null when it is gone. */
  async get(ctx: RequestContext, uuid: string): Promise<Container | null> {
    try {
      return await this.conductor.call('containerGet', ctx, { container_uuid: uuid });
    } catch (err) {
      if (err instanceof ContainerNotFound) return null;
      throw err;
    }
  }

  /** Saves under `expected`; throws a 409 error when the guard failed, ContainerNotFound when the row is gone. */
  save(ctx: RequestContext, uuid: string, patch: HostContainerPatch, expected?: SaveGuard): Promise<Container> {
    return this.conductor.call('containerSave', ctx, { container_uuid: uuid, patch, ...(expected ? { expected } : {}) });
  }

  /** {@link save}, but null when the guard failed or the row is gone (the container moved on without us). */
  async trySave(ctx: RequestContext, uuid: string, patch: HostContainerPatch, expected?: SaveGuard): Promise<Container | null> {
    try {
      return await this.save(ctx, uuid, patch, expected);
    } catch (err) {
      if (err instanceof ContainerNotFound || isConflict(err)) {
        this.logger.debug('container save skipped', { containerUuid: uuid, requestId: ctx.requestId, reason: (err as Error).message });
        return null;
      }
      throw err;
    }
  }

  /** Releases the claim and deletes the row (idempotent). */
  destroy(ctx: RequestContext, uuid: string): Promise<void> {
    return this.conductor.call('containerDestroy', ctx, { container_uuid: uuid });
  }

  async eventStart(ctx: RequestContext, uuid: string, event: string): Promise<void> {
    try {
      await this.conductor.call('actionEventStart', ctx, { container_uuid: uuid, request_id: ctx.requestId, event, host: this.host });
    } catch (err) {
      this.logger.debug('action event not recorded', { containerUuid: uuid, requestId: ctx.requestId, event, error: (err as Error).message });
    }
  }

  /** The request's action is over (its finish time); best effort like the events. */
  async actionFinish(ctx: RequestContext, uuid: string): Promise<void> {
    try {
      await this.conductor.call('actionFinish', ctx, { container_uuid: uuid, request_id: ctx.requestId });
    } catch (err) {
      this.logger.debug('action not finished', { containerUuid: uuid, requestId: ctx.requestId, error: (err as Error).message });
    }
  }

  async eventFinish(ctx: RequestContext, uuid: string, event: string, error: unknown = null): Promise<void> {
    try {
      await this.conductor.call('actionEventFinish', ctx, {
        container_uuid: uuid,
        request_id: ctx.requestId,
        event,
        host: this.host,
        result: error === null ? 'Success' : 'Error',
        traceback: error === null ? null : errorText(error),
      });
    } catch (err) {
      this.logger.debug('action event not recorded', { containerUuid: uuid, requestId: ctx.requestId, event, error: (err as Error).message });
    }
  }
}

/** The message of an error, for status_reason and event tracebacks. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
