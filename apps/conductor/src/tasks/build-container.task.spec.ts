import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessagingTimeout, NoValidHost, RemoteError } from '@zun-ts/common';
import { defaultConf } from '@zun-ts/config';
import { type ContainerMount } from '@zun-ts/db';
import { type Volume, type VolumeMapping } from '@zun-ts/objects';
import { type BuildContainerRequest, firstAttemptJson, parseStoredBuild } from '@zun-ts/rpc';
import { build, ctx, record, setup, UUID } from '../../tests/fixtures/build-task-fixture';
import { BUILD_EVENT, buildEventName, NO_HOST_REASON } from './build-container.task';
import { claimLimits } from './claim-terms';

describe('BuildContainerTask.build', () => {
  test('schedules, claims the first host, saves it and casts the create with the retry state', async () => {
    const { db, asked, casts, task } = setup({ h1: 1000, h2: 1000 });
    await task.build(ctx, build);
    assert.equal(asked.length, 1);
    assert.deepEqual([asked[0]?.memory, asked[0]?.cpu, asked[0]?.availability_zone, asked[0]?.hints], [64, 0.5, 'az1', { 'label:x': 'y' }]);
    assert.equal(db.container?.host, 'h1');
    assert.equal(db.used.get('h1'), 64);
    assert.deepEqual(casts.map((c) => [c.host, c.req.run, c.req.retry.attempt, c.req.retry.hosts]), [['h1', true, 1, ['h1']]]);
    assert.equal(casts[0]?.req.container.host, 'h1');
    assert.deepEqual(db.events, [{ event: BUILD_EVENT, host: 'h1', result: 'Success', traceback: null }]);
  });

  test('a refused claim (lost race, host full) moves on to the next host', async () => {
    const { db, casts, task } = setup({ h1: 10, h2: 1000 });
    await task.build(ctx, build);
    assert.deepEqual(db.claimCalls, ['h1', 'h2']);
    assert.deepEqual(casts.map((c) => c.host), ['h2']);
    assert.equal(db.used.get('h1') ?? 0, 0);
  });

  test('no host from the scheduler, or every claim refused → Error with Zun\'s reason', async () => {
    for (const s of [setup({ h1: 1000 }, new NoValidHost()), setup({ h1: 10, h2: 10 })]) {
      await s.task.build(ctx, build);
      assert.equal(s.db.container?.status, 'Error');
      assert.equal(s.db.container?.status_reason, NO_HOST_REASON);
      assert.equal(s.db.container?.host, null);
      assert.equal(s.casts.length, 0);
      assert.deepEqual(s.db.events.map((e) => [e.event, e.result, e.traceback]), [[BUILD_EVENT, 'Error', NO_HOST_REASON]]);
    }
  });

  test('every host the scheduler returned was full by the claim: it is asked again without them, and the build goes on', async () => {
    const { db, asked, casts, task } = setup({ h1: 10, h2: 10, h3: 10, h4: 1000 }, ['h1', 'h2', 'h3', 'h4'], 3, 2);
    await task.build(ctx, build);
    assert.deepEqual(asked.map((a) => a.ignore_hosts), [[], ['h1', 'h2']], 'asked again without the two full hosts');
    assert.deepEqual([db.claimCalls, db.container?.host], [['h1', 'h2', 'h3', 'h4'], 'h4']);
    // The refused hosts are not attempts: the build is still attempt 1, on h4 alone, with every reschedule left.
    assert.deepEqual(casts.map((c) => [c.host, c.req.retry.attempt, c.req.retry.hosts]), [['h4', 1, ['h4']]]);
    assert.deepEqual(parseStoredBuild(db.claim?.build)?.retry.hosts, ['h4']);
    assert.deepEqual(db.events, [{ event: BUILD_EVENT, host: 'h4', result: 'Success', traceback: null }]);
  });

  test('asked again until no host is left: then Error with Zun\'s reason', async () => {
    const { db, asked, casts, task } = setup({ h1: 10, h2: 10, h3: 10 }, ['h1', 'h2', 'h3'], 3, 2);
    await task.build(ctx, build); // the third answer is empty: every host is in ignore_hosts
    assert.deepEqual(asked.map((a) => a.ignore_hosts), [[], ['h1', 'h2'], ['h1', 'h2', 'h3']]);
    assert.deepEqual([db.container?.status, db.container?.status_reason, casts.length], ['Error', NO_HOST_REASON, 0]);
  });

  test('a scheduler that cannot be reached makes the message retry; an unexpected scheduler error fails the container', async () => {
    const down = setup({ h1: 1000 }, new MessagingTimeout('no reply'));
    await assert.rejects(down.task.build(ctx, build), MessagingTimeout);
    assert.equal(down.db.container?.status, 'Creating');
    const broken = setup({ h1: 1000 }, new RemoteError('KeyError', 'boom', 500));
    await broken.task.build(ctx, build);
    assert.deepEqual([broken.db.container?.status, broken.db.container?.status_reason], ['Error', 'Scheduling failed: boom']);
  });

  test('a redelivered build of an already claimed container casts again without claiming', async () => {
    const { db, asked, casts, task } = setup({ h1: 1000, h2: 1000 });
    await task.build(ctx, build);
    await task.build(ctx, build);
    assert.equal(asked.length, 1, 'scheduled once');
    assert.deepEqual(db.claimCalls, ['h1']);
    assert.equal(db.used.get('h1'), 64, 'charged once');
    assert.deepEqual(casts.map((c) => c.host), ['h1', 'h1']);
  });

  test('a container that is no longer Creating (or gone) is left alone', async () => {
    const s = setup({ h1: 1000 });
    s.db.container = record({ status: 'Running', host: 'h1' });
    await s.task.build(ctx, build);
    s.db.container = null;
    await s.task.build(ctx, build);
    assert.equal(s.asked.length + s.casts.length + s.db.claimCalls.length, 0);
  });

  test('a container deleted between claim and save gets its claim back and no create', async () => {
    const { db, casts, task } = setup({ h1: 1000 });
    db.beforeUpdate = () => {
      if (db.container) db.container.status = 'Deleting';
    };
    await task.build(ctx, build);
    assert.equal(casts.length, 0);
    assert.equal(db.releases, 1);
    assert.equal(db.used.get('h1'), 0);
  });
});

/** A mount of volume `n`, whose backing store is on `host` (null: not made yet); `file`: an injected file. */
function mount(n: number, host: string | null | 'file'): ContainerMount {
  const mapping = { id: n, uuid: `m${n}`, container_uuid: UUID, volume_id: host === 'file' ? null : n } as VolumeMapping;
  return { mapping, volume: host === 'file' ? null : ({ id: n, uuid: `v${n}`, host, status: 'in-use' } as Volume) };
}

describe('BuildContainerTask.rerunLost', () => {
  test('a build whose message was lost runs again from the request stored with the container', async () => {
    const { db, casts, asked, task } = setup({ h1: 1000 });
    db.buildRequests.set(UUID, firstAttemptJson(ctx, build));
    assert.equal(await task.rerunLost(UUID), 'rerun');
    assert.deepEqual(asked.map((a) => [a.availability_zone, a.hints]), [['az1', { 'label:x': 'y' }]], 'with the stored hints and zone');
    assert.equal(db.container?.host, 'h1');
    assert.deepEqual(casts.map((c) => [c.host, c.req.run]), [['h1', true]]);
  });

  test('skipped when the container holds a claim already, or has no stored request', async () => {
    const none = setup({ h1: 1000 });
    assert.equal(await none.task.rerunLost(UUID), 'skipped');
    assert.equal(none.asked.length, 0);
    const claimed = setup({ h1: 1000 });
    claimed.db.buildRequests.set(UUID, firstAttemptJson(ctx, build));
    await claimed.task.build(ctx, build);
    assert.equal(await claimed.task.rerunLost(UUID), 'skipped');
    assert.equal(claimed.asked.length, 1, 'no second scheduling');
  });
});

describe('BuildContainerTask.recastCreate', () => {
  const later = (ms: number): Date => new Date(Date.now() + ms);

  test('casts the same create again to the host the container is placed and claimed on, once per grace period', async () => {
    const { db, casts, task } = setup({ h1: 1000 });
    await task.build(ctx, build);
    assert.equal(casts.length, 1);
    assert.equal(await task.recastCreate(UUID, 'h1', { graceMs: 30_000, now: later(10_000) }), 'skipped', 'claimed within the period');
    assert.equal(await task.recastCreate(UUID, 'h1', { graceMs: 30_000, now: later(31_000) }), 'recast');
    assert.equal(await task.recastCreate(UUID, 'h1', { graceMs: 30_000, now: later(32_000) }), 'skipped', 'cast within the period');
    assert.equal(casts.length, 2);
    const [first, again] = casts;
    assert.deepEqual([again?.host, again?.req.container_uuid, again?.req.run], ['h1', UUID, true]);
    assert.deepEqual(again?.req.retry, first?.req.retry, 'the attempt the claim recorded');
    assert.equal(again?.req.container?.host, 'h1');
    assert.equal(db.claimCalls.length, 1, 'nothing claimed again');
  });

  test('skipped when the container is no longer Creating, left the host, or its claim is released or holds no build state', async () => {
    const gone = setup({ h1: 1000 });
    await gone.task.build(ctx, build);
    if (gone.db.container) gone.db.container.status = 'Running';
    assert.equal(await gone.task.recastCreate(UUID, 'h1', { graceMs: 0, now: later(1) }), 'skipped');
    assert.equal(await gone.task.recastCreate(UUID, 'h2', { graceMs: 0, now: later(1) }), 'skipped');
    const released = setup({ h1: 1000 });
    await released.task.build(ctx, build);
    await released.db.nodes.releaseForContainer();
    assert.equal(await released.task.recastCreate(UUID, 'h1', { graceMs: 0, now: later(1) }), 'skipped');
    const byHand = setup({ h1: 1000 });
    if (byHand.db.container) byHand.db.container.host = 'h1';
    await byHand.db.nodes.claimForContainer(UUID, 'h1', { cpu: 0, memory: 1, disk: 0 }, {});
    assert.equal(await byHand.task.recastCreate(UUID, 'h1', { graceMs: 0, now: later(1) }), 'skipped', 'no build state to cast');
    for (const s of [gone, released, byHand]) assert.ok(s.casts.length <= 1, 'no second cast');
  });
});

describe('BuildContainerTask with volumes', () => {
  test('asks only for the hosts holding its volumes: each made volume\'s host once, none for files or unmade volumes', async () => {
    const { db, asked, casts, task } = setup({ h1: 1000, h2: 1000 });
    db.mounts = [mount(1, 'h2'), mount(2, null), mount(3, 'file'), mount(4, 'h2')];
    await task.build(ctx, build);
    assert.deepEqual(asked[0]?.volume_hosts, ['h2']);
    assert.deepEqual(casts.map((c) => c.host), ['h2']);
  });

  test('no volumes: volume_hosts is empty and the reason stays Zun\'s', async () => {
    const { db, asked, task } = setup({ h1: 1000 }, new NoValidHost());
    await task.build(ctx, build);
    assert.deepEqual(asked[0]?.volume_hosts, []);
    assert.equal(db.container?.status_reason, NO_HOST_REASON);
  });

  test('no host: the reason names the host holding the volumes, or the different hosts they are on', async () => {
    const one = setup({ h1: 1000 }, new NoValidHost());
    one.db.mounts = [mount(1, 'h1')];
    await one.task.build(ctx, build);
    assert.deepEqual([one.db.container?.status, one.db.container?.status_reason],
      ['Error', `${NO_HOST_REASON} The container's volumes are on host h1, which cannot take it.`]);
    assert.equal(one.db.events[0]?.traceback, one.db.container?.status_reason);

    const two = setup({ h1: 1000, h2: 1000 }, new NoValidHost());
    two.db.mounts = [mount(1, 'h2'), mount(2, 'h1')];
    await two.task.build(ctx, build);
    assert.deepEqual(two.asked[0]?.volume_hosts, ['h2', 'h1']);
    assert.equal(two.db.container?.status_reason,
      `${NO_HOST_REASON} The container's volumes are on different hosts (h2, h1); no host can mount them all.`);
  });

  test('a reschedule reads the mounts again: a volume bound meanwhile ties the next attempt to its host', async () => {
    const { db, asked, task, casts } = setup({ h1: 1000, h2: 1000 });
    db.mounts = [mount(1, null)];
    await task.build(ctx, build);
    const retry = casts[0]?.req.retry;
    assert.ok(retry);
    db.mounts = [mount(1, 'h1')];
    await task.reschedule(ctx, { container_uuid: UUID, host: 'h1', reason: 'engine down', retryable: true, retry });
    assert.deepEqual(asked.map((a) => a.volume_hosts), [[], ['h1']]);
    assert.equal(db.container?.status_reason, `${NO_HOST_REASON} The container's volumes are on host h1, which cannot take it.`);
  });
});

describe('BuildContainerTask.reschedule', () => {
  async function built(capacity: Record<string, number>, maxAttempts = 3) {
    const s = setup(capacity, Object.keys(capacity), maxAttempts);
    await s.task.build(ctx, build);
    const first = s.casts[0];
    assert.ok(first);
    return { ...s, retry: first.req.retry };
  }

  test('a retryable failure releases the claim and builds on another host as attempt 2', async () => {
    const { db, asked, casts, task, retry } = await built({ h1: 1000, h2: 1000 });
    await task.reschedule(ctx, { container_uuid: UUID, host: 'h1', reason: 'engine down', retryable: true, retry });
    assert.equal(db.used.get('h1'), 0, 'h1 released');
    assert.equal(db.used.get('h2'), 64);
    assert.deepEqual(asked[1]?.ignore_hosts, ['h1']);
    assert.deepEqual(casts.map((c) => [c.host, c.req.retry.attempt, c.req.retry.hosts]), [['h1', 1, ['h1']], ['h2', 2, ['h1', 'h2']]]);
    assert.equal(db.container?.host, 'h2');
    assert.deepEqual(db.events.map((e) => [e.event, e.host, e.result]), [[BUILD_EVENT, 'h1', 'Error'], [buildEventName(2), 'h2', 'Success']]);
    assert.equal(db.events[0]?.traceback, 'h1: engine down');

    // The same report delivered again is about a host the container has left: nothing happens.
    await task.reschedule(ctx, { container_uuid: UUID, host: 'h1', reason: 'engine down', retryable: true, retry });
    assert.equal(casts.length, 2);
    assert.equal(db.releases, 1);
  });

  test('no other host left → Error "There are not enough hosts available."', async () => {
    const { db, task, retry } = await built({ h1: 1000 });
    await task.reschedule(ctx, { container_uuid: UUID, host: 'h1', reason: 'engine down', retryable: true, retry });
    assert.equal(db.container?.status, 'Error');
    assert.equal(db.container?.status_reason, NO_HOST_REASON);
    assert.equal(db.used.get('h1'), 0);
  });

  test('after max_attempts, or for a non-retryable failure, the container goes to Error with the reason', async () => {
    const a = await built({ h1: 1000, h2: 1000 }, 1);
    await a.task.reschedule(ctx, { container_uuid: UUID, host: 'h1', reason: 'engine down', retryable: true, retry: a.retry });
    assert.equal(a.db.container?.status, 'Error');
    assert.match(a.db.container?.status_reason ?? '', /after 1 attempt\(s\); last error: engine down/);
    assert.equal(a.casts.length, 1);

    const b = await built({ h1: 1000, h2: 1000 });
    await b.task.reschedule(ctx, { container_uuid: UUID, host: 'h1', reason: 'manifest unknown', retryable: false, retry: b.retry });
    assert.deepEqual([b.db.container?.status, b.db.container?.status_reason, b.db.container?.host], ['Error', 'manifest unknown', null]);
    assert.equal(b.db.used.get('h1'), 0);
    assert.equal(b.casts.length, 1);
  });

  test('a requested host is never swapped for another one', async () => {
    const s = setup({ h1: 1000, h2: 1000 });
    await s.task.build(ctx, { ...build, requested_host: 'h1' });
    const retry = s.casts[0]?.req.retry;
    assert.ok(retry);
    await s.task.reschedule(ctx, { container_uuid: UUID, host: 'h1', reason: 'engine down', retryable: true, retry });
    assert.equal(s.db.container?.status, 'Error');
    assert.equal(s.casts.length, 1);
  });
});

describe('BuildContainerTask.recover (the host died while the container was Creating)', () => {
  const DOWN = 'Compute host h1 went down while creating the container.';
  const later = (ms: number): Date => new Date(Date.now() + ms);
  const GRACE = 60_000;

  async function placedOnH1(capacity: Record<string, number>, req: BuildContainerRequest = build, maxAttempts = 3) {
    const s = setup(capacity, Object.keys(capacity), maxAttempts);
    await s.task.build(ctx, req);
    assert.equal(s.db.container?.host, 'h1');
    return s;
  }

  test('the claim stores the build state (context, request, attempt, hosts)', async () => {
    const { db } = await placedOnH1({ h1: 1000, h2: 1000 });
    const stored = parseStoredBuild(db.claim?.build);
    assert.equal(stored?.context.requestId, 'req-1');
    assert.deepEqual(stored?.retry, { request: build, attempt: 1, hosts: ['h1'] });
  });

  test('releases the dead host\'s claim once and builds elsewhere with the original request', async () => {
    const { db, asked, casts, task } = await placedOnH1({ h1: 1000, h2: 1000 });
    const outcome = await task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE });
    assert.equal(outcome, 'rescheduled');
    assert.equal(db.releases, 1);
    assert.deepEqual([db.used.get('h1'), db.used.get('h2')], [0, 64]);
    assert.deepEqual(asked[1]?.ignore_hosts, ['h1']);
    assert.deepEqual(asked[1]?.hints, { 'label:x': 'y' });
    assert.equal(asked[1]?.availability_zone, 'az1');
    assert.deepEqual(casts.map((c) => [c.host, c.req.run, c.req.retry.attempt, c.req.retry.hosts]), [['h1', true, 1, ['h1']], ['h2', true, 2, ['h1', 'h2']]]);
    assert.equal(db.container?.host, 'h2');
    assert.equal(db.container?.status, 'Creating');
    assert.deepEqual(db.events.map((e) => [e.event, e.result, e.traceback]), [[BUILD_EVENT, 'Error', `h1: ${DOWN}`], [buildEventName(2), 'Success', null]]);
    // The claim now carries attempt 2's state, for a second recovery should h2 die too.
    assert.deepEqual(parseStoredBuild(db.claim?.build)?.retry.hosts, ['h1', 'h2']);

    // Idempotent: the container has left h1.
    assert.equal(await task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }), 'skipped');
    assert.equal(casts.length, 2);
  });

  test('two conductors recovering the same container at once: one goes on, the other backs off', async () => {
    const { db, casts, task } = await placedOnH1({ h1: 1000, h2: 1000 });
    const outcomes = await Promise.all([
      task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }),
      task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }),
    ]);
    assert.deepEqual(outcomes.sort(), ['rescheduled', 'skipped']);
    assert.equal(db.releases, 1);
    assert.equal(casts.length, 2);
  });

  test('no other host → Error saying the host went down, no host, nothing held', async () => {
    const { db, casts, task } = await placedOnH1({ h1: 1000 });
    assert.equal(await task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }), 'rescheduled');
    assert.deepEqual([db.container?.status, db.container?.status_reason, db.container?.host], ['Error', `${DOWN} ${NO_HOST_REASON}`, null]);
    assert.equal(db.used.get('h1'), 0);
    assert.equal(casts.length, 1);
  });

  test('no attempts left, or a requested host → Error with the reason', async () => {
    const a = await placedOnH1({ h1: 1000, h2: 1000 }, build, 1);
    assert.equal(await a.task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }), 'failed');
    assert.equal(a.db.container?.status_reason, `Failed to create the container after 1 attempt(s); last error: ${DOWN}`);
    const b = await placedOnH1({ h1: 1000, h2: 1000 }, { ...build, requested_host: 'h1' });
    assert.equal(await b.task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }), 'failed');
    assert.deepEqual([b.db.container?.status, b.db.container?.status_reason, b.db.container?.host], ['Error', DOWN, null]);
    assert.equal(b.db.used.get('h1'), 0);
    assert.equal(a.casts.length + b.casts.length, 2);
  });

  test('reschedule: false (a stalled build on a live host) fails the container and frees the host', async () => {
    const { db, asked, task } = await placedOnH1({ h1: 1000, h2: 1000 });
    assert.equal(await task.recover(UUID, 'h1', 'stalled', { reschedule: false, graceMs: GRACE }), 'failed');
    assert.deepEqual([db.container?.status, db.container?.status_reason, db.container?.host], ['Error', 'stalled', null]);
    assert.equal(db.used.get('h1'), 0);
    assert.equal(asked.length, 1, 'not scheduled again');
  });

  test('a claim without build state (placed outside a build) → Error, never rescheduled blindly', async () => {
    const { db, asked, task } = setup({ h1: 1000, h2: 1000 });
    await db.nodes.claimForContainer(UUID, 'h1', { cpu: 0.5, memory: 64, disk: 0 }, {});
    db.container = record({ host: 'h1' });
    assert.equal(await task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }), 'failed');
    assert.deepEqual([db.container?.status, db.container?.status_reason], ['Error', DOWN]);
    assert.equal(db.releases, 1);
    assert.equal(asked.length, 0);
  });

  test('a claim released or moved to another host a moment ago is a build in flight: wait, then go on', async () => {
    const { db, task } = await placedOnH1({ h1: 1000, h2: 1000 });
    await db.nodes.releaseForContainer();
    assert.equal(await task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }), 'skipped');
    assert.equal(db.container?.host, 'h1');
    // Nobody finished it within the grace period: that build died; recovery carries on (nothing left to release).
    assert.equal(await task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE, now: later(GRACE) }), 'rescheduled');
    assert.equal(db.container?.host, 'h2');
    assert.equal(db.releases, 1);

    const m = await placedOnH1({ h1: 1000, h2: 1000 });
    assert.ok(m.db.claim);
    m.db.claim = { ...m.db.claim, hostname: 'h2', updated_at: new Date() };
    assert.equal(await m.task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }), 'skipped');
    assert.equal(m.db.releases, 0);
  });

  test('a container that is not Creating on that host any more is left alone', async () => {
    const { db, task } = await placedOnH1({ h1: 1000, h2: 1000 });
    assert.equal(await task.recover(UUID, 'h2', DOWN, { reschedule: true, graceMs: GRACE }), 'skipped');
    db.container = record({ host: 'h1', status: 'Running' });
    assert.equal(await task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }), 'skipped');
    db.container = null;
    assert.equal(await task.recover(UUID, 'h1', DOWN, { reschedule: true, graceMs: GRACE }), 'skipped');
    assert.equal(db.releases, 0);
  });

  test('two copies of a failure report handled at once reschedule once', async () => {
    const { db, casts, task } = await placedOnH1({ h1: 1000, h2: 1000, h3: 1000 });
    const retry = casts[0]?.req.retry;
    assert.ok(retry);
    const report = { container_uuid: UUID, host: 'h1', reason: 'engine down', retryable: true, retry };
    await Promise.all([task.reschedule(ctx, report), task.reschedule(ctx, report)]);
    assert.equal(db.releases, 1);
    assert.equal(casts.length, 2);
  });
});

describe('helpers', () => {
  test('claimLimits enforces the ratios of the enabled resource filters only', () => {
    const conf = defaultConf({ scheduler: { enabled_filters: ['ComputeFilter', 'RamFilter'], ram_allocation_ratio: 1.5 } });
    assert.deepEqual(claimLimits(conf.scheduler), { cpuRatio: null, ramRatio: 1.5, diskRatio: null });
  });
});
