import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serviceState } from './admin';

void describe('the services view', () => {
  test('forced down, then disabled (with the heartbeat state), then up or down', () => {
    assert.equal(serviceState({ state: 'up', disabled: false, forced_down: false }), 'up');
    assert.equal(serviceState({ state: 'down', disabled: false }), 'down');
    assert.equal(serviceState({ state: 'up', disabled: true }), 'disabled (up)');
    assert.equal(serviceState({ state: 'up', disabled: true, forced_down: true }), 'forced down');
  });
});
