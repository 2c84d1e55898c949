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

describe('ApiServer: requests the HTTP parser refuses', () => {
  /** Writes `raw` on a new connection and returns all the server answered. */
  async function rawExchange(port: number, raw: string): Promise<string> {
    const { connect } = await import('node:net');
    return new Promise((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port }, () => sock.write(raw));
      let got = '';
      sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
      sock.on('error', reject);
      sock.on('close', () => resolve(got));
    });
  }

  test('conflicting Content-Length, oversized headers, non-ASCII targets CONNECT and unknown Expect get Zun error bodies, not bare 400s or silence', async () => {
    const server = new ApiServer((_req, res) => res.end('ok'), silentLogger());
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const cases: [string, number][] = [
        ['GET /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n{}', 400],
        ['GET /v1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n', 400],
        ['PUT /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400],
        [`GET /v1?q=${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
        ['GET /v1/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n', 400],
        // CONNECT used to close the connection without any answer.
        ['CONNECT /v1/containers HTTP/1.1\r\nHost: x\r\n\r\n', 405],
        // An unknown Expect got Node's bare 417.
        ['GET /v1 HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n', 417],
      ];
      for (const [raw, status] of cases) {
        const answer = await rawExchange(port, raw);
        assert.match(answer, new RegExp(`^HTTP/1.1 ${status} `), raw.slice(0, 60));
        assert.match(answer, /\r\nContent-Type: application\/json\r\n/);
        const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { errors: { status: number; code: string; request_id: string }[] };
        assert.equal(body.errors[0]?.status, status);
        assert.equal(body.errors[0]?.code, 'container.');
        assert.equal(body.errors[0]?.request_id, '');
      }
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/v1`)).text(), 'ok', 'still serving');
    } finally {
      await server.stop(1000);
    }
  });

  test('a body longer than its Content-Length: the request is answered, not the trailing bytes (a 400 hid a DELETE that was done)', async () => {
    let handled = 0;
    const server = new ApiServer((_req, res) => {
      handled += 1;
      setTimeout(() => res.writeHead(204).end(), 50);
    }, silentLogger());
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const answer = await rawExchange(port, 'DELETE /v1/quotas/p HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n{"a":1}');
      assert.equal(handled, 1);
      assert.match(answer, /^HTTP\/1.1 204 /, answer);
      assert.doesNotMatch(answer, /HTTP\/1.1 400/);
    } finally {
      await server.stop(1000);
    }
  });

  test('a body cut short (the client ends the connection before Content-Length bytes): 400 at once, not a connection left open', async () => {
    const server = new ApiServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    }, silentLogger());
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const { connect } = await import('node:net');
      const t0 = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const sock = connect({ host: '127.0.0.1', port }, () => {
          sock.write('POST /v1/containers HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"a":1}');
          sock.end();
        });
        let got = '';
        sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
        sock.on('error', reject);
        sock.on('close', () => resolve(got));
      });
      assert.match(answer, /^HTTP\/1.1 400 /, answer);
      assert.ok(Date.now() - t0 < 2000);
    } finally {
      await server.stop(1000);
    }
  });
});
