import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminContext, type RequestContext } from '@zun-ts/common';
import { type ArgsOf, call, cast, defineTopic, type ResultOf } from './contract.types';
import { COMPUTE, type ComputeRpcApi } from './contracts/compute.contract';
import { CONDUCTOR, type ConductorRpcApi } from './contracts/conductor.contract';
import { SCHEDULER } from './contracts/scheduler.contract';
import { rpcClient } from './rpc.client';
import { RpcServer } from './rpc.server';
import { type RpcTransport } from './rpc.transport';
import { s } from './wire-schema';

interface Api {
  get(ctx: RequestContext, args: { id: string }): Promise<{ n: number }>;
  fire(ctx: RequestContext, args: { id: string }): Promise<void>;
}

test('contract typing: misspelt methods, wrong args, call/cast mix-ups, other topics and incomplete impls do not compile', () => {
  type Ping = ConductorRpcApi['ping'];
  const args: ArgsOf<Ping> = {};
  const result: ResultOf<Ping> = { host: 'h' };
  assert.deepEqual([args, result], [{}, { host: 'h' }]);

  // Only type-checked: these functions are never called (tsc fails on an unused @ts-expect-error).
  const typeChecks = (t: RpcTransport): unknown[] => {
    const client = rpcClient(t, CONDUCTOR);
    const compute = rpcClient(t, COMPUTE, 'cn1');
    const server = new RpcServer(t);
    return [
      // @ts-expect-error misspelt method
      client.call('pnig', adminContext(), {}),
      // @ts-expect-error wrong args
      client.call('serviceHeartbeat', adminContext(), { host: 'h' }),
      // @ts-expect-error buildContainer is a cast: it cannot be called
      client.call('buildContainer', adminContext(), { container_uuid: 'u', run: false, hints: {}, availability_zone: null, requested_host: null }),
      // @ts-expect-error containerGet is a call: it cannot be cast
      client.cast('containerGet', adminContext(), { container_uuid: 'u' }),
      // @ts-expect-error a method of another topic (compute's containerStart on the conductor)
      client.cast('containerStart', adminContext(), { container_uuid: 'u' }),
      // @ts-expect-error a topic family needs a host
      rpcClient(t, COMPUTE),
      // @ts-expect-error a single topic takes no host
      rpcClient(t, SCHEDULER, 'cn1'),
      // @ts-expect-error misspelt topic descriptor
      rpcClient(t, CONDUCTR),
      // @ts-expect-error impl lacks most of the contract
      server.serve(CONDUCTOR, { async ping() { return { host: 'h' }; } }),
      // @ts-expect-error a family is served for one host
      server.serve(COMPUTE, {} as never as ComputeRpcApi),
      client.call('ping', adminContext(), {}).then((r) => r.host.toUpperCase()),
      compute.cast('containerStart', adminContext(), { container_uuid: 'u' }),
    ];
  };
  assert.equal(typeof typeChecks, 'function');
});

test('descriptor typing: every method, exact schemas, casts only for void methods', () => {
  const ok = defineTopic<Api>()({
    name: 't', topic: 't', version: '1.0',
    methods: { get: call(s.object({ id: s.string() }), s.object({ n: s.integer() })), fire: cast(s.object({ id: s.string() })) },
  });
  const typeChecks = (): unknown[] => [
    // @ts-expect-error fire is missing
    defineTopic<Api>()({ name: 't', topic: 't', version: '1.0', methods: { get: ok.methods.get } }),
    // @ts-expect-error get resolves a value: it cannot be a cast
    defineTopic<Api>()({ name: 't', topic: 't', version: '1.0', methods: { get: cast(s.object({ id: s.string() })), fire: ok.methods.fire } }),
    // @ts-expect-error the args schema is wider than the contract (id may be null)
    defineTopic<Api>()({ name: 't', topic: 't', version: '1.0', methods: { get: call(s.object({ id: s.nullable(s.string()) }), s.object({ n: s.integer() })), fire: ok.methods.fire } }),
    // @ts-expect-error the result schema misses a member
    defineTopic<Api>()({ name: 't', topic: 't', version: '1.0', methods: { get: call(s.object({ id: s.string() }), s.object({})), fire: ok.methods.fire } }),
  ];
  assert.equal(typeof typeChecks, 'function');
  assert.deepEqual(Object.keys(ok.methods), ['get', 'fire']);
});
