import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NotImplementedYet, type RequestContext, ZunServiceNotFound } from '@zun-ts/common';
import { type Container, type ServiceRegistration, type ZunService } from '@zun-ts/objects';
import { CONDUCTOR, type ConductorRpcApi, ConductorServiceRegistry, type ConsoleTarget, rpcClient, RpcServer, RpcTransport, type ServiceHeartbeatRequest } from '../src';
import { Redis } from 'ioredis';
import { requireEnv, uniquePrefix } from './fixtures/test-env';

const redisUrl = requireEnv('ZUN_TEST_REDIS_URL');
const prefix = uniquePrefix();

/** A conductor keeping services in memory, recording the contexts it was given. */
class MemoryConductor implements ConductorRpcApi {
  readonly services = new Map<string, ZunService>();
  readonly contexts: RequestContext[] = [];

  async serviceRegister(ctx: RequestContext, s: ServiceRegistration): Promise<ZunService> {
    this.contexts.push(ctx);
    const key = `${s.host}/${s.binary}`;
    const existing = this.services.get(key);
    const svc: ZunService = existing
      ? { ...existing, topic: s.topic, availability_zone: s.availability_zone, updated_at: new Date() }
      : { id: this.services.size + 1, ...s, disabled: false, disabled_reason: null, forced_down: false, report_count: 0,
          last_seen_up: null, created_at: new Date('2024-01-02T03:04:05.678Z'), updated_at: null };
    this.services.set(key, svc);
    return svc;
  }

  async serviceHeartbeat(ctx: RequestContext, args: ServiceHeartbeatRequest): Promise<void> {
    this.contexts.push(ctx);
    const svc = this.services.get(`${args.host}/${args.binary}`);
    if (!svc) throw new ZunServiceNotFound(args.host, args.binary);
    svc.report_count++;
    svc.last_seen_up = new Date();
  }

  async ping(): Promise<{ host: string }> {
    return { host: 'conductor-1' };
  }

  // The rest of the contract is not exercised here.
  buildContainer(): Promise<void> {
    return notHere('buildContainer');
  }
  reportCreateFailure(): Promise<void> {
    return notHere('reportCreateFailure');
  }
  containerGet(): Promise<Container> {
    return notHere('containerGet');
  }
  containersOnHost(): Promise<Container[]> {
    return notHere('containersOnHost');
  }
  containerSave(): Promise<Container> {
    return notHere('containerSave');
  }
  containerDestroy(): Promise<void> {
    return notHere('containerDestroy');
  }
  computeNodeUpdate(): Promise<void> {
    return notHere('computeNodeUpdate');
  }
  actionEventStart(): Promise<void> {
    return notHere('actionEventStart');
  }
  actionEventFinish(): Promise<void> {
    return notHere('actionEventFinish');
  }
  actionFinish(): Promise<void> {
    return notHere('actionFinish');
  }
  consoleTarget(): Promise<ConsoleTarget> {
    return notHere('consoleTarget');
  }
  execInstanceCreate(): Promise<void> {
    return notHere('execInstanceCreate');
  }
  containerMounts = (): Promise<never> => notHere('containerMounts');
  volumeBind = (): Promise<never> => notHere('volumeBind');
  volumeSave = (): Promise<never> => notHere('volumeSave');
  volumeRelease = (): Promise<never> => notHere('volumeRelease');
  volumeDestroy = (): Promise<never> => notHere('volumeDestroy');
  volumesOnHost = (): Promise<never> => notHere('volumesOnHost');
  containerNetworks = (): Promise<never> => notHere('containerNetworks');
  portSave = (): Promise<never> => notHere('portSave');
  portRelease = (): Promise<never> => notHere('portRelease');
  networksOnHost = (): Promise<never> => notHere('networksOnHost');
  imagePulled = (): Promise<never> => notHere('imagePulled');
  imageDestroy = (): Promise<never> => notHere('imageDestroy');
  containerRegistry = (): Promise<never> => notHere('containerRegistry');
}

function notHere(method: string): Promise<never> {
  return Promise.reject(new NotImplementedYet(`MemoryConductor.${method} is not used by this test`));
}

let conductorSide: RpcTransport;
let computeSide: RpcTransport;
const conductor = new MemoryConductor();

before(async () => {
  conductorSide = RpcTransport.connect({ redisUrl, prefix });
  computeSide = RpcTransport.connect({ redisUrl, prefix, callTimeoutMs: 5000 });
  await new RpcServer(conductorSide).serve(CONDUCTOR, conductor);
});

after(async () => {
  await computeSide.close();
  await conductorSide.close();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

test('a compute host registers and heartbeats through the conductor', async () => {
  const registry = new ConductorServiceRegistry(rpcClient(computeSide, CONDUCTOR));
  const svc = await registry.register({ host: 'cn1', binary: 'zun-compute', topic: 'compute.cn1', availability_zone: 'nova' });
  assert.equal(svc.host, 'cn1');
  assert.equal(svc.topic, 'compute.cn1');
  assert.ok(svc.created_at instanceof Date, 'dates arrive as Date');
  assert.equal(svc.created_at.toISOString(), '2024-01-02T03:04:05.678Z');
  assert.equal(svc.last_seen_up, null);

  await registry.heartbeat('cn1', 'zun-compute');
  await registry.heartbeat('cn1', 'zun-compute');
  assert.equal(conductor.services.get('cn1/zun-compute')?.report_count, 2);
  assert.ok(conductor.contexts.every((c) => c.isAdmin && c.roles.includes('admin')), 'calls carry an admin context');
});

test('a heartbeat for an unknown service gives ZunServiceNotFound at the caller', async () => {
  const registry = new ConductorServiceRegistry(rpcClient(computeSide, CONDUCTOR));
  await assert.rejects(registry.heartbeat('ghost', 'zun-compute'), (err: unknown) => {
    // ZunServiceNotFound's constructor takes (host, binary), so it is not rebuilt by name; its class name and status travel.
    assert.equal((err as Error).name === 'ZunServiceNotFound' || (err as { remoteName?: string }).remoteName === 'ZunServiceNotFound', true);
    assert.equal((err as { status?: number }).status, 404);
    assert.match((err as Error).message, /ghost/);
    return true;
  });
});
