import { field, type ObjectDef } from './fields';
import { ACTION_EVENT_RESULTS, type ActionEventResult } from './statuses';

/** One user request against a container (`start`, `stop`, …), looked up by (container_uuid, request_id). */
export interface ContainerAction {
  id: number;
  /** Usually one of CONTAINER_ACTION_NAMES. */
  action: string;
  container_uuid: string;
  request_id: string;
  user_id: string | null;
  project_id: string | null;
  start_time: Date;
  finish_time: Date | null;
  /** null, or `"Error"` when the operation failed. */
  message: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const ContainerActionObject: ObjectDef<ContainerAction, 'ContainerAction'> = {
  name: 'ContainerAction',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    action: field.string(),
    container_uuid: field.string(),
    request_id: field.string(),
    user_id: field.string({ nullable: true }),
    project_id: field.string({ nullable: true }),
    start_time: field.datetime(),
    finish_time: field.datetime({ nullable: true }),
    message: field.string({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};

/** A step of an action run by a service, e.g. `compute__do_container_start`. */
export interface ContainerActionEvent {
  id: number;
  action_id: number;
  event: string;
  start_time: Date;
  finish_time: Date | null;
  result: ActionEventResult | null;
  traceback: string | null;
  details: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** Version history: 1.0 initial. */
export const ContainerActionEventObject: ObjectDef<ContainerActionEvent, 'ContainerActionEvent'> = {
  name: 'ContainerActionEvent',
  VERSION: '1.0',
  fields: {
    id: field.integer(),
    action_id: field.integer(),
    event: field.string(),
    start_time: field.datetime(),
    finish_time: field.datetime({ nullable: true }),
    result: field.enum(ACTION_EVENT_RESULTS, { nullable: true }),
    traceback: field.string({ nullable: true }),
    details: field.string({ nullable: true }),
    created_at: field.datetime(),
    updated_at: field.datetime({ nullable: true }),
  },
};
