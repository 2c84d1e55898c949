import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext } from '@zun-ts/common';
import { ComputeManager } from './compute.manager';

describe('ComputeManager', () => {
  test('ping answers with the compute host', async () => {
    const m = new ComputeManager({ DEFAULT: { host: 'cn-7' } as never });
    assert.deepEqual(await m.ping(adminContext(), {}), { host: 'cn-7' });
  });
});
