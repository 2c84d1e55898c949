import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@zun-ts/common';
import { ApiServer } from './api.server';

describe('ApiServer.stop', () => {
  test('stops accepting, lets the request in flight finish, then resolves', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const inside = new Promise<void>((r) => (arrived = r));
    const server = new ApiServer((req, res) => {
      if (req.url === '/slow') {
        arrived();
        void released.then(() => res.end('done'));
      } else res.end('fast');
    }, silentLogger());
    const { port } = await server.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    assert.equal(await (await fetch(`${url}/fast`)).text(), 'fast', 'leaves an idle keep-alive connection behind');

    const slow = fetch(`${url}/slow`);
    await inside;
    let stopped = false;
    const stopping = server.stop(5000).then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(stopped, false, 'waits for the request in flight');
    await assert.rejects(fetch(`${url}/fast`, { signal: AbortSignal.timeout(2000) }), 'no new connections');
    release();
    const res = await slow;
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('connection'), 'close');
    assert.equal(await res.text(), 'done');
    await stopping;
    assert.equal(stopped, true);
  });

  test('past the bound, unfinished requests are cut', async () => {
    const server = new ApiServer(() => {
      /* never answers */
    }, silentLogger());
    const { port } = await server.listen(0, '127.0.0.1');
    const hung = fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await server.stop(300);
    assert.ok(Date.now() - t0 >= 250, 'waited for the bound');
    assert.ok((await hung) instanceof Error, 'the hung request failed');
  });
});
