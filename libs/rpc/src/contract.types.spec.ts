import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminContext, type RequestContext } from '@zun-ts/common';
import { type ArgsOf, type ResultOf, rpcMethodsOf } from './contract.types';
import { type ConductorRpcApi } from './contracts/conductor.contract';
import { RpcClient } from './rpc.client';
import { RpcServer } from './rpc.server';
import { type RpcTransport } from './rpc.transport';

class Base {
  async inherited(_ctx: RequestContext, _args: Record<string, never>): Promise<string> {
    return 'base';
  }
}
class Impl extends Base {
  field = 1;
  async own(_ctx: RequestContext, args: { x: number }): Promise<number> {
    return args.x * 2;
  }
  async _helper(): Promise<void> {}
}

test('rpcMethodsOf lists own and inherited methods, bound to the instance, without _names or constructor', async () => {
  const m = rpcMethodsOf(new Impl());
  assert.deepEqual([...m.keys()].sort(), ['inherited', 'own']);
  assert.equal(await m.get('own')?.(adminContext(), { x: 21 }), 42);
  assert.equal(await m.get('inherited')?.(adminContext(), {}), 'base');
  assert.deepEqual([...rpcMethodsOf({ async ping() { return 1; }, toString: 'x' }).keys()], ['ping']);
});

test('contract typing: misspelt methods, wrong args and incomplete impls do not compile', () => {
  type Ping = ConductorRpcApi['ping'];
  const args: ArgsOf<Ping> = {};
  const result: ResultOf<Ping> = { host: 'h' };
  assert.deepEqual([args, result], [{}, { host: 'h' }]);

  // Only type-checked: these functions are never called (tsc fails on an unused @ts-expect-error).
  const typeChecks = (t: RpcTransport): unknown[] => {
    const client = new RpcClient<ConductorRpcApi>(t, 'conductor');
    const server = new RpcServer(t);
    return [
      // @ts-expect-error misspelt method
      client.call('pnig', adminContext(), {}),
      // @ts-expect-error wrong args
      client.call('serviceHeartbeat', adminContext(), { host: 'h' }),
      // @ts-expect-error wrong args for a cast
      client.cast('serviceHeartbeat', adminContext(), { host: 1, binary: 'b' }),
      // @ts-expect-error impl lacks serviceRegister and serviceHeartbeat
      server.serve<ConductorRpcApi>('conductor', { async ping() { return { host: 'h' }; } }),
      client.call('ping', adminContext(), {}).then((r) => r.host.toUpperCase()),
    ];
  };
  assert.equal(typeof typeChecks, 'function');
});
