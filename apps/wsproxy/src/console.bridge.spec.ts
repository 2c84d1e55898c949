import { EventEmitter } from 'node:events';
import { type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket, { WebSocketServer } from 'ws';
import { bridge, type BridgeResult, closeReason, HIGH_WATER, LOW_WATER, pump, sendableCloseCode } from './console.bridge';

/** Just enough of a WebSocket for pump(): sends complete when the test says so. */
class FakeSocket extends EventEmitter {
  readonly readyState = WebSocket.OPEN;
  bufferedAmount = 0;
  paused = false;
  readonly sent: Array<{ data: Buffer; binary: boolean }> = [];
  private readonly callbacks: Array<() => void> = [];
  send(data: Buffer, opts: { binary: boolean }, cb: () => void): void {
    this.sent.push({ data, binary: opts.binary });
    this.bufferedAmount += data.length;
    this.callbacks.push(() => {
      this.bufferedAmount -= data.length;
      cb();
    });
  }
  /** The network took the oldest queued message. */
  flush(n = 1): void {
    for (let i = 0; i < n; i++) this.callbacks.shift()?.();
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
}

describe('pump', () => {
  test('passes messages on with their type; stops reading above the high mark and reads again below the low mark', () => {
    const from = new FakeSocket();
    const to = new FakeSocket();
    let counted = 0;
    pump(from as unknown as WebSocket, to as unknown as WebSocket, (n) => void (counted += n));
    from.emit('message', Buffer.from('text'), false);
    assert.deepEqual(to.sent[0], { data: Buffer.from('text'), binary: false });
    const chunk = Buffer.alloc(256 << 10);
    let sends = 1;
    while (!from.paused) {
      from.emit('message', chunk, true);
      sends++;
    }
    assert.deepEqual(to.sent[1], { data: chunk, binary: true });
    assert.ok(to.bufferedAmount > HIGH_WATER, 'paused only once over the high mark');
    assert.equal(counted, 4 + (sends - 1) * chunk.length);
    // Draining: still paused while above the low mark, reading again below it.
    while (to.bufferedAmount - chunk.length >= LOW_WATER) {
      to.flush();
      assert.equal(from.paused, true);
    }
    to.flush(sends);
    assert.equal(from.paused, false);
  });
});

describe('bridge', () => {
  let upstream: WebSocketServer;
  let front: WebSocketServer;
  let upstreamUrl = '';
  let frontUrl = '';
  /** Bridged sessions: the front (client-facing) socket relayed to a fresh upstream connection. */
  const results: Array<Promise<BridgeResult>> = [];
  const upstreamSockets: WebSocket[] = [];

  before(async () => {
    upstream = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    upstream.on('connection', (ws) => {
      upstreamSockets.push(ws);
      ws.on('message', (d: Buffer) => ws.send(Buffer.concat([Buffer.from('echo:'), d])));
    });
    await new Promise((r) => upstream.once('listening', r));
    upstreamUrl = `ws://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    front = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    front.on('connection', (client) => {
      const relay = new WebSocket(upstreamUrl);
      relay.once('open', () => results.push(bridge(client, relay)));
    });
    await new Promise((r) => front.once('listening', r));
    frontUrl = `ws://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => front.close(r));
    await new Promise((r) => upstream.close(r));
  });

  async function connect(): Promise<{ ws: WebSocket; got: Buffer[]; closed: Promise<[number, string]> }> {
    const ws = new WebSocket(frontUrl);
    const got: Buffer[] = [];
    ws.on('message', (d: Buffer) => got.push(d));
    const closed = new Promise<[number, string]>((r) => ws.once('close', (c, why) => r([c, why.toString()])));
    await new Promise((r) => ws.once('open', r));
    const n = upstreamSockets.length;
    for (let i = 0; i < 100 && upstreamSockets.length === n; i++) await new Promise((r) => setTimeout(r, 10));
    return { ws, got, closed };
  }

  test('relays both ways; the client leaving closes the relay', async () => {
    const { ws, got } = await connect();
    const up = upstreamSockets.at(-1) as WebSocket;
    const upClosed = new Promise<number>((r) => up.once('close', (c) => r(c)));
    ws.send('hi');
    for (let i = 0; i < 100 && !got.length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(Buffer.concat(got).toString(), 'echo:hi');
    ws.close(1000);
    assert.equal(await upClosed, 1000);
    const r = await results.at(-1);
    assert.deepEqual(r, { bytesIn: 2, bytesOut: 7, endedBy: 'client', code: 1000 });
  });

  test('a normal end upstream is passed on as it came', async () => {
    const { closed } = await connect();
    (upstreamSockets.at(-1) as WebSocket).close(1000, 'The console session ended.');
    assert.deepEqual(await closed, [1000, 'The console session ended.']);
    assert.equal((await results.at(-1))?.endedBy, 'relay');
  });

  test('an upstream that vanishes closes the client with 1014 and a reason', async () => {
    const { closed } = await connect();
    (upstreamSockets.at(-1) as WebSocket).terminate();
    assert.deepEqual(await closed, [1014, "The console relay of the container's host went away."]);
    assert.deepEqual(await results.at(-1), { bytesIn: 0, bytesOut: 0, endedBy: 'relay', code: 1014 });
  });

  test('close codes and reasons that may be sent', () => {
    for (const c of [1000, 1001, 1008, 1011, 1014, 3000, 4999]) assert.equal(sendableCloseCode(c), true, String(c));
    for (const c of [999, 1004, 1005, 1006, 1015, 2000, 5000]) assert.equal(sendableCloseCode(c), false, String(c));
    assert.equal(Buffer.byteLength(closeReason('é'.repeat(100))), 122);
    assert.equal(closeReason('short'), 'short');
  });
});
