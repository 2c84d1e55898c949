// End to end: the client's other resources against the running stack, as admin and as demo.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { openrcEnv, requireEnv, uniqueName } from '@zun-ts/testing';
import { Forbidden, NotFound, ZunClient } from '../src';

const apiOverride = (): { endpoint: string } | Record<string, never> => (process.env['ZUN_TEST_API_URL'] ? { endpoint: process.env['ZUN_TEST_API_URL'] } : {});

void describe('the typed client: services, hosts and the project resources', { concurrency: 1 }, () => {
  const state = requireEnv('ZUN_TEST_STACK_STATE', '<repo>/.stack');
  let admin: ZunClient;
  let demo: ZunClient;
  /** The `[DEFAULT] host` of the stack: its compute host. */
  let computeHost = '';

  before(() => {
    admin = ZunClient.fromEnv(openrcEnv(state, 'admin'), apiOverride());
    demo = ZunClient.fromEnv(openrcEnv(state, 'demo'), apiOverride());
    computeHost = /^\s*host\s*=\s*(\S+)\s*$/m.exec(readFileSync(join(state, 'zun.conf'), 'utf8'))?.[1] ?? '';
    assert.ok(computeHost, 'the stack zun.conf names no [DEFAULT] host');
  });

  void test('services (admin): the stack\'s compute service is up; demo is refused by policy', async () => {
    const services = await admin.services.list();
    const compute = services.find((s) => s.binary === 'zun-compute' && s.host === computeHost);
    assert.ok(compute, JSON.stringify(services));
    assert.equal(compute.state, 'up');
    assert.ok(services.some((s) => s.binary === 'zun-conductor'));
    await assert.rejects(demo.services.list(), (e: unknown) => e instanceof Forbidden && e.code === 'container.policy-not-authorized');
  });

  void test('hosts (admin): the compute host, listed and shown by uuid; an unknown one is NotFound', async () => {
    const page = await admin.hosts.list();
    const host = page.items.find((h) => h['hostname'] === computeHost);
    assert.ok(host?.uuid, JSON.stringify(page.items));
    const shown = await admin.hosts.get(host.uuid);
    assert.equal(shown['hostname'], computeHost);
    await assert.rejects(admin.hosts.get('00000000-0000-4000-8000-000000000000'), NotFound);
  });

  void test('volumes (demo): create, find in the list, show, delete; lists of the other resources', async () => {
    const name = uniqueName('clientvol');
    const vol = await demo.volumes.create({ size: 1, name });
    assert.ok(vol.uuid, JSON.stringify(vol));
    try {
      const listed: string[] = [];
      for await (const v of demo.volumes.listAll({ limit: 1 })) listed.push(v.uuid ?? '');
      assert.ok(listed.includes(vol.uuid), `${vol.uuid} not in ${listed.join(', ')}`);
      const shown = await demo.volumes.get(vol.uuid);
      assert.deepEqual([shown.uuid, shown['name'], Number(shown['size'])], [vol.uuid, name, 1]);
    } finally {
      await demo.volumes.delete(vol.uuid);
    }
    await assert.rejects(demo.volumes.get(vol.uuid), NotFound);
    // each list answers its own key (the client throws on any other shape)
    for (const api of [demo.networks, demo.registries, demo.capsules]) {
      for (const item of (await api.list()).items) assert.equal(typeof item.uuid, 'string', JSON.stringify(item));
    }
  });
});
