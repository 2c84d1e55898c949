// A plug-in's weigher deciding placement across two simulated hosts (tools/sim-hosts: each a network namespace
// with its own dockerd), with the real conductor, scheduler and compute services. Host 1 keeps 512 MiB more for
// itself than host 0, so RamWeigher prefers host 0; host 0 also runs two containers, host 1 none. With the example
// plug-in loaded and its ContainerCountWeigher enabled (multiplier 2) the next container goes to host 1; with the
// scheduler restarted on a zun.conf without the plug-in, the next one goes to host 0 again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { examplePluginDir, requireEnv } from '@zun-ts/testing';
import { SimCloud } from './fixtures/sim-cloud';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');
requireEnv('ZUN_TEST_REGISTRY', '127.0.0.1:5050');

describe('the example weigher across two simulated hosts', () => {
  let cloud: SimCloud;
  const project = 'plugin-placement';

  before(async () => {
    const pluginDir = await examplePluginDir();
    cloud = await SimCloud.start(2, redisUrl, {
      scheduler: {
        DEFAULT: { plugin_paths: pluginDir },
        scheduler: { enabled_weighers: 'RamWeigher, ContainerCountWeigher', weight_multipliers: 'ContainerCountWeigher:2.0' },
      },
      compute: (_host, i) => ({ compute: { reserved_host_memory_mb: i === 1 ? 512 : 0 } }),
    });
  });

  after(async () => {
    await cloud?.stop();
  });

  test('loaded, it sends the next container to the emptier host; removed from zun.conf, placement follows memory again', async () => {
    const [h0, h1] = cloud.hosts;
    assert.ok(h0 && h1);
    const [n0, n1] = await Promise.all([cloud.db.computeNodes.get(h0.name), cloud.db.computeNodes.get(h1.name)]);
    assert.ok(n0 && n1 && n0.mem_total - n1.mem_total >= 512, 'host 1 offers less memory');
    for (let i = 0; i < 2; i++) assert.equal((await cloud.running(await cloud.create(project, [], { host: h0 }))).host, h0.name);

    const spread = await cloud.running(await cloud.create(project, []));
    assert.equal(spread.host, h1.name, 'ContainerCountWeigher outweighs RamWeigher: the host without containers');

    await cloud.restartScheduler();
    const byMemory = await cloud.running(await cloud.create(project, []));
    assert.equal(byMemory.host, h0.name, 'without the plug-in, RamWeigher alone: the host with more free memory');
  });
});
