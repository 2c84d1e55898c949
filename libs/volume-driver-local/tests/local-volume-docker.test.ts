import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { requireEnv } from '@zun-ts/testing';
import { VolumeInUse } from '../src';
import { type LoopHost, loopHost, loopsUnder, mountsUnder, waitUntil } from './fixtures/loop-host';

// Volumes as a container sees them, on the real engine of DOCKER_HOST (the engine must share this mount
// namespace, as a compute host's engine does).
const LABEL = 'zun-ts.test';
const runId = `volume-${process.pid}`;
const V1 = '5e000000-0000-4000-8000-0000000000d1';
const F1 = '5e000000-0000-4000-8000-0000000000f1';

let docker: Docker;
let image: string;

/** Runs `body` on a fresh temporary mount prefix that is always cleaned up. */
async function onHost(body: (h: LoopHost) => Promise<void>): Promise<void> {
  const h = await loopHost({ releaseWaitMs: 1000 });
  try {
    await body(h);
  } finally {
    await h.cleanup();
  }
}

/** Runs `script` in a busybox container (tty, so logs are plain text) and returns its exit code and output. */
async function runIn(script: string, hostConfig: Docker.HostConfig): Promise<{ code: number; out: string }> {
  const c = await docker.createContainer({ Image: image, Cmd: ['sh', '-c', script], Tty: true, Labels: { [LABEL]: runId }, HostConfig: hostConfig });
  try {
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    const out = (await c.logs({ stdout: true, stderr: true })).toString('utf8');
    return { code: StatusCode, out };
  } finally {
    await c.remove({ force: true });
  }
}

before(async () => {
  const host = requireEnv('DOCKER_HOST', 'unix:///var/run/docker.sock');
  const registry = requireEnv('ZUN_TEST_REGISTRY', '127.0.0.1:5050');
  const socketPath = /^unix:\/\/(\/.+)$/.exec(host)?.[1];
  if (!socketPath) throw new Error(`DOCKER_HOST=${host} is not a unix:// socket`);
  docker = new Docker({ socketPath });
  image = `${registry}/busybox:latest`;
  const have = await docker.listImages({ filters: { reference: [image] } });
  if (!have.length) {
    const stream = await docker.pull(image);
    await new Promise((res, rej) => docker.modem.followProgress(stream, (err) => (err ? rej(err) : res(undefined))));
  }
});

after(async () => {
  const left = docker ? await docker.listContainers({ all: true, filters: { label: [`${LABEL}=${runId}`] } }) : [];
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
});

void describe('local volumes bind-mounted into real containers', () => {
  void test('the container sees the data, ~1 GiB, ENOSPC past it; an injected file is read-only', () =>
    onHost(async ({ driver, ctx }) => {
      await driver.create(ctx, { volume_id: V1, size: 1 });
      const att = await driver.attach(ctx, V1);
      writeFileSync(join(att.host_path, 'hello'), 'from the host\n');
      const file = await driver.writeInjectedFile(ctx, { id: F1, contents: Buffer.from('answer=42\n') });

      const { code, out } = await runIn(
        [
          'cat /data/hello',
          "df -k /data | tail -n 1 | awk '{print \"size_kb=\" $2}'",
          'echo from-container > /data/out',
          'dd if=/dev/zero of=/data/big bs=4M count=512 2>&1 | grep -o "No space left on device" | head -n 1',
          'rm /data/big',
          'cat /etc/app.conf',
          'echo x > /etc/app.conf 2>/dev/null && echo injected-writable || echo injected-read-only',
        ].join('; '),
        {
          Mounts: [
            { Type: 'bind', Source: att.host_path, Target: '/data' },
            { Type: 'bind', Source: file.host_path, Target: '/etc/app.conf', ReadOnly: true },
          ],
        },
      );
      assert.equal(code, 0, out);
      assert.match(out, /from the host/);
      const sizeKb = Number(/size_kb=(\d+)/.exec(out)?.[1]);
      assert.ok(sizeKb > 0.9 * 1024 * 1024 && sizeKb <= 1024 * 1024, `df inside the container: ${sizeKb} KiB`);
      assert.match(out, /No space left on device/);
      assert.match(out, /answer=42/);
      assert.match(out, /injected-read-only/);
      assert.equal(readFileSync(join(att.host_path, 'out'), 'utf8'), 'from-container\n');
      await driver.detach(ctx, V1);
    }));

  void test('a volume still bound into a running container can be unmounted on the host but not deleted', () =>
    onHost(async ({ driver, ctx, prefix }) => {
      await driver.create(ctx, { volume_id: V1, size: 1 });
      const att = await driver.attach(ctx, V1);
      const c = await docker.createContainer({
        Image: image,
        Cmd: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.2; done"],
        Labels: { [LABEL]: runId },
        HostConfig: { Mounts: [{ Type: 'bind', Source: att.host_path, Target: '/data' }] },
      });
      try {
        await c.start();
        await driver.detach(ctx, V1);
        assert.deepEqual(mountsUnder(prefix), [], 'the host mount is gone');
        assert.equal(loopsUnder(prefix).length, 1, 'the container still holds the filesystem');
        await assert.rejects(driver.delete(ctx, V1), (err: Error) => err instanceof VolumeInUse && /held by a container/.test(err.message));
        assert.ok(existsSync(join(prefix, 'volumes', `${V1}.img`)), 'a refused delete keeps the data');
      } finally {
        await c.remove({ force: true });
      }
      await waitUntil(() => loopsUnder(prefix).length === 0, 10_000, 'the loop device to be released');
      await driver.delete(ctx, V1);
    }));

  void test('an unmounted volume cannot be replaced by an empty directory on the host disk, even with Binds', () =>
    onHost(async ({ driver, ctx, prefix }) => {
      const V2 = '5e000000-0000-4000-8000-0000000000d2';
      await driver.create(ctx, { volume_id: V2, size: 1 });
      const att = await driver.attach(ctx, V2);
      await driver.detach(ctx, V2);
      // Docker creates a missing bind source for HostConfig.Binds; the immutable mount point refuses it.
      await assert.rejects(runIn('echo oops > /data/x', { Binds: [`${att.host_path}:/data`] }), /operation not permitted|permission denied/i);
      assert.equal(existsSync(att.host_path), false);
      assert.deepEqual(mountsUnder(prefix), []);
      await driver.delete(ctx, V2);
    }));
});
