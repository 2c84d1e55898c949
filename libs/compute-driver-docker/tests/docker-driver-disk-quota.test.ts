import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InvalidValue } from '@zun-ts/common';
import { DockerContainerDriver } from '../src';
import { type ContainerCreateSpec } from '../src/driver-contract';
import { diskQuotaCandidate, type DockerInfo } from '../src/docker-host-info.mapping';
import { dockerTestEnv, type DockerTestEnv, TEST_LABEL } from './fixtures/docker-env';
import { copyImage, type ScratchEngine, startScratchEngine } from './fixtures/scratch-engine';

// `zun run --disk N` on real engines: one whose data root caps container sizes (a loop-mounted xfs with
// pquota, or btrfs), one on a plain directory, and the stack's own engine.

const LOOP = ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.1; done"];
const ENOSPC = /No space left on device|Disk quota exceeded/;

let env: DockerTestEnv;
let quota: ScratchEngine;
let plain: ScratchEngine;
let quotaDriver: DockerContainerDriver;
let plainDriver: DockerContainerDriver;

function spec(over: Partial<ContainerCreateSpec> = {}): ContainerCreateSpec {
  return { uuid: env.newUuid(), image: env.busybox, command: LOOP, network_mode: 'none', labels: { [TEST_LABEL]: env.runId }, ...over };
}

before(async () => {
  env = await dockerTestEnv();
  [quota, plain] = await Promise.all([startScratchEngine(true), startScratchEngine(false)]);
  await copyImage(env.docker, quota.docker, env.busybox);
  quotaDriver = new DockerContainerDriver({ host: quota.host, timeoutSec: 60, execTimeoutMs: 60_000 });
  plainDriver = new DockerContainerDriver({ host: plain.host, timeoutSec: 60 });
});

after(async () => {
  await Promise.all([quotaDriver?.close(), plainDriver?.close()]);
  // each engine is stopped even when the other one's stop fails
  const stops = await Promise.allSettled([quota?.stop(), plain?.stop()]);
  await env?.cleanup();
  for (const s of stops) if (s.status === 'rejected') throw s.reason;
});

describe('disk limits (--disk) on real engines', () => {
  test('an engine on a quota-capable data root: disk_quota_supported, and --disk 1 caps the writable layer', async () => {
    const info = await quotaDriver.hostInfo(env.ctx);
    assert.equal(info.disk_quota_supported, true, `data root on ${quota.fs}`);
    const s = spec({ disk: 1 });
    await quotaDriver.create(env.ctx, s);
    const raw = await quota.docker.getContainer(`zun-${s.uuid}`).inspect();
    assert.deepEqual(raw.HostConfig.StorageOpt, { size: '1G' });
    await quotaDriver.start(env.ctx, s.uuid);
    const small = await quotaDriver.execute(env.ctx, s.uuid, { command: ['dd', 'if=/dev/zero', 'of=/small', 'bs=1M', 'count=100'], timeoutMs: 60_000 });
    assert.equal(small.exit_code, 0, small.output ?? '');
    const big = await quotaDriver.execute(env.ctx, s.uuid, { command: ['dd', 'if=/dev/zero', 'of=/big', 'bs=1M', 'count=2048'], timeoutMs: 60_000 });
    assert.notEqual(big.exit_code, 0, 'writing 2 GiB into a 1 GiB container must fail');
    assert.match(big.output ?? '', ENOSPC);
    await quotaDriver.delete(env.ctx, s.uuid, { force: true });
  });

  test('an engine on a plain directory: disk_quota_supported false, and a disk request is refused, never run unlimited', async () => {
    const info = await plainDriver.hostInfo(env.ctx);
    assert.equal(info.disk_quota_supported, false);
    const s = spec({ disk: 1 });
    await assert.rejects(plainDriver.create(env.ctx, s), (e: unknown) =>
      e instanceof InvalidValue && e.message === 'Your host does not support disk quota feature.');
    assert.equal((await plain.docker.listContainers({ all: true })).length, 0, 'no container made, not even the probe');
  });

  test("the stack's engine reports what its storage can do", async () => {
    const raw = (await env.docker.info()) as DockerInfo;
    const backing = (raw.DriverStatus ?? []).find((p) => p[0] === 'Backing Filesystem')?.[1] ?? '';
    const supported = (await env.driver.hostInfo(env.ctx)).disk_quota_supported;
    // Never claimed where the storage driver cannot do it; where it might, the probe decided.
    if (!diskQuotaCandidate(raw.Driver ?? '', backing)) assert.equal(supported, false, `${raw.Driver} on ${backing}`);
    const s = spec({ disk: 1 });
    if (supported) {
      await env.driver.create(env.ctx, s);
      assert.deepEqual((await env.docker.getContainer(`zun-${s.uuid}`).inspect()).HostConfig.StorageOpt, { size: '1G' });
    } else {
      await assert.rejects(env.driver.create(env.ctx, s), /does not support disk quota/);
    }
  });
});
