import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Readable } from 'node:stream';
import { dockerTestEnv, type DockerTestEnv, TEST_LABEL } from './fixtures/docker-env';

// Docker 20.10 before 20.10.27 can deadlock when two endpoints of one user-defined network are released together
// (moby/moby#46661): fifty force-removes at once hung the engine. The driver releases them one at a time per network.
const COUNT = 6;
const SLEEP = ['sleep', '3600'];

let env: DockerTestEnv;
let network = '';

before(async () => {
  env = await dockerTestEnv();
  network = `zt-teardown-${env.runId}`;
  await env.docker.createNetwork({ Name: network, Driver: 'bridge', Labels: { [TEST_LABEL]: env.runId } });
});

after(async () => {
  await env?.cleanup();
  if (env) await env.docker.getNetwork(network).remove().catch(() => undefined);
});

interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
}

/** Container die/destroy events from now on, in the engine's order, as `die:<id>` / `destroy:<id>`. */
async function watchEvents(): Promise<{ seen: string[]; stop: () => void }> {
  const stream = (await env.docker.getEvents({ filters: { type: ['container'], event: ['die', 'destroy'], label: [`${TEST_LABEL}=${env.runId}`] } })) as Readable;
  const seen: string[] = [];
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) {
      if (!l.trim()) continue;
      const e = JSON.parse(l) as EngineEvent;
      seen.push(`${e.Action}:${e.Actor.ID}`);
    }
  });
  return { seen, stop: () => stream.destroy() };
}

describe('DockerContainerDriver: releasing the endpoints of one network', () => {
  test('force-deletes of running containers on one user-defined network at once are carried out one at a time (engine deadlock)', async () => {
    const made = await Promise.all(
      Array.from({ length: COUNT }, async () => {
        const uuid = env.newUuid();
        await env.driver.create(env.ctx, { uuid, image: env.busybox, command: SLEEP, labels: { [TEST_LABEL]: env.runId }, network_mode: network });
        await env.driver.start(env.ctx, uuid);
        return uuid;
      }),
    );
    const ids = new Map<string, string>();
    for (const uuid of made) ids.set((await env.driver.inspect(env.ctx, uuid)).container_id, uuid);
    const events = await watchEvents();
    try {
      await Promise.all(made.map((uuid) => env.driver.delete(env.ctx, uuid, { force: true })));
      const deadline = Date.now() + 10_000;
      while (events.seen.filter((e) => e.startsWith('destroy:')).length < COUNT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      events.stop();
    }
    const mine = events.seen.filter((e) => ids.has(e.slice(e.indexOf(':') + 1)));
    assert.equal(mine.filter((e) => e.startsWith('destroy:')).length, COUNT, `every container destroyed: ${mine.join(' ')}`);
    // One at a time: each container's die is followed by its own destroy before the next container dies.
    for (let i = 0; i < mine.length; i += 2) {
      const die = mine[i] ?? '';
      const destroy = mine[i + 1] ?? '';
      assert.ok(die.startsWith('die:') && destroy === `destroy:${die.slice(4)}`, `teardowns interleaved: ${mine.join(' ')}`);
    }
    for (const uuid of made) await assert.rejects(env.driver.inspect(env.ctx, uuid), /not found|No such container/i);
  });

  test('a stop on the same network waits for a force-delete there, and both finish', async () => {
    const [a, b] = await Promise.all(
      [0, 1].map(async () => {
        const uuid = env.newUuid();
        await env.driver.create(env.ctx, { uuid, image: env.busybox, command: SLEEP, labels: { [TEST_LABEL]: env.runId }, network_mode: network });
        await env.driver.start(env.ctx, uuid);
        return uuid;
      }),
    );
    assert.ok(a && b);
    const idA = (await env.driver.inspect(env.ctx, a)).container_id;
    const idB = (await env.driver.inspect(env.ctx, b)).container_id;
    const events = await watchEvents();
    try {
      await Promise.all([env.driver.delete(env.ctx, a, { force: true }), env.driver.stop(env.ctx, b, 0)]);
      const deadline = Date.now() + 10_000;
      while (!(events.seen.includes(`destroy:${idA}`) && events.seen.includes(`die:${idB}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      events.stop();
    }
    // b's process ends either before a's or after a is destroyed, never while a's endpoint is being released.
    const dieA = events.seen.indexOf(`die:${idA}`);
    const destroyA = events.seen.indexOf(`destroy:${idA}`);
    const dieB = events.seen.indexOf(`die:${idB}`);
    assert.ok(dieA >= 0 && destroyA > dieA && dieB >= 0, `both ended: ${events.seen.join(' ')}`);
    assert.ok(dieB < dieA || dieB > destroyA, `the stop ran during the force-delete: ${events.seen.join(' ')}`);
    const state = await env.driver.inspect(env.ctx, b);
    assert.equal(state.running, false);
    await env.driver.delete(env.ctx, b, { force: true });
  });
});
