import 'reflect-metadata';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { Container } from 'inversify';
import { LOGGER, silentLogger } from '@zun-ts/common';
import { ZUN_CONF } from '@zun-ts/config';
import { type HostWeigher } from '@zun-ts/plugin-api';
import { checkPlugin, loadPlugins, PluginRegistry } from '@zun-ts/plugin-host';
import { fakeConf, fakeHost, fakeRequest } from '../tests/fixtures/host-state';
import { FilterScheduler, selectWeighers } from './filter-scheduler';
import { bindSchedulerElements } from './scheduler.bindings';
import { hostWeights, RamWeigher } from './weighers/ram.weigher';

const example = resolve(__dirname, '../../../examples/zun-plugin-example/src/index.ts');

/** The scheduler main.ts builds, from a configuration and plug-ins. */
function schedulerWith(plugins: PluginRegistry, scheduler: Parameters<typeof fakeConf>[0] = {}): FilterScheduler {
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind(ZUN_CONF).toConstantValue(fakeConf(scheduler));
  c.bind(LOGGER).toConstantValue(silentLogger());
  bindSchedulerElements(c, plugins);
  c.bind(FilterScheduler).toSelf();
  const s = c.get(FilterScheduler);
  s.random = () => 0;
  return s;
}

const loaded = (): PluginRegistry => loadPlugins([example], { host: 'h', logger: silentLogger() });

// big: more free memory but many containers; small: less memory, few containers.
const big = fakeHost({ hostname: 'big', mem_total: 8192, mem_used: 0, total_containers: 20 });
const small = fakeHost({ hostname: 'small', mem_total: 2048, mem_used: 0, total_containers: 1 });

describe('weighing', () => {
  test('each weigher is scaled to 0..1 over the candidates, multiplied and summed', () => {
    const count: HostWeigher = { name: 'Count', weigh: (h) => -h.total_containers };
    assert.deepEqual(hostWeights([big, small], [{ weigher: new RamWeigher(), multiplier: 1 }], null), [1, 0]);
    assert.deepEqual(hostWeights([big, small], [{ weigher: new RamWeigher(), multiplier: 1 }, { weigher: count, multiplier: 2 }], null), [1, 2]);
    assert.deepEqual(hostWeights([big, small], [{ weigher: count, multiplier: -1 }], null), [0, -1]);
    assert.deepEqual(hostWeights([big, big], [{ weigher: count, multiplier: 5 }], null), [0, 0], 'all equal: no preference');
  });

  test('selectWeighers: enabled names with their multipliers; unknown names list what is available', () => {
    const count: HostWeigher = { name: 'Count', weigh: () => 0 };
    const inUse = selectWeighers([new RamWeigher(), count], ['RamWeigher', 'Count'], ['Count:2.5']);
    assert.deepEqual(inUse.map((w) => [w.weigher.name, w.multiplier]), [['RamWeigher', 1], ['Count', 2.5]]);
    assert.throws(() => selectWeighers([new RamWeigher()], ['RamWeigher', 'MyTeamWeigher'], []), /\[scheduler\] enabled_weighers: unknown weigher\(s\) MyTeamWeigher; available: RamWeigher/);
    assert.throws(() => selectWeighers([new RamWeigher(), count], ['RamWeigher'], ['Count:2']), /\[scheduler\] weight_multipliers: Count not in enabled_weighers/);
  });
});

describe('plug-in filters and weighers in the scheduler', () => {
  test('the example weigher changes placement once enabled, and not before', () => {
    const req = fakeRequest({ memory: 64 });
    assert.deepEqual(schedulerWith(loaded()).selectHosts([big, small], req).map((h) => h.hostname), ['big', 'small'], 'RamWeigher alone');
    const spread = schedulerWith(loaded(), { enabled_weighers: ['RamWeigher', 'ContainerCountWeigher'], weight_multipliers: ['ContainerCountWeigher:2'] });
    assert.deepEqual(spread.selectHosts([big, small], req).map((h) => h.hostname), ['small', 'big']);
  });

  test('an enabled weigher that no plug-in provides stops construction, listing the available ones', () => {
    assert.throws(() => schedulerWith(PluginRegistry.empty(), { enabled_weighers: ['ContainerCountWeigher'] }), /unknown weigher\(s\) ContainerCountWeigher; available: RamWeigher$/);
    assert.throws(() => schedulerWith(loaded(), { enabled_weighers: ['Nope'] }), /available: ContainerCountWeigher, RamWeigher/);
  });

  test('a plug-in filter is selected by name in enabled_filters, like a built-in', () => {
    const plugin = checkPlugin({
      name: 'team',
      apiVersion: '1.0.0',
      filters: { MyTeamFilter: { name: 'MyTeamFilter', runOncePerRequest: true, hostPasses: (h: { hostname: string }) => h.hostname === 'small' } },
    }, 'inline', () => ({ host: 'h', logger: silentLogger() }));
    const s = schedulerWith(new PluginRegistry([plugin]), { enabled_filters: ['ComputeFilter', 'MyTeamFilter'] });
    assert.deepEqual(s.filters.map((f) => f.name), ['ComputeFilter', 'MyTeamFilter']);
    assert.deepEqual(s.selectHosts([big, small], fakeRequest()).map((h) => h.hostname), ['small']);
    assert.throws(() => schedulerWith(PluginRegistry.empty(), { enabled_filters: ['MyTeamFilter'] }), /unknown filter\(s\) MyTeamFilter; available: .*RamFilter/);
  });

  test('a plug-in filter or weigher named like a built-in is refused', () => {
    const ctx = (): { host: string; logger: ReturnType<typeof silentLogger> } => ({ host: 'h', logger: silentLogger() });
    const clashF = checkPlugin({ name: 'f', apiVersion: '1.0.0', filters: { RamFilter: { name: 'RamFilter', runOncePerRequest: false, hostPasses: () => true } } }, 'inline', ctx);
    assert.throws(() => schedulerWith(new PluginRegistry([clashF])), /two filters are named RamFilter/);
    const clashW = checkPlugin({ name: 'w', apiVersion: '1.0.0', weighers: { RamWeigher: { name: 'RamWeigher', weigh: () => 0 } } }, 'inline', ctx);
    assert.throws(() => schedulerWith(new PluginRegistry([clashW])), /two weighers are named RamWeigher/);
  });
});
