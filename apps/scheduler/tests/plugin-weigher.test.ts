// A plug-in's weigher in the real zun-scheduler: two compute hosts recorded in the database, one with more free
// memory but many containers. With the example plug-in loaded and its ContainerCountWeigher enabled the
// scheduler ranks the emptier host first; the same service without the plug-in in zun.conf ranks by memory
// again; and a zun.conf that enables the weigher without loading the plug-in stops the scheduler at start,
// naming the weigher and what is available.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminContext } from '@zun-ts/common';
import { Database } from '@zun-ts/db';
import { RpcTransport, rpcClient, SCHEDULER } from '@zun-ts/rpc';
import { deleteRedisKeys, examplePluginDir, requireEnv, startService, uniqueName, waitFor, writeZunConf, type ZunConfSections } from '@zun-ts/testing';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL', 'redis://127.0.0.1:6390/0');

describe('the example plug-in\'s weigher in zun-scheduler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zun-plugin-sched-'));
  const prefix = uniqueName('plugw');
  const [big, small] = [uniqueName('big'), uniqueName('small')];
  const dbUrl = `sqlite:///${join(dir, 'zun.sqlite')}`;
  let db: Database;
  let transport: RpcTransport;
  let pluginDir: string;

  const conf = (scheduler: Record<string, string>, defaults: Record<string, string> = {}): string => {
    const sections: ZunConfSections = {
      DEFAULT: { state_path: dir, host: uniqueName('sched'), ...defaults },
      database: { connection: dbUrl },
      redis: { url: redisUrl, key_prefix: prefix },
      scheduler: { ram_allocation_ratio: '1.0', ...scheduler },
    };
    return writeZunConf(sections);
  };

  /** The hosts a scheduler started with `confText` ranks for a 64 MiB container, best first. */
  async function ranking(confText: string): Promise<string[]> {
    const proc = await startService('scheduler', confText, { dir, name: uniqueName('scheduler') });
    try {
      for (const h of [big, small]) await db.services.heartbeat(h, 'zun-compute');
      const client = rpcClient(transport, SCHEDULER);
      const { hosts } = await client.call('selectDestinations', adminContext(), {
        container_uuid: uniqueName('c'), cpu: null, memory: 64, disk: null, runtime: null, cpu_policy: null, hints: {},
        availability_zone: null, requested_host: null, ignore_hosts: [], volume_hosts: [],
      });
      return hosts;
    } finally {
      await proc.stop();
    }
  }

  before(async () => {
    pluginDir = await examplePluginDir();
    db = await Database.open(dbUrl);
    await db.migrate();
    for (const [host, mem] of [[big, 8192], [small, 2048]] as const) {
      await db.services.upsert({ host, binary: 'zun-compute', topic: `compute.${host}`, availability_zone: null });
      await db.computeNodes.upsertFromTracker(host, { mem_total: mem, cpus: 8, disk_total: 100, runtimes: ['runc'] });
    }
    // Ten (empty) containers on the big host.
    for (let i = 0; i < 10; i++) assert.equal(await db.computeNodes.claim(big, { cpu: 0, memory: 0, disk: 0 }, {}), true);
    assert.equal((await db.computeNodes.get(big))?.total_containers, 10);
    transport = RpcTransport.connect({ redisUrl, prefix, callTimeoutMs: 30_000 });
  });

  after(async () => {
    await transport?.close();
    await db?.close();
    await deleteRedisKeys(redisUrl, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  test('loaded and enabled, it puts the emptier host first', async () => {
    const hosts = await ranking(conf({ enabled_weighers: 'RamWeigher, ContainerCountWeigher', weight_multipliers: 'ContainerCountWeigher:2.0' }, { plugin_paths: pluginDir }));
    assert.deepEqual(hosts, [small, big]);
  });

  test('removed from zun.conf, the scheduler ranks by free memory again', async () => {
    assert.deepEqual(await ranking(conf({})), [big, small]);
  });

  test('enabled but not loaded, the scheduler refuses to start and says what is available', async () => {
    const proc = await startService('scheduler', conf({ enabled_weighers: 'RamWeigher, ContainerCountWeigher' }), { dir, name: uniqueName('scheduler'), ready: 'started' });
    const exit = await proc.exitWithin(30_000);
    assert.notEqual(exit.code, 0);
    await waitFor(async () => /unknown weigher\(s\) ContainerCountWeigher; available: RamWeigher/.test(proc.log()), { timeoutMs: 5_000, what: 'the error in the log', context: () => proc.log() });
  });
});
