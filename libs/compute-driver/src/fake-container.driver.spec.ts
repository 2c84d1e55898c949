import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adminContext, Conflict, ContainerNotFound } from '@zun-ts/common';
import { type DriverEvent } from './container-driver';
import { ImageNotFound, UnexpectedDriverCall } from './driver.errors';
import { FakeContainerDriver } from './fake-container.driver';

const ctx = adminContext();
const uuid = '11111111-2222-4333-8444-555555555555';

describe('FakeContainerDriver (strict)', () => {
  test('an unexpected call rejects and is remembered for verify()', async () => {
    const fake = new FakeContainerDriver();
    await assert.rejects(fake.start(ctx, uuid), UnexpectedDriverCall);
    assert.throws(() => fake.verify(), /unexpected call start\("11111111/);
  });

  test('an unexpected events() throws synchronously', () => {
    assert.throws(() => new FakeContainerDriver().events(() => undefined), UnexpectedDriverCall);
  });

  test('expectations are used once, in order, then calls are unexpected again', async () => {
    const fake = new FakeContainerDriver()
      .expect('logs', async () => 'first')
      .expect('logs', async () => 'second');
    assert.equal(await fake.logs(ctx, uuid), 'first');
    assert.equal(await fake.logs(ctx, uuid), 'second');
    await assert.rejects(fake.logs(ctx, uuid), UnexpectedDriverCall);
    assert.equal(fake.callsOf('logs').length, 3);
  });

  test('verify() reports expected calls that never came', () => {
    const fake = new FakeContainerDriver().expect('stop');
    assert.throws(() => fake.verify(), /expected calls not made: stop ×1/);
  });

  test('a stub answers every call and sees the arguments', async () => {
    const fake = new FakeContainerDriver().stub('stop', async () => undefined);
    await fake.stop(ctx, uuid, 3);
    await fake.stop(ctx, uuid, null);
    assert.deepEqual(fake.callsOf('stop').map((a) => a[2]), [3, null]);
    fake.verify();
  });

  test('a throwing stub becomes a rejection', async () => {
    const fake = new FakeContainerDriver().stub('pause', () => {
      throw new Conflict('is not running');
    });
    await assert.rejects(fake.pause(ctx, uuid), Conflict);
  });
});

describe('FakeContainerDriver.simulated', () => {
  test('walks the Docker lifecycle and emits events', async () => {
    const fake = FakeContainerDriver.simulated();
    const events: DriverEvent[] = [];
    const sub = fake.events((e) => events.push(e));
    const created = await fake.create(ctx, { uuid, image: 'busybox:latest', hostname: 'h1', cpu: 1, memoryMiB: 64 });
    assert.equal(created.status, 'Created');
    assert.equal(created.hostname, 'h1');
    assert.equal((await fake.create(ctx, { uuid, image: 'busybox:latest' })).container_id, created.container_id, 'create is idempotent');

    await fake.start(ctx, uuid);
    assert.equal((await fake.inspect(ctx, uuid)).status, 'Running');
    await fake.pause(ctx, uuid);
    await assert.rejects(fake.pause(ctx, uuid), Conflict);
    await assert.rejects(fake.delete(ctx, uuid), Conflict);
    await fake.unpause(ctx, uuid);
    await fake.kill(ctx, uuid, 'SIGKILL');
    const killed = await fake.inspect(ctx, uuid);
    assert.deepEqual([killed.status, killed.exit_code], ['Stopped', 137]);
    await assert.rejects(fake.kill(ctx, uuid), Conflict);
    await fake.reboot(ctx, uuid);
    assert.equal((await fake.list(ctx))[0]?.state, 'running');
    await fake.delete(ctx, uuid, { force: true });
    await fake.delete(ctx, uuid);
    await assert.rejects(fake.inspect(ctx, uuid), ContainerNotFound);
    await sub.close();
    assert.deepEqual(
      events.map((e) => e.type),
      ['start', 'pause', 'unpause', 'die', 'start', 'die', 'destroy'],
    );
    fake.verify();
  });

  test('inspect applies the stored status to a never-started container', async () => {
    const fake = FakeContainerDriver.simulated();
    await fake.create(ctx, { uuid, image: 'x' });
    assert.equal((await fake.inspect(ctx, uuid, { currentStatus: 'Creating' })).status, 'Created');
    assert.equal((await fake.inspect(ctx, uuid, { currentStatus: 'Error' })).status, 'Error');
  });

  test('pullImage follows the pull policy and default registry', async () => {
    const fake = FakeContainerDriver.simulated({ defaultRegistry: '127.0.0.1:5050', missingImages: ['127.0.0.1:5050/nope:latest'] });
    await assert.rejects(fake.pullImage(ctx, { image: 'busybox', image_pull_policy: 'never' }), ImageNotFound);
    const first = await fake.pullImage(ctx, { image: 'busybox:1.0', image_pull_policy: 'IfNotPresent' });
    assert.deepEqual([first.ref, first.pulled], ['127.0.0.1:5050/busybox:1.0', true]);
    assert.equal((await fake.pullImage(ctx, { image: 'busybox:1.0' })).pulled, false);
    assert.equal((await fake.pullImage(ctx, { image: 'busybox:1.0', image_pull_policy: 'always' })).pulled, true);
    await assert.rejects(fake.pullImage(ctx, { image: 'nope' }), ImageNotFound);
  });

  test('methods outside the simulation stay strict', async () => {
    const fake = FakeContainerDriver.simulated();
    await assert.rejects(fake.commit(ctx, uuid, { repository: 'x' }), UnexpectedDriverCall);
  });
});
