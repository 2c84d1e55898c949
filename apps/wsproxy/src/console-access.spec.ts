import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Conflict, ContainerNotFound, type RequestContext, ServiceUnavailable, silentLogger } from '@zun-ts/common';
import { CONDUCTOR, type ConsoleTarget, type ConsoleTargetRequest, localClient } from '@zun-ts/rpc';
import { ConductorConsoleAccess } from './console-access';

const A = '3f0e6a1c-2b4d-4e5f-8a9b-0c1d2e3f4a5b';
const TOKEN = 'c'.repeat(64);
const EXEC = 'e'.repeat(64);

function access(answer: (args: ConsoleTargetRequest) => ConsoleTarget): { a: ConductorConsoleAccess; asked: Array<[RequestContext, ConsoleTargetRequest]> } {
  const asked: Array<[RequestContext, ConsoleTargetRequest]> = [];
  const a = new ConductorConsoleAccess(
    localClient(CONDUCTOR, {
      consoleTarget: async (ctx, args) => {
        asked.push([ctx, args]);
        return answer(args);
      },
    }),
    silentLogger(),
  );
  return { a, asked };
}

describe('ConductorConsoleAccess', () => {
  test('the token the conductor has on record opens the session at its relay address', async () => {
    const { a, asked } = access(() => ({ container_uuid: A, url: 'ws://cn1:7000/attach/x', token: TOKEN }));
    assert.deepEqual(await a.authorize({ token: TOKEN, uuid: 'web', execId: null, requestId: 'req-1' }), {
      ok: true,
      target: { containerUuid: A, relayUrl: 'ws://cn1:7000/attach/x', token: TOKEN },
    });
    const [ctx, args] = asked[0] ?? [];
    assert.deepEqual(args, { container: 'web', exec_id: null });
    assert.equal(ctx?.requestId, 'req-1');
    assert.equal(ctx?.isAdmin, true, 'looked up with an admin, all-projects context');
  });

  test('any other token, a session never opened and an unknown container are refused alike', async () => {
    const rec = access(() => ({ container_uuid: A, url: 'ws://cn1:7000/attach/x', token: TOKEN }));
    for (const token of ['d'.repeat(64), TOKEN.slice(1), `${TOKEN}0`, TOKEN.toUpperCase(), '']) {
      assert.deepEqual(await rec.a.authorize({ token, uuid: A, execId: null, requestId: 'r' }), { ok: false, reason: 'Invalid token.' }, token);
    }
    const none = access(() => ({ container_uuid: A, url: null, token: null }));
    assert.deepEqual(await none.a.authorize({ token: TOKEN, uuid: A, execId: EXEC, requestId: 'r' }), { ok: false, reason: 'Invalid token.' });
    assert.deepEqual(none.asked[0]?.[1], { container: A, exec_id: EXEC });
    for (const err of [new ContainerNotFound('Container x could not be found.'), new Conflict('Multiple containers exist with same name.')]) {
      const gone = access(() => {
        throw err;
      });
      assert.deepEqual(await gone.a.authorize({ token: TOKEN, uuid: 'x', execId: null, requestId: 'r' }), { ok: false, reason: 'Invalid token.' });
    }
  });

  test('a conductor that fails is an error, not a refusal', async () => {
    const down = access(() => {
      throw new ServiceUnavailable('conductor unreachable');
    });
    await assert.rejects(down.a.authorize({ token: TOKEN, uuid: A, execId: null, requestId: 'r' }), ServiceUnavailable);
  });
});
