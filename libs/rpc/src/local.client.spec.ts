import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminContext, ContainerNotFound, type RequestContext } from '@zun-ts/common';
import { call, cast, defineTopic, type RpcCaller } from './contract.types';
import { LOCAL_CALLER, localClient, unimplemented } from './local.client';
import { InvalidRpcMessage, NoSuchMethod, RpcProtocolError } from './rpc.errors';
import { s } from './wire-schema';

interface Api {
  stamp(ctx: RequestContext, args: { at: Date }, caller: RpcCaller): Promise<{ at: Date; by: string; token: string | null }>;
  note(ctx: RequestContext, args: { text: string }): Promise<void>;
  missing(ctx: RequestContext, args: Record<string, never>): Promise<void>;
  lies(ctx: RequestContext, args: Record<string, never>): Promise<{ n: number }>;
}
const API = defineTopic<Api>()({
  name: 'local-test', version: '1.0', topic: 'local-test',
  methods: {
    stamp: call(s.object({ at: s.date() }), s.object({ at: s.date(), by: s.string(), token: s.nullable(s.string()) })),
    note: cast(s.object({ text: s.string() })),
    missing: call(s.empty(), s.void()),
    lies: call(s.empty(), s.object({ n: s.integer() })),
  },
});

test('localClient runs the implementation through the schemas, with the caller and a context without token', async () => {
  const notes: string[] = [];
  const client = localClient(API, {
    async stamp(ctx, args, caller) {
      return { at: args.at, by: caller.host, token: ctx.authToken ?? null };
    },
    async note(_ctx, args) {
      notes.push(args.text);
      if (args.text === 'boom') throw new ContainerNotFound('gone');
    },
    async lies() {
      return { n: 'three' } as unknown as { n: number };
    },
  }, { host: 'cn7', binary: 'zun-compute' });
  const at = new Date('2024-01-01T00:00:00.000Z');
  const res = await client.call('stamp', { ...adminContext(), authToken: 'secret' }, { at });
  assert.deepEqual(res, { at, by: 'cn7', token: null });
  assert.ok(res.at instanceof Date);
  await client.cast('note', adminContext(), { text: 'hi' });
  assert.deepEqual(notes, ['hi']);
  await assert.rejects(client.cast('note', adminContext(), { text: 'boom' }), ContainerNotFound);
  await assert.rejects(client.call('missing', adminContext(), {}), NoSuchMethod);
  await assert.rejects(client.call('lies', adminContext(), {}), RpcProtocolError);
  // Untyped callers cannot slip a malformed message past the schema.
  await assert.rejects(client.cast('note', adminContext(), { text: 5 } as unknown as { text: string }), InvalidRpcMessage);
  assert.deepEqual(notes, ['hi', 'boom'], 'the handler never saw the malformed message');
  assert.deepEqual(LOCAL_CALLER, { host: 'local', binary: 'zun-test' });
});

test('unimplemented answers NoSuchMethod for every method', async () => {
  const impl = unimplemented(API);
  assert.deepEqual(Object.keys(impl).sort(), ['lies', 'missing', 'note', 'stamp']);
  await assert.rejects(impl.note(adminContext(), { text: 'x' }), NoSuchMethod);
});
