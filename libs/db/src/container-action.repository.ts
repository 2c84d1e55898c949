import { type ServiceIdentifier } from 'inversify';
import { type DataSource } from 'typeorm';
import { ContainerNotFound, type RequestContext } from '@zun-ts/common';
import { type ActionEventResult, type ContainerAction, type ContainerActionEvent } from '@zun-ts/objects';
import { ContainerActionNotFound } from './db-errors';
import { ContainerActionEntity, ContainerActionEventEntity } from './entities';
import { exec, isForeignKeyViolation, select, type SqlEngine, type SqlRow, sqlDate, TableCodec, type TxBody } from './sql-engine';
import { isUniqueViolation } from './zun-service.repository';

/** An action with its events, newest first (the API's show). */
export type ContainerActionWithEvents = ContainerAction & { events: ContainerActionEvent[] };

/**
 * The container_action and container_action_event tables: the API records an action per user request, the
 * services record the steps (events) they run for it. Every write is safe to repeat: a redelivered message
 * finds the rows its first delivery created instead of adding more.
 */
export interface ContainerActionRepository {
  /** Records `action` for request `requestId` (start_time now); returns the existing row if already recorded. Throws ContainerNotFound. */
  start(ctx: Pick<RequestContext, 'userId' | 'projectId'>, containerUuid: string, action: string, requestId: string): Promise<ContainerAction>;
  /** Sets finish_time (kept from the first call) and, when given, message. Throws {@link ContainerActionNotFound}. */
  finish(containerUuid: string, requestId: string, message?: string | null): Promise<ContainerAction>;
  /** The container's actions, newest first. */
  list(containerUuid: string): Promise<ContainerAction[]>;
  /** The action of that request with its events (newest first), or null. */
  get(containerUuid: string, requestId: string): Promise<ContainerActionWithEvents | null>;
  /**
   * Records that a service started step `eventName` (e.g. `compute__do_container_start`) of the request's action;
   * `host` is kept in `details`. A second start of the same event returns the existing row. Throws ContainerActionNotFound.
   */
  eventStart(requestId: string, containerUuid: string, eventName: string, host?: string | null): Promise<ContainerActionEvent>;
  /**
   * Finishes the event (creating it if its start was never recorded); an `Error` result also marks the action's
   * message `Error`, as Zun does. Repeating it rewrites the same outcome. Throws ContainerActionNotFound.
   */
  eventFinish(
    requestId: string,
    containerUuid: string,
    eventName: string,
    result: ActionEventResult,
    traceback?: string | null,
  ): Promise<ContainerActionEvent>;
}

/** Injection token of the {@link ContainerActionRepository}. */
export const CONTAINER_ACTION_REPOSITORY: ServiceIdentifier<ContainerActionRepository> = Symbol.for('zun.ContainerActionRepository');

const ACTION_ID_SQL = 'SELECT `id` FROM `container_action` WHERE `container_uuid` = ? AND `request_id` = ? ORDER BY `id` DESC LIMIT 1';

/** {@link ContainerActionRepository} in SQL shared by both engines. */
export class SqlContainerActionRepository implements ContainerActionRepository {
  private readonly actions: TableCodec<ContainerAction>;
  private readonly events: TableCodec<ContainerActionEvent>;

  constructor(
    ds: DataSource,
    private readonly engine: SqlEngine,
  ) {
    this.actions = new TableCodec(ds, ContainerActionEntity);
    this.events = new TableCodec(ds, ContainerActionEventEntity);
  }

  private async findAction(containerUuid: string, requestId: string): Promise<ContainerAction | null> {
    const [a] = await this.engine.selectAs(
      this.actions,
      `SELECT ${this.actions.selectList} FROM \`container_action\` WHERE \`container_uuid\` = ? AND \`request_id\` = ? ORDER BY \`id\` DESC LIMIT 1`,
      [containerUuid, requestId],
    );
    return a ?? null;
  }

  async start(
    ctx: Pick<RequestContext, 'userId' | 'projectId'>,
    containerUuid: string,
    action: string,
    requestId: string,
  ): Promise<ContainerAction> {
    const now = new Date();
    const row: Omit<ContainerAction, 'id'> = {
      action,
      container_uuid: containerUuid,
      request_id: requestId,
      user_id: ctx.userId,
      project_id: ctx.projectId,
      start_time: now,
      finish_time: null,
      message: null,
      created_at: now,
      updated_at: null,
    };
    const keys = Object.keys(row) as (keyof typeof row)[];
    try {
      const res = await this.engine.run(
        `INSERT INTO \`container_action\` (${keys.map((k) => `\`${k}\``).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`,
        keys.map((k) => this.actions.encode(k, row[k])),
      );
      return { id: res.insertId, ...row };
    } catch (e) {
      if (isForeignKeyViolation(e)) throw new ContainerNotFound(`Container ${containerUuid} could not be found.`);
      if (!isUniqueViolation(e)) throw e;
    }
    const existing = await this.findAction(containerUuid, requestId);
    if (!existing) throw new ContainerActionNotFound(requestId, containerUuid);
    return existing;
  }

  async finish(containerUuid: string, requestId: string, message?: string | null): Promise<ContainerAction> {
    const stamp = sqlDate(new Date());
    const sets = ['`finish_time` = COALESCE(`finish_time`, ?)', '`updated_at` = ?'];
    const params: (string | null)[] = [stamp, stamp];
    if (message !== undefined) {
      sets.push('`message` = ?');
      params.push(message);
    }
    params.push(containerUuid, requestId);
    await this.engine.run(`UPDATE \`container_action\` SET ${sets.join(', ')} WHERE \`container_uuid\` = ? AND \`request_id\` = ?`, params);
    const a = await this.findAction(containerUuid, requestId);
    if (!a) throw new ContainerActionNotFound(requestId, containerUuid);
    return a;
  }

  async list(containerUuid: string): Promise<ContainerAction[]> {
    return this.engine.selectAs(
      this.actions,
      `SELECT ${this.actions.selectList} FROM \`container_action\` WHERE \`container_uuid\` = ? ORDER BY \`created_at\` DESC, \`id\` DESC`,
      [containerUuid],
    );
  }

  async get(containerUuid: string, requestId: string): Promise<ContainerActionWithEvents | null> {
    const a = await this.findAction(containerUuid, requestId);
    if (!a) return null;
    const events = await this.engine.selectAs(
      this.events,
      `SELECT ${this.events.selectList} FROM \`container_action_event\` WHERE \`action_id\` = ? ORDER BY \`created_at\` DESC, \`id\` DESC`,
      [a.id],
    );
    return { ...a, events };
  }

  async eventStart(requestId: string, containerUuid: string, eventName: string, host?: string | null): Promise<ContainerActionEvent> {
    const events = this.events;
    const stamp = sqlDate(new Date());
    return this.engine.atomic(function* (): TxBody<ContainerActionEvent> {
      const [action] = yield* select<{ id: unknown }>(ACTION_ID_SQL, [containerUuid, requestId]);
      if (!action) throw new ContainerActionNotFound(requestId, containerUuid);
      const actionId = Number(action.id);
      try {
        yield* exec(
          'INSERT INTO `container_action_event` (`action_id`, `event`, `start_time`, `finish_time`, `result`, `traceback`, `details`, `created_at`, `updated_at`) ' +
            'VALUES (?, ?, ?, NULL, NULL, NULL, ?, ?, NULL)',
          [actionId, eventName, stamp, host ?? null, stamp],
        );
      } catch (e) {
        // Redelivered: the event is there already; leave it as it is.
        if (!isUniqueViolation(e)) throw e;
      }
      return events.decode(yield* eventRow(events, actionId, eventName));
    });
  }

  async eventFinish(
    requestId: string,
    containerUuid: string,
    eventName: string,
    result: ActionEventResult,
    traceback: string | null = null,
  ): Promise<ContainerActionEvent> {
    const events = this.events;
    const stamp = sqlDate(new Date());
    return this.engine.atomic(function* (): TxBody<ContainerActionEvent> {
      const [action] = yield* select<{ id: unknown }>(ACTION_ID_SQL, [containerUuid, requestId]);
      if (!action) throw new ContainerActionNotFound(requestId, containerUuid);
      const actionId = Number(action.id);
      const update = (): ReturnType<typeof exec> =>
        exec(
          'UPDATE `container_action_event` SET `finish_time` = ?, `result` = ?, `traceback` = ?, `updated_at` = ? WHERE `action_id` = ? AND `event` = ?',
          [stamp, result, traceback, stamp, actionId, eventName],
        );
      if ((yield* update()).affected === 0) {
        try {
          yield* exec(
            'INSERT INTO `container_action_event` (`action_id`, `event`, `start_time`, `finish_time`, `result`, `traceback`, `details`, `created_at`, `updated_at`) ' +
              'VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)',
            [actionId, eventName, stamp, stamp, result, traceback, stamp, stamp],
          );
        } catch (e) {
          if (!isUniqueViolation(e)) throw e;
          yield* update(); // a racing start inserted it in between
        }
      }
      if (result === 'Error') {
        yield* exec('UPDATE `container_action` SET `message` = ?, `updated_at` = ? WHERE `id` = ?', ['Error', stamp, actionId]);
      }
      return events.decode(yield* eventRow(events, actionId, eventName));
    });
  }
}

function* eventRow(events: TableCodec<ContainerActionEvent>, actionId: number, eventName: string): TxBody<SqlRow> {
  const [row] = yield* select(`SELECT ${events.selectList} FROM \`container_action_event\` WHERE \`action_id\` = ? AND \`event\` = ?`, [
    actionId,
    eventName,
  ]);
  if (!row) throw new Error(`event ${eventName} of action ${actionId} vanished inside its transaction`);
  return row;
}
