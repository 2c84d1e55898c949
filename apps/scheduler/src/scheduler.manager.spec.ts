import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext } from '@zun-ts/common';
import { SchedulerManager } from './scheduler.manager';

describe('SchedulerManager', () => {
  test('ping answers with the scheduler host', async () => {
    const m = new SchedulerManager({ DEFAULT: { host: 'sched-1' } as never });
    assert.deepEqual(await m.ping(adminContext(), {}), { host: 'sched-1' });
  });
});
