import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addressesText, allowedActions, statusClass, statusText } from './containers';

void describe('the containers table', () => {
  test('status badges: Running ok, Error bad, transitions busy, resting states idle', () => {
    assert.equal(statusClass('Running'), 'status ok');
    assert.equal(statusClass('Error'), 'status bad');
    assert.equal(statusClass('Creating'), 'status busy');
    assert.equal(statusClass('Deleting'), 'status busy');
    assert.equal(statusClass('Stopped'), 'status idle');
  });

  test('the status cell names the task in progress', () => {
    assert.equal(statusText({ status: 'Running', task_state: null }), 'Running');
    assert.equal(statusText({ status: 'Running', task_state: 'container_stopping' }), 'Running (container_stopping)');
  });

  test('actions follow the state: a terminal and Stop when running, Start when stopped, only Delete while creating', () => {
    const sorted = (s: Set<string>): string[] => [...s].sort();
    assert.deepEqual(sorted(allowedActions('Running', null)), ['delete', 'logs', 'stop', 'terminal']);
    assert.deepEqual(sorted(allowedActions('Stopped', null)), ['delete', 'logs', 'start']);
    assert.deepEqual(sorted(allowedActions('Created', null)), ['delete', 'logs', 'start']);
    assert.deepEqual(sorted(allowedActions('Error', null)), ['delete', 'logs']);
    assert.deepEqual(sorted(allowedActions('Creating', 'image_pulling')), ['delete']);
    assert.deepEqual(sorted(allowedActions('Running', 'container_stopping')), ['delete', 'logs']);
  });

  test('addresses of every network, in order', () => {
    assert.equal(addressesText(null), '');
    assert.equal(addressesText({ n1: [{ addr: '10.0.0.2', version: 4 }], n2: [{ addr: '10.1.0.2', version: 4 }, { addr: 'fd00::2', version: 6 }] }), '10.0.0.2, 10.1.0.2, fd00::2');
  });
});
