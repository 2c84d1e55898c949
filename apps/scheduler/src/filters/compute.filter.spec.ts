import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { ComputeFilter } from './compute.filter';
import { fakeConf, fakeHost, fakeRequest, fakeService } from '../../tests/fixtures/host-state';

const ago = (s: number): Date => new Date(Date.now() - s * 1000);

describe('ComputeFilter', () => {
  const f = new ComputeFilter(fakeConf({}, 60));
  const req = fakeRequest();

  test('an enabled service with a recent heartbeat passes', () => {
    assert.equal(f.hostPasses(fakeHost({ service: fakeService({ last_seen_up: ago(5) }) }), req), true);
  });

  test('a disabled service fails even when up', () => {
    assert.equal(f.hostPasses(fakeHost({ service: fakeService({ disabled: true, last_seen_up: ago(5) }) }), req), false);
  });

  test('a heartbeat older than service_down_time fails', () => {
    assert.equal(f.hostPasses(fakeHost({ service: fakeService({ last_seen_up: ago(120) }) }), req), false);
    // the same heartbeat age is fine under the default 180 s
    assert.equal(new ComputeFilter(fakeConf()).hostPasses(fakeHost({ service: fakeService({ last_seen_up: ago(120) }) }), req), true);
  });

  test('a forced-down service fails', () => {
    assert.equal(f.hostPasses(fakeHost({ service: fakeService({ forced_down: true, last_seen_up: ago(1) }) }), req), false);
  });

  test('reads the clock once per decision (per request), not once per host', () => {
    const filter = new ComputeFilter(fakeConf({}, 60));
    const hosts = Array.from({ length: 100 }, () => fakeHost({ service: fakeService({ last_seen_up: ago(5) }) }));
    const now = mock.method(Date, 'now');
    try {
      const decision = fakeRequest();
      assert.equal(hosts.filter((h) => filter.hostPasses(h, decision)).length, 100);
      assert.equal(now.mock.callCount(), 1);
      filter.hostPasses(hosts[0]!, fakeRequest());
      assert.equal(now.mock.callCount(), 2, 'the next decision reads it again');
    } finally {
      now.mock.restore();
    }
  });
});
