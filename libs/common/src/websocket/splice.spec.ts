import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket, { WebSocketServer } from 'ws';
import { answersHandshake, clientHandshakeHeaders, newKey, switchingProtocols } from './handshake';
import { type BridgeResult, splice, type Splice, type SpliceOptions, type WebSocketLeg } from './splice';

/** Opens a WebSocket connection to `url` as a client, offering no extension, and hands over its socket. */
function openLeg(url: string): Promise<WebSocketLeg> {
  return new Promise((resolve, reject) => {
    const key = newKey();
    const req = request(url.replace(/^ws:/, 'http:'), { headers: clientHandshakeHeaders(key) });
    req.once('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      if (!answersHandshake(key, res.headers)) reject(new Error('bad accept key'));
      else resolve({ socket, head });
    });
    req.once('response', (res: IncomingMessage) => reject(new Error(`answered ${res.statusCode}`)));
    req.once('error', reject);
    req.end();
  });
}

const WENT_AWAY = { code: 1014, reason: "The console relay of the container's host went away." };

// A front server that answers the handshake and splices each client to a ws server standing in for the back:
// real sockets on loopback, real WebSocket endpoints on both ends.
describe('splice', () => {
  let upstream: WebSocketServer;
  const upstreamSockets: WebSocket[] = [];
  let front: Server;
  let frontUrl = '';
  const sessions: Splice[] = [];
  /** The options of the next sessions. */
  let options: SpliceOptions = { backGone: WENT_AWAY };

  before(async () => {
    upstream = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    upstream.on('connection', (ws) => {
      upstreamSockets.push(ws);
      ws.on('message', (d: Buffer) => ws.send(d.length > 1000 ? d : Buffer.concat([Buffer.from('echo:'), d])));
    });
    await new Promise((r) => upstream.once('listening', r));
    const upstreamUrl = `ws://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
    front = createServer();
    front.on('upgrade', (req, socket: Socket, head: Buffer) => {
      void openLeg(upstreamUrl).then((back) => {
        socket.write(switchingProtocols(req.headers));
        sessions.push(splice(socket, head, back, options));
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    frontUrl = `ws://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => front.close(r));
    await new Promise((r) => upstream.close(r));
  });

  async function connect(): Promise<{ ws: WebSocket; got: Buffer[]; closed: Promise<[number, string]>; up: WebSocket; result: Promise<BridgeResult> }> {
    const n = upstreamSockets.length;
    const ws = new WebSocket(frontUrl, ['binary']);
    const got: Buffer[] = [];
    ws.on('message', (d: Buffer) => got.push(d));
    const closed = new Promise<[number, string]>((r) => ws.once('close', (c, why) => r([c, why.toString()])));
    await new Promise((r) => ws.once('open', r));
    for (let i = 0; i < 100 && upstreamSockets.length === n; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(ws.protocol, 'binary');
    return { ws, got, closed, up: upstreamSockets.at(-1) as WebSocket, result: (sessions.at(-1) as Splice).result };
  }

  const until = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  test('relays both ways; the client closing closes the relay, and the payload is counted', async () => {
    const { ws, got, up, result } = await connect();
    const upClosed = new Promise<number>((r) => up.once('close', (c) => r(c)));
    ws.send('hi');
    await until(() => got.length > 0);
    assert.equal(Buffer.concat(got).toString(), 'echo:hi');
    ws.close(1000);
    assert.equal(await upClosed, 1000);
    assert.deepEqual(await result, { bytesIn: 2, bytesOut: 7, endedBy: 'front', code: 1000 });
  });

  test('messages of several frames and MiBs arrive whole both ways', async () => {
    const { ws, got, result } = await connect();
    const big = Buffer.alloc(3 << 20);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    ws.send(big);
    await until(() => got.length > 0);
    assert.ok(Buffer.concat(got).equals(big));
    ws.close(1000);
    assert.equal((await result).bytesIn, big.length);
  });

  test('a normal end upstream is passed on as it came', async () => {
    const { closed, up, result } = await connect();
    up.close(1000, 'The console session ended.');
    assert.deepEqual(await closed, [1000, 'The console session ended.']);
    assert.deepEqual(await result, { bytesIn: 0, bytesOut: 0, endedBy: 'back', code: 1000 });
  });

  test('an upstream that vanishes closes the client with 1014 and a reason', async () => {
    const { closed, up, result } = await connect();
    up.terminate();
    assert.deepEqual(await closed, [1014, "The console relay of the container's host went away."]);
    assert.deepEqual(await result, { bytesIn: 0, bytesOut: 0, endedBy: 'back', code: 1014 });
  });

  test('a client that vanishes closes the relay with 1000', async () => {
    const { ws, up, result } = await connect();
    const upClosed = new Promise<[number, string]>((r) => up.once('close', (c, why) => r([c, why.toString()])));
    ws.terminate();
    assert.deepEqual(await upClosed, [1000, 'The client left.']);
    assert.deepEqual(await result, { bytesIn: 0, bytesOut: 0, endedBy: 'front', code: 1006 });
  });

  test('going away closes both sides with 1001, between two frames', async () => {
    const { closed, up, result } = await connect();
    const upClosed = new Promise<number>((r) => up.once('close', (c) => r(c)));
    (sessions.at(-1) as Splice).goingAway('zun-wsproxy is shutting down');
    assert.deepEqual(await closed, [1001, 'zun-wsproxy is shutting down']);
    assert.equal(await upClosed, 1001);
    await result;
  });
  test('with backTextAsBinary, text frames of the back reach the front as binary frames, bytes unchanged', async () => {
    options = { backGone: WENT_AWAY, backTextAsBinary: true };
    try {
      const { ws, up, result } = await connect();
      const kinds: boolean[] = [];
      const texts: string[] = [];
      ws.on('message', (d: Buffer, isBinary: boolean) => {
        kinds.push(isBinary);
        texts.push(d.toString());
      });
      up.send('as text 1');
      up.send(Buffer.from('as binary'));
      up.send('as text 2');
      await until(() => kinds.length === 3);
      assert.deepEqual(kinds, [true, true, true]);
      assert.deepEqual(texts, ['as text 1', 'as binary', 'as text 2']);
      ws.close(1000);
      assert.equal((await result).bytesOut, 27);
    } finally {
      options = { backGone: WENT_AWAY };
    }
  });

  test('without it, a text frame of the back stays a text frame', async () => {
    const { ws, up } = await connect();
    const kinds: boolean[] = [];
    ws.on('message', (_d: Buffer, isBinary: boolean) => kinds.push(isBinary));
    up.send('text');
    await until(() => kinds.length === 1);
    assert.deepEqual(kinds, [false]);
    ws.close(1000);
  });

  test("with backCloseReason, the back's close goes on with that reason and the back's code", async () => {
    options = { backGone: WENT_AWAY, backCloseReason: 'The console session ended.' };
    try {
      const { got, closed, up, result } = await connect();
      up.send(Buffer.from('last words'));
      up.close(1000);
      assert.deepEqual(await closed, [1000, 'The console session ended.']);
      assert.equal(Buffer.concat(got).toString(), 'last words', 'what came before the close arrived first');
      assert.deepEqual(await result, { bytesIn: 0, bytesOut: 10, endedBy: 'back', code: 1000 });
    } finally {
      options = { backGone: WENT_AWAY };
    }
  });

  test('a back that vanishes closes the front with the code and reason of backGone', async () => {
    options = { backGone: { code: 1011, reason: 'The container engine ended the console.' } };
    try {
      const { closed, up, result } = await connect();
      up.terminate();
      assert.deepEqual(await closed, [1011, 'The container engine ended the console.']);
      assert.equal((await result).code, 1011);
    } finally {
      options = { backGone: WENT_AWAY };
    }
  });
});
