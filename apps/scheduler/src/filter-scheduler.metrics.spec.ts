import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NoValidHost, silentLogger } from '@zun-ts/common';
import { metricsRegistry } from '@zun-ts/metrics';
import { type HostState } from './host-state';
import { FilterScheduler } from './filter-scheduler';
import { type HostFilter } from './filters';
import { fakeConf, fakeHost, fakeRequest } from '../tests/fixtures/host-state';

async function sample(line: string): Promise<number> {
  const hit = (await metricsRegistry.metrics()).split('\n').find((l) => l.startsWith(`${line} `));
  return hit ? Number(hit.slice(line.length + 1)) : 0;
}

const only = (name: string, pass: string[]): HostFilter => ({ name, runOncePerRequest: false, hostPasses: (h: HostState) => pass.includes(h.hostname) });

void describe('scheduler metrics', () => {
  const hosts = ['n1', 'n2', 'n3'].map((hostname) => fakeHost({ hostname }));

  void test('decisions by outcome and rejections by filter name (never the host), once per filter and decision', async () => {
    const s = new FilterScheduler([only('SpecAFilter', ['n1', 'n2']), only('SpecBFilter', ['n2'])], fakeConf({ enabled_filters: ['SpecAFilter', 'SpecBFilter'] }), silentLogger());
    const [selected, none, a, b] = await Promise.all([
      sample('zun_scheduler_decisions_total{outcome="selected"}'), sample('zun_scheduler_decisions_total{outcome="no_valid_host"}'),
      sample('zun_scheduler_filter_rejections_total{filter="SpecAFilter"}'), sample('zun_scheduler_filter_rejections_total{filter="SpecBFilter"}'),
    ]);
    assert.deepEqual(s.selectHosts(hosts, fakeRequest()).map((h) => h.hostname), ['n2']);
    assert.throws(() => s.selectHosts(hosts.filter((h) => h.hostname !== 'n2'), fakeRequest()), NoValidHost);
    assert.equal(await sample('zun_scheduler_decisions_total{outcome="selected"}'), selected + 1);
    assert.equal(await sample('zun_scheduler_decisions_total{outcome="no_valid_host"}'), none + 1);
    // First request: A rejects n3, B rejects n1. Second: A rejects n3, B rejects n1 (every host gone).
    assert.equal(await sample('zun_scheduler_filter_rejections_total{filter="SpecAFilter"}'), a + 2);
    assert.equal(await sample('zun_scheduler_filter_rejections_total{filter="SpecBFilter"}'), b + 2);
    // Third: B rejects n1 and n3 (after A passes all): one decision, counted once.
    const open = new FilterScheduler([only('SpecAFilter', ['n1', 'n2', 'n3']), only('SpecBFilter', ['n2'])], fakeConf({ enabled_filters: ['SpecAFilter', 'SpecBFilter'] }), silentLogger());
    open.selectHosts(hosts, fakeRequest());
    assert.equal(await sample('zun_scheduler_filter_rejections_total{filter="SpecAFilter"}'), a + 2, 'A rejected nothing');
    assert.equal(await sample('zun_scheduler_filter_rejections_total{filter="SpecBFilter"}'), b + 3, 'two hosts, one decision');
    assert.ok((await sample('zun_scheduler_decision_duration_seconds_count')) >= 2);
    assert.doesNotMatch(await metricsRegistry.metrics(), /n3/);
  });
});
