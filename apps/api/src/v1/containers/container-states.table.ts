import { type ContainerStatus } from '@zun-ts/objects';
import { InvalidStateException } from './container.errors';

/** Statuses in which each operation is allowed (Zun's VALID_STATES). */
export const VALID_STATES = {
  commit: ['Running', 'Stopped', 'Paused'],
  delete: ['Created', 'Error', 'Stopped', 'Deleted', 'Dead'],
  delete_force: ['Created', 'Creating', 'Error', 'Running', 'Stopped', 'Unknown', 'Deleted', 'Dead', 'Restarting', 'Rebuilding', 'Deleting'],
  delete_after_stop: ['Running', 'Created', 'Error', 'Stopped', 'Deleted', 'Dead'],
  start: ['Created', 'Stopped', 'Error'],
  stop: ['Running'],
  reboot: ['Created', 'Running', 'Stopped', 'Error'],
  rebuild: ['Created', 'Running', 'Stopped', 'Error'],
  pause: ['Running'],
  unpause: ['Paused'],
  kill: ['Running'],
  execute: ['Running'],
  execute_resize: ['Running'],
  update: ['Created', 'Running', 'Stopped', 'Paused'],
  attach: ['Running'],
  resize: ['Running'],
  top: ['Running'],
  get_archive: ['Created', 'Paused', 'Running', 'Stopped'],
  put_archive: ['Created', 'Paused', 'Running', 'Stopped'],
  logs: ['Created', 'Error', 'Paused', 'Running', 'Stopped', 'Unknown'],
  stats: ['Running'],
  add_security_group: ['Created', 'Running', 'Stopped', 'Paused'],
  remove_security_group: ['Created', 'Running', 'Stopped', 'Paused'],
  resize_container: ['Created', 'Running', 'Stopped', 'Paused'],
  // Zun checks no state for these and lets the compute fail; here the port is allocated (or marked) by the API,
  // so only a container whose Docker container exists and is not being changed may take one.
  network_attach: ['Created', 'Running', 'Stopped', 'Paused'],
  network_detach: ['Created', 'Running', 'Stopped', 'Paused'],
} as const satisfies Record<string, readonly ContainerStatus[]>;

/** An operation of {@link VALID_STATES}; its name is the verb of the 409 message. */
export type StateCheckedAction = keyof typeof VALID_STATES;

/** Throws 409 "Cannot <action> container <uuid> in <Status> state" unless the status allows the action. */
export function validateContainerState(container: { uuid: string; status: ContainerStatus }, action: StateCheckedAction): void {
  if (!(VALID_STATES[action] as readonly ContainerStatus[]).includes(container.status)) {
    throw InvalidStateException.of(action, container.uuid, container.status);
  }
}
