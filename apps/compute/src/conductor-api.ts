import { ContainerNotFound, type Logger, type RequestContext, ZunError } from '@zun-ts/common';
import { type Container, type ContainerStatus, type TaskState } from '@zun-ts/objects';
import {
  CONDUCTOR_TOPIC,
  type ConductorRpcApi,
  type ContainerPatch,
  type CreateFailureReport,
  RpcClient,
  type RpcTransport,
} from '@zun-ts/rpc';

/** The conductor methods a compute host uses: its only way to the database. */
export type ConductorApi = Pick<
  ConductorRpcApi,
  | 'containerGet'
  | 'containersOnHost'
  | 'containerSave'
  | 'containerDestroy'
  | 'computeNodeUpdate'
  | 'actionEventStart'
  | 'actionEventFinish'
  | 'actionFinish'
  | 'reportCreateFailure'
>;

/** {@link ConductorApi} over RPC: calls, except the failure report, which is a cast the conductor acts on. */
export class RpcConductorApi implements ConductorApi {
  private readonly client: RpcClient<ConductorRpcApi>;

  constructor(transport: RpcTransport) {
    this.client = new RpcClient<ConductorRpcApi>(transport, CONDUCTOR_TOPIC);
  }

  containerGet(ctx: RequestContext, args: { container_uuid: string }): Promise<Container> {
    return this.client.call('containerGet', ctx, args);
  }
  containersOnHost(ctx: RequestContext, args: { host: string }): Promise<Container[]> {
    return this.client.call('containersOnHost', ctx, args);
  }
  containerSave(ctx: RequestContext, args: Parameters<ConductorRpcApi['containerSave']>[1]): Promise<Container> {
    return this.client.call('containerSave', ctx, args);
  }
  containerDestroy(ctx: RequestContext, args: { container_uuid: string }): Promise<void> {
    return this.client.call('containerDestroy', ctx, args);
  }
  computeNodeUpdate(ctx: RequestContext, args: Parameters<ConductorRpcApi['computeNodeUpdate']>[1]): Promise<void> {
    return this.client.call('computeNodeUpdate', ctx, args);
  }
  actionEventStart(ctx: RequestContext, args: Parameters<ConductorRpcApi['actionEventStart']>[1]): Promise<void> {
    return this.client.call('actionEventStart', ctx, args);
  }
  actionEventFinish(ctx: RequestContext, args: Parameters<ConductorRpcApi['actionEventFinish']>[1]): Promise<void> {
    return this.client.call('actionEventFinish', ctx, args);
  }
  actionFinish(ctx: RequestContext, args: { container_uuid: string; request_id: string }): Promise<void> {
    return this.client.call('actionFinish', ctx, args);
  }
  reportCreateFailure(ctx: RequestContext, args: CreateFailureReport): Promise<void> {
    return this.client.cast('reportCreateFailure', ctx, args);
  }
}

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
      return await this.conductor.containerGet(ctx, { container_uuid: uuid });
    } catch (err) {
      if (err instanceof ContainerNotFound) return null;
      throw err;
    }
  }

  /** Saves under `expected`; throws a 409 error when the guard failed, ContainerNotFound when the row is gone. */
  save(ctx: RequestContext, uuid: string, patch: ContainerPatch, expected?: SaveGuard): Promise<Container> {
    return this.conductor.containerSave(ctx, { container_uuid: uuid, patch, ...(expected ? { expected } : {}) });
  }

  /** {@link save}, but null when the guard failed or the row is gone (the container moved on without us). */
  async trySave(ctx: RequestContext, uuid: string, patch: ContainerPatch, expected?: SaveGuard): Promise<Container | null> {
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
    return this.conductor.containerDestroy(ctx, { container_uuid: uuid });
  }

  async eventStart(ctx: RequestContext, uuid: string, event: string): Promise<void> {
    try {
      await this.conductor.actionEventStart(ctx, { container_uuid: uuid, request_id: ctx.requestId, event, host: this.host });
    } catch (err) {
      this.logger.debug('action event not recorded', { containerUuid: uuid, requestId: ctx.requestId, event, error: (err as Error).message });
    }
  }

  /** The request's action is over (its finish time); best effort like the events. */
  async actionFinish(ctx: RequestContext, uuid: string): Promise<void> {
    try {
      await this.conductor.actionFinish(ctx, { container_uuid: uuid, request_id: ctx.requestId });
    } catch (err) {
      this.logger.debug('action not finished', { containerUuid: uuid, requestId: ctx.requestId, error: (err as Error).message });
    }
  }

  async eventFinish(ctx: RequestContext, uuid: string, event: string, error: unknown = null): Promise<void> {
    try {
      await this.conductor.actionEventFinish(ctx, {
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
