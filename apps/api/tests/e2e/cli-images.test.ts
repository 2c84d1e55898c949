// `zun pull / image-list / image-show / image-delete / image-search` and image validation with the real client,
// against a Zun of this tree (ImageStack) on the stack's Keystone, Redis, Docker engine and registry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseShow, parseTable, uniqueName, waitFor } from '@zun-ts/testing';
import { ImageStack } from './fixtures/image-stack';
import { docker, ok } from './fixtures/stack-cli';

describe('images with the zun CLI', () => {
  let stack: ImageStack;
  let repo = '';
  let seeded = '';

  before(async () => {
    stack = await ImageStack.start();
    // A repository of its own in the stack registry: busybox under a unique name.
    repo = uniqueName('zt-img');
    seeded = `${stack.registry}/${repo}:latest`;
    ok(await docker('pull', `${stack.registry}/busybox:latest`), 'docker pull busybox');
    ok(await docker('tag', `${stack.registry}/busybox:latest`, seeded), 'docker tag');
    ok(await docker('push', seeded), 'docker push');
    ok(await docker('rmi', seeded), 'docker rmi of the seed tag');
  });

  after(async () => {
    await docker('rmi', '-f', seeded);
    await stack?.stop();
  });

  test('admin pulls onto the host; the pull fills image_id and size; list, show and delete (row and engine image gone)', async () => {
    const pulled = parseShow(ok(await stack.zun('admin', 'pull', repo, stack.host), 'zun pull'));
    const uuid = pulled['uuid'] ?? '';
    assert.match(uuid, /^[0-9a-f-]{36}$/);
    assert.deepEqual([pulled['repo'], pulled['tag'], pulled['host']], [`${stack.registry}/${repo}`, 'latest', stack.host]);
    const shown = await waitFor(async () => {
      const s = parseShow(ok(await stack.zun('admin', 'image-show', uuid), 'zun image-show'));
      return s['image_id'] && s['image_id'] !== 'None' && s['image_id'] !== '-' ? s : null;
    }, { what: 'image_id filled by the pull', timeoutMs: 90_000 });
    assert.match(shown['image_id'] ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(shown['size'] ?? '', /^[0-9]+$/);
    ok(await docker('image', 'inspect', seeded), 'the engine has the pulled image');
    const rows = parseTable(ok(await stack.zun('admin', 'image-list'), 'zun image-list'));
    assert.ok(rows.some((r) => r['uuid'] === uuid && r['repo'] === `${stack.registry}/${repo}`), JSON.stringify(rows));
    ok(await stack.zun('admin', 'image-delete', uuid), 'zun image-delete');
    await waitFor(async () => (await stack.zun('admin', 'image-show', uuid)).code !== 0, { what: 'the image row gone', timeoutMs: 60_000 });
    assert.match((await stack.zun('admin', 'image-show', uuid)).stderr, /could not be found/);
    assert.notEqual((await docker('image', 'inspect', seeded)).code, 0, 'the engine image is gone');
  });

  test('a project member may not pull, list or show images (403)', async () => {
    for (const args of [['pull', repo, stack.host], ['image-list']]) {
      const r = await stack.zun('demo', ...args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, /Policy doesn't allow image:(pull|get_all) to be performed/, r.stderr);
    }
  });

  test('image-search finds the seeded repository of the default registry by prefix and with --exact-match', async () => {
    const prefix = repo.slice(0, repo.length - 3);
    const byPrefix = parseTable(ok(await stack.zun('demo', 'image-search', prefix), 'zun image-search'));
    const hit = byPrefix.find((r) => r['Name'] === `${stack.registry}/${repo}`);
    assert.ok(hit, JSON.stringify(byPrefix));
    assert.match(hit['Tags'] ?? '', /latest/);
    const exact = parseTable(ok(await stack.zun('demo', 'image-search', '--exact-match', repo), 'zun image-search --exact-match'));
    assert.deepEqual(exact.map((r) => r['Name']), [`${stack.registry}/${repo}`]);
    const none = parseTable(ok(await stack.zun('demo', 'image-search', '--exact-match', prefix), 'zun image-search --exact-match prefix'));
    assert.deepEqual(none, []);
  });

  test('a misspelt image is refused at once by zun run; with validation off the container ends in Error with the reason', async () => {
    const misspelt = `${repo}x`;
    const refused = await stack.zun('admin', 'run', '--name', uniqueName('bad'), misspelt);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, new RegExp(`Image ${misspelt} could not be found`), refused.stderr);
    const port = await stack.extraApi({ enable_image_validation: false });
    const name = uniqueName('late');
    ok(await stack.zunAt(port, 'admin', 'run', '--name', name, misspelt), 'zun run with validation off');
    const shown = await waitFor(async () => {
      const s = parseShow(ok(await stack.zunAt(port, 'admin', 'show', name), 'zun show'));
      return s['status'] === 'Error' ? s : null;
    }, { what: `${name} in Error`, timeoutMs: 90_000 });
    assert.match(shown['status_reason'] ?? '', /not found|manifest unknown|does not exist/i, shown['status_reason']);
    ok(await stack.zunAt(port, 'admin', 'delete', name), 'zun delete');
  });
});
