// A plug-in's image driver in a real Zun of this tree (ImageStack: zun-api, zun-conductor, zun-scheduler and one
// zun-compute on the stack's Keystone, Redis and Docker engine) with the real `zun` client. The example plug-in is
// loaded through `[DEFAULT] plugin_paths` and its `local` image driver listed in `image_driver_list`: a container
// naming it runs from an image only this host's engine has (no registry knows the name), records `local` as its
// image driver, and one whose image the engine lacks ends in Error with the driver's message; the API neither
// validates nor searches such images. A zun-compute or zun-api whose image_driver_list names a driver nothing
// provides refuses to start, listing the built-in and the plug-in's drivers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { examplePluginDir, parseShow, startService, uniqueName, waitFor, writeZunConf } from '@zun-ts/testing';
import { ImageStack } from './fixtures/image-stack';
import { createdUuid, docker, ok, ZunPoller } from './fixtures/stack-cli';

describe('the example plug-in\'s image driver with the zun CLI', () => {
  let stack: ImageStack;
  let pluginDir = '';
  // Tagged on the engine only: the stack registry has no such repository.
  const localOnly = `${uniqueName('zt-local')}:v1`;
  const containers: string[] = [];

  before(async () => {
    pluginDir = await examplePluginDir();
    stack = await ImageStack.start({ plugin_paths: pluginDir, image_driver_list: 'docker, local' });
    ok(await docker('pull', `${stack.registry}/busybox:latest`), 'docker pull busybox');
    ok(await docker('tag', `${stack.registry}/busybox:latest`, localOnly), 'docker tag');
  });

  after(async () => {
    for (const u of containers) await stack?.zun('admin', 'delete', '--force', u);
    if (stack) {
      await waitFor(async () => {
        for (const u of containers) if ((await stack.zun('admin', 'show', u)).code === 0) return false;
        return true;
      }, { what: 'the test containers deleted', timeoutMs: 60_000 }).catch(() => undefined);
    }
    await docker('rmi', '-f', localOnly);
    await stack?.stop();
  });

  /** The container `uuid` once its status is one of `statuses`. */
  async function settled(uuid: string, statuses: string[]): Promise<Record<string, string>> {
    return waitFor(async () => {
      const s = parseShow(ok(await stack.zun('demo', 'show', uuid), 'zun show'));
      return statuses.includes(s['status'] ?? '') ? s : null;
    }, { what: `container ${uuid} to be ${statuses.join(' or ')}`, timeoutMs: 120_000 });
  }

  test('zun run --image-driver local: runs from the image on the host, image_driver local', async () => {
    const name = uniqueName('local-run');
    const uuid = createdUuid(ok(await stack.zun('demo', 'run', '--image-driver', 'local', '--name', name, localOnly, 'echo', 'from-local'), 'zun run'));
    containers.push(uuid);
    const shown = await settled(uuid, ['Stopped', 'Error']);
    assert.equal(shown['status'], 'Stopped', shown['status_reason']);
    assert.deepEqual([shown['image'], shown['image_driver']], [localOnly, 'local']);
    assert.equal(ok(await stack.zun('demo', 'logs', name), 'zun logs').trim(), 'from-local');
  });

  test('the same image through the docker driver: the registry does not have it, Error', async () => {
    const r = await stack.zun('demo', 'run', '--image-driver', 'docker', '--name', uniqueName('local-docker'), localOnly, 'true');
    // The API validates docker images against the registry (400), or the host fails the pull.
    if (r.code !== 0) {
      assert.match(r.stderr, /not found|could not be found/i);
      return;
    }
    const uuid = createdUuid(r.stdout);
    containers.push(uuid);
    assert.equal((await settled(uuid, ['Error', 'Stopped']))['status'], 'Error');
  });

  test('an image the engine lacks: Error with the plug-in driver\'s message (the API did not validate it)', async () => {
    const missing = `${uniqueName('zt-absent')}:v1`;
    const uuid = createdUuid(ok(await stack.zun('demo', 'run', '--image-driver', 'local', '--name', uniqueName('local-miss'), missing, 'true'), 'zun run'));
    containers.push(uuid);
    const shown = await settled(uuid, ['Error', 'Stopped']);
    assert.equal(shown['status'], 'Error');
    assert.match(shown['status_reason'] ?? '', new RegExp(`Image ${missing} is not on host .*never pulls`));
  });

  test('image search through the plug-in\'s driver: 400, it has no search in the API; an unknown driver: Zun\'s schema message listing it', async () => {
    // The 4.5.0 client offers only glance and docker for --image_driver: the API directly, with a Keystone token.
    const admin = await ZunPoller.login('admin', `${stack.apiUrl()}/v1`);
    const search = await admin.api('GET', '/images/busybox/search?image_driver=local');
    assert.equal(search.status, 400, JSON.stringify(search.body));
    assert.match(JSON.stringify(search.body), /Image driver local does not support image search/);
    const unknown = await admin.api('GET', '/images/busybox/search?image_driver=quay');
    assert.equal(unknown.status, 400, JSON.stringify(unknown.body));
    assert.match(JSON.stringify(unknown.body), /'quay' is not one of \['glance', 'docker', 'local', None, 'None'\]/);
    assert.equal((await admin.api('GET', '/images/busybox/search?image_driver=docker')).status, 200);
    const run = await stack.zun('demo', 'run', '--image-driver', 'quay', '--name', uniqueName('quay'), localOnly, 'true');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /'quay' is not one of \['glance', 'docker', 'local', None, 'None'\]/);
  });

  test('an image driver nothing provides: zun-compute and zun-api refuse to start and list what is available', async () => {
    const conf = { ...stack.conf, DEFAULT: { ...stack.conf['DEFAULT'], host: uniqueName('cnbad'), plugin_paths: pluginDir, image_driver_list: 'docker, local, quay' } };
    const want = /\[DEFAULT\] image_driver_list: unknown image driver\(s\) quay; available: glance, docker, local/;
    for (const app of ['compute', 'api']) {
      const proc = await startService(app, writeZunConf(conf), { dir: stack.dir.path, name: uniqueName(`${app}-bad`), ready: 'started', noBuild: true });
      const exit = await proc.exitWithin(60_000);
      assert.notEqual(exit.code, 0, `${app} exited ${String(exit.code)}`);
      await waitFor(async () => want.test(proc.log()), { timeoutMs: 5_000, what: `the error in the ${app} log`, context: () => proc.log() });
    }
  });
});
