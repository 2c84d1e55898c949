import { type IncomingMessage, request } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { clientHandshakeHeaders, Conflict, ContainerNotFound, newKey, type RequestContext, silentLogger } from '@zun-ts/common';
import { type ConsoleStream, type ConsoleStreams, type EngineWebSocket } from '@zun-ts/compute-driver';
import { ConsoleGrants } from './console-grants';
import { ConsoleRelay } from './console-relay.server';

const A = '3f0e6a1c-2b4d-4e5f-8a9b-0c1d2e3f4a5b';
const B = '7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6';
const EXEC = 'e'.repeat(64);

/** Engine consoles in memory: what the user types comes back upper-cased. */
class FakeStreams implements ConsoleStreams {
  readonly opened: string[] = [];
  readonly live: Array<{ stream: ConsoleStream; input: PassThrough; output: PassThrough; closed: boolean }> = [];
  failWith: Error | null = null;

  private make(target: string): ConsoleStream {
    this.opened.push(target);
    if (this.failWith) throw this.failWith;
    const input = new PassThrough();
    const output = new PassThrough();
    input.on('data', (d: Buffer) => output.write(Buffer.from(d.toString('utf8').toUpperCase())));
    const entry = { stream: null as unknown as ConsoleStream, input, output, closed: false };
    entry.stream = { input, output, tty: true, close: () => void (entry.closed = true) };
    this.live.push(entry);
    return entry.stream;
  }

  async attach(_ctx: RequestContext, uuid: string): Promise<ConsoleStream | EngineWebSocket> {
    return this.make(`attach/${uuid}`);
  }

  async exec(_ctx: RequestContext, execId: string): Promise<ConsoleStream> {
    return this.make(`exec/${execId}`);
  }
}

/** Status of a refused upgrade and its reason header, or 101 once open. */
function tryOpen(url: string, headers: Record<string, string>): Promise<{ status: number; reason: string; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, reason: String(res.headers['x-zun-console-reason'] ?? '') });
      ws.terminate();
    });
    ws.once('open', () => resolve({ status: 101, reason: '', ws }));
    ws.once('error', (e) => reject(e));
  });
}

describe('ConsoleRelay', () => {
  let now = 1_000_000;
  const grants = new ConsoleGrants(60_000, () => now);
  const streams = new FakeStreams();
  const relay = new ConsoleRelay(streams, grants, { host: '127.0.0.1', port: 0, publicHost: 'cn1', logger: silentLogger() });
  let base = '';

  before(async () => {
    base = await relay.listen();
  });
  after(() => relay.close());
  beforeEach(() => {
    streams.opened.length = 0;
    streams.failWith = null;
  });

  test('publishes ws://<relay_host>:<port>/ and one address per session', () => {
    assert.match(base, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(relay.sessionUrl('attach', A), `${base}attach/${A}`);
    assert.equal(relay.sessionUrl('exec', EXEC), `${base}exec/${EXEC}`);
  });

  test('every refusal is a plain HTTP answer given before the engine is touched', async () => {
    const ta = grants.mint('attach', A, A);
    const tb = grants.mint('attach', B, B);
    const cases: Array<[string, Record<string, string>, number, string]> = [
      [`attach/${A}`, {}, 401, 'A console token is required.'],
      [`attach/${A}`, { 'x-zun-console-token': 'nope' }, 403, 'Invalid token.'],
      [`attach/${A}`, { 'x-zun-console-token': tb }, 403, 'Invalid token.'],
      [`exec/${EXEC}`, { 'x-zun-console-token': ta }, 403, 'No console session was granted for this exec.'],
      [`attach/${A}`, { 'x-zun-console-token': ta, Origin: 'http://127.0.0.1' }, 403, 'Consoles are opened through zun-wsproxy.'],
      ['containers/json', { 'x-zun-console-token': ta }, 404, 'No such console session.'],
      [`attach/${A}/more`, { 'x-zun-console-token': ta }, 404, 'No such console session.'],
    ];
    for (const [path, headers, status, reason] of cases) {
      assert.deepEqual(await tryOpen(`${base}${path}`, headers), { status, reason }, path);
    }
    now += 60_001;
    assert.deepEqual(await tryOpen(`${base}attach/${A}`, { 'x-zun-console-token': ta }), { status: 403, reason: 'The console token has expired: attach again.' });
    assert.deepEqual(streams.opened, []);
    const plain = await fetch(`${base.replace('ws:', 'http:')}attach/${A}`);
    assert.equal(plain.status, 404);
  });

  test('an engine refusal is passed on with its status; the session does not open', async () => {
    const t = grants.mint('attach', A, A);
    streams.failWith = new Conflict(`Cannot attach: container ${A} is not running.`);
    assert.deepEqual(await tryOpen(`${base}attach/${A}`, { 'x-zun-console-token': t }), { status: 409, reason: `Cannot attach: container ${A} is not running.` });
    streams.failWith = new ContainerNotFound('No such container: zun-x');
    assert.equal((await tryOpen(`${base}attach/${A}`, { 'x-zun-console-token': t })).status, 404);
    streams.failWith = new Error('socket hang up');
    assert.equal((await tryOpen(`${base}attach/${A}`, { 'x-zun-console-token': t })).status, 502);
    assert.equal(relay.openSessions, 0);
  });

  test('an accepted session relays bytes both ways and ends with the process; an exec opens once', async () => {
    const t = grants.mint('exec', EXEC, A);
    const r = await tryOpen(`${base}exec/${EXEC}`, { 'x-zun-console-token': t });
    assert.equal(r.status, 101);
    const ws = r.ws as WebSocket;
    const got: Buffer[] = [];
    ws.on('message', (d: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, true);
      got.push(d);
    });
    ws.send('hello');
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(Buffer.concat(got).toString(), 'HELLO');
    assert.equal(relay.openSessions, 1);
    assert.equal((await tryOpen(`${base}exec/${EXEC}`, { 'x-zun-console-token': t })).status, 403, 'used');
    const closed = new Promise<[number, string]>((res) => ws.once('close', (c, why) => res([c, why.toString()])));
    const entry = streams.live.at(-1);
    entry?.output.end(); // the process exited
    assert.deepEqual(await closed, [1000, 'The console session ended.']);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(entry?.closed, true, 'the engine stream is let go');
    assert.equal(relay.openSessions, 0);
  });

  test('the client leaving closes the engine stream', async () => {
    const t = grants.mint('attach', B, B);
    const r = await tryOpen(`${base}attach/${B}`, { 'x-zun-console-token': t });
    const entry = streams.live.at(-1);
    r.ws?.close();
    for (let i = 0; i < 50 && !entry?.closed; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(entry?.closed, true);
  });
});

/** An engine with its own WebSocket attach, as Docker's: output upper-cased as text frames; "bye" ends the session. */
class FakeEngineWebSocket extends FakeStreams {
  readonly server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  readonly ended: string[] = [];
  /** The paths the relay opened on the engine's WebSocket. */
  readonly connected: string[] = [];

  constructor() {
    super();
    this.server.on('connection', (ws, req) => {
      this.connected.push(req.url ?? '');
      ws.on('message', (d: Buffer) => {
        if (d.toString() === 'bye') ws.close(1000);
        else ws.send(d.toString('utf8').toUpperCase());
      });
      ws.once('close', () => this.ended.push(req.url ?? ''));
    });
  }

  override async attach(_ctx: RequestContext, uuid: string): Promise<EngineWebSocket> {
    const port = (this.server.address() as AddressInfo).port;
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/containers/zun-${uuid}/attach/ws`, headers: clientHandshakeHeaders(newKey()) });
      req.once('upgrade', (_res: IncomingMessage, socket: Socket, head: Buffer) => resolve({ socket, head }));
      req.once('error', reject);
      req.end();
    });
  }
}

describe('ConsoleRelay onto the engine\'s WebSocket attach', () => {
  const grants = new ConsoleGrants(60_000);
  const engine = new FakeEngineWebSocket();
  const relay = new ConsoleRelay(engine, grants, { host: '127.0.0.1', port: 0, publicHost: 'cn1', logger: silentLogger() });
  let base = '';

  before(async () => {
    base = await relay.listen();
  });
  after(async () => {
    await relay.close();
    await new Promise((r) => engine.server.close(r));
  });

  test('an attach is spliced: text frames of the engine arrive as binary, and its close with our reason', async () => {
    const r = await tryOpen(`${base}attach/${A}`, { 'x-zun-console-token': grants.mint('attach', A, A) });
    assert.equal(r.status, 101);
    const ws = r.ws as WebSocket;
    const got: Array<[string, boolean]> = [];
    ws.on('message', (d: Buffer, isBinary: boolean) => got.push([d.toString(), isBinary]));
    ws.send('hello');
    for (let i = 0; i < 100 && !got.length; i++) await new Promise((res) => setTimeout(res, 10));
    assert.deepEqual(got, [['HELLO', true]]);
    assert.deepEqual(engine.connected, [`/containers/zun-${A}/attach/ws`], 'spliced onto the engine\'s WebSocket');
    assert.equal(relay.openSessions, 1);
    const closed = new Promise<[number, string]>((res) => ws.once('close', (c, why) => res([c, why.toString()])));
    ws.send('bye');
    assert.deepEqual(await closed, [1000, 'The console session ended.']);
    for (let i = 0; i < 100 && relay.openSessions; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(relay.openSessions, 0);
  });

  test('an exec still goes through the engine stream', async () => {
    const r = await tryOpen(`${base}exec/${EXEC}`, { 'x-zun-console-token': grants.mint('exec', EXEC, A) });
    assert.equal(r.status, 101);
    assert.deepEqual(engine.opened, [`exec/${EXEC}`]);
    r.ws?.close();
  });

  test('stopping the relay closes a spliced session with 1001 and lets the engine go', async () => {
    const r = await tryOpen(`${base}attach/${B}`, { 'x-zun-console-token': grants.mint('attach', B, B) });
    const ws = r.ws as WebSocket;
    const closed = new Promise<[number, string]>((res) => ws.once('close', (c, why) => res([c, why.toString()])));
    const before = engine.ended.length;
    await relay.close();
    assert.deepEqual(await closed, [1001, 'zun-compute is shutting down']);
    for (let i = 0; i < 100 && engine.ended.length === before; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(engine.ended.length, before + 1, 'the engine connection closed');
  });
});
