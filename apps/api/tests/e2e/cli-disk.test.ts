// End to end: `zun run --disk N`. A host whose Docker storage enforces container sizes (the stack's own
// dockerd, on its xfs/btrfs data root) caps the writable layer; where no host can, the request is not placed
// ("There are not enough hosts available.", as Zun) and nothing reaches the engine.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseShow, parseTable } from '@zun-ts/testing';
import { Cleanup, computeHost, createdUuid, docker, dockerInspect, LONG_RUNNING, mustInspect, ok, testName, zun, ZunPoller } from './fixtures/stack-cli';

const ENOSPC = /No space left on device|Disk quota exceeded/;

/** `disk_quota_supported` of a compute host as `zun host-show` prints it. */
async function quotaSupported(host: string): Promise<boolean> {
  const shown = parseShow(ok(await zun('admin', 'host-show', host), 'zun host-show'));
  assert.match(shown['disk_quota_supported'] ?? '', /^(True|False)$/, JSON.stringify(shown));
  return shown['disk_quota_supported'] === 'True';
}

void describe('zun run --disk', () => {
  const cleanup = new Cleanup();
  let poller: ZunPoller;
  let here = false;
  let anywhere = false;

  before(async () => {
    poller = await ZunPoller.login();
    here = await quotaSupported(computeHost());
    const hosts = parseTable(ok(await zun('admin', 'host-list'), 'zun host-list')).map((r) => r['hostname'] ?? '');
    anywhere = (await Promise.all(hosts.map(quotaSupported))).some(Boolean);
  });
  after(() => cleanup.run(poller));

  test('a host that enforces it: --disk 1 lets 100 MiB through and stops a 2 GiB write', async (t) => {
    if (!here) {
      t.diagnostic(`${computeHost()} reports disk_quota_supported False (its engine's data root cannot cap sizes)`);
      return;
    }
    const name = testName('disk');
    const uuid = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--name', name, '--disk', '1', 'busybox', ...LONG_RUNNING), 'zun run --disk 1')));
    const c = await poller.settled(uuid, 'Running', 60_000);
    assert.equal(parseShow(ok(await zun('demo', 'show', name), 'zun show'))['disk'], '1');
    assert.equal(c.status, 'Running');
    assert.deepEqual((await mustInspect(uuid)).HostConfig.StorageOpt, { size: '1G' });
    const small = await docker('exec', `zun-${uuid}`, 'dd', 'if=/dev/zero', 'of=/small', 'bs=1M', 'count=100');
    assert.equal(small.code, 0, small.stderr);
    const big = await docker('exec', `zun-${uuid}`, 'dd', 'if=/dev/zero', 'of=/big', 'bs=1M', 'count=2048');
    assert.notEqual(big.code, 0, 'a 2 GiB write into a 1 GiB container must fail');
    assert.match(big.stderr + big.stdout, ENOSPC);
  });

  test('no host enforces it: the request is not placed, with Zun\'s reason, and nothing reaches the engine', async (t) => {
    if (anywhere) {
      t.diagnostic('a compute host reports disk_quota_supported True; placement is covered by the test above');
      return;
    }
    const name = testName('disk-none');
    const uuid = cleanup.container(createdUuid(ok(await zun('demo', 'run', '--name', name, '--disk', '1', 'busybox', ...LONG_RUNNING), 'zun run --disk 1')));
    const c = await poller.settled(uuid, 'Error', 60_000);
    assert.equal(c.status_reason, 'There are not enough hosts available.');
    assert.equal(await dockerInspect(uuid), null, 'no engine container');
  });
});
