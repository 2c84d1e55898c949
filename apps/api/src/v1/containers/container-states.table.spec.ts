import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTAINER_STATUSES, type ContainerStatus } from '@zun-ts/objects';
import { InvalidStateException } from './container.errors';
import { type StateCheckedAction, VALID_STATES, validateContainerState } from './container-states.table';

const UUID = 'a1b2c3d4-0000-4000-8000-000000000000';

function allowed(action: StateCheckedAction): ContainerStatus[] {
  return CONTAINER_STATUSES.filter((status) => {
    try {
      validateContainerState({ uuid: UUID, status }, action);
      return true;
    } catch (e) {
      assert.ok(e instanceof InvalidStateException);
      assert.equal(e.status, 409);
      assert.equal(e.message, `Cannot ${action} container ${UUID} in ${status} state`);
      return false;
    }
  });
}

describe('container state table', () => {
  test('Zun\'s allowed statuses per action', () => {
    const expected: Record<string, ContainerStatus[]> = {
      delete: ['Created', 'Stopped', 'Deleted', 'Error', 'Dead'],
      delete_force: ['Creating', 'Created', 'Running', 'Stopped', 'Restarting', 'Rebuilding', 'Deleting', 'Deleted', 'Error', 'Dead', 'Unknown'],
      delete_after_stop: ['Created', 'Running', 'Stopped', 'Deleted', 'Error', 'Dead'],
      start: ['Created', 'Stopped', 'Error'],
      stop: ['Running'],
      reboot: ['Created', 'Running', 'Stopped', 'Error'],
      rebuild: ['Created', 'Running', 'Stopped', 'Error'],
      pause: ['Running'],
      unpause: ['Paused'],
      kill: ['Running'],
      execute: ['Running'],
      execute_resize: ['Running'],
      resize: ['Running'],
      top: ['Running'],
      stats: ['Running'],
      update: ['Created', 'Running', 'Stopped', 'Paused'],
      resize_container: ['Created', 'Running', 'Stopped', 'Paused'],
      get_archive: ['Created', 'Running', 'Stopped', 'Paused'],
      put_archive: ['Created', 'Running', 'Stopped', 'Paused'],
      logs: ['Created', 'Running', 'Stopped', 'Paused', 'Error', 'Unknown'],
      commit: ['Running', 'Stopped', 'Paused'],
      network_attach: ['Created', 'Running', 'Stopped', 'Paused'],
      network_detach: ['Created', 'Running', 'Stopped', 'Paused'],
    };
    for (const [action, statuses] of Object.entries(expected)) {
      assert.deepEqual(allowed(action as StateCheckedAction), statuses, action);
    }
  });

  test('Paused cannot be deleted without force; Running needs force or stop', () => {
    assert.throws(() => validateContainerState({ uuid: UUID, status: 'Paused' }, 'delete'), /Cannot delete container .* in Paused state/);
    assert.throws(() => validateContainerState({ uuid: UUID, status: 'Running' }, 'delete'), InvalidStateException);
    validateContainerState({ uuid: UUID, status: 'Running' }, 'delete_after_stop');
    assert.ok(!(VALID_STATES.delete_after_stop as readonly string[]).includes('Paused'));
  });
});
