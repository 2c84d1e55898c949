import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket, { WebSocketServer } from 'ws';
import { silentLogger } from '@zun-ts/common';
import { defaultConf } from '@zun-ts/config';
import { type ConsoleAccess, type ConsoleDecision, type ConsoleRequest } from './console-access';
import { type RelayConnector, RelayRefused, WsRelayConnector } from './relay.connector';
import { refusalOfRelay, WsProxyServer } from './wsproxy.server';

const A = '3f0e6a1c-2b4d-4e5f-8a9b-0c1d2e3f4a5b';

describe('refusalOfRelay', () => {
  test('token refusals are policy violations, engine refusals internal errors, an absent relay a bad gateway', () => {
    assert.deepEqual(refusalOfRelay(new RelayRefused(403, 'The console token has expired: attach again.')), { code: 1008, reason: 'The console token has expired: attach again.' });
    assert.deepEqual(refusalOfRelay(new RelayRefused(401, 'A console token is required.')), { code: 1008, reason: 'A console token is required.' });
    assert.deepEqual(refusalOfRelay(new RelayRefused(409, 'Cannot attach: container x is not running.')), { code: 1011, reason: 'Cannot attach: container x is not running.' });
    assert.deepEqual(refusalOfRelay(new RelayRefused(null, 'connect ECONNREFUSED')), { code: 1014, reason: "The console relay of the container's host cannot be reached." });
    assert.deepEqual(refusalOfRelay(new RelayRefused(502, 'socket hang up')), { code: 1014, reason: "The console relay of the container's host failed: socket hang up" });
  });
});

describe('WsProxyServer', () => {
  const requests: ConsoleRequest[] = [];
  let decide: (r: ConsoleRequest) => Promise<ConsoleDecision> = async () => ({ ok: false, reason: 'Invalid token.' });
  const access: ConsoleAccess = { authorize: (r) => (requests.push(r), decide(r)) };
  let upstream: WebSocketServer;
  let upstreamUrl = '';
  const real = new WsRelayConnector();
  const connector: RelayConnector = {
    connect: async (url, token, requestId) => {
      if (url === 'ws://refusing/') throw new RelayRefused(409, 'Cannot attach: container x is not running.');
      if (url === 'ws://unreachable/') throw new RelayRefused(null, 'ECONNREFUSED');
      return real.connect(url, token, requestId);
    },
  };
  let server: WsProxyServer;
  let base = '';

  before(async () => {
    upstream = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    upstream.on('connection', (ws) => {
      ws.send('ready');
      ws.on('message', (d: Buffer) => ws.send(d));
    });
    await new Promise((r) => upstream.once('listening', r));
    upstreamUrl = `ws://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
    const conf = defaultConf({ websocket_proxy: { wsproxy_host: '127.0.0.1', wsproxy_port: 0, base_url: 'ws://127.0.0.1:1/' } }).websocket_proxy;
    server = new WsProxyServer(conf, silentLogger(), access, connector);
    base = `ws://127.0.0.1:${(await server.listen()).port}/`;
  });
  after(async () => {
    await server.close();
    await new Promise((r) => upstream.close(r));
  });

  function outcome(url: string): Promise<{ first: string | null; code: number; reason: string }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, ['binary', 'base64']);
      let first: string | null = null;
      ws.on('message', (d: Buffer) => {
        if (first === null) {
          first = d.toString();
          ws.close(1000);
        }
      });
      ws.once('close', (code, reason) => resolve({ first, code, reason: reason.toString() }));
    });
  }

  test('the handshake is answered only once the relay is open: its first bytes are already there', async () => {
    decide = async () => ({ ok: true, target: { containerUuid: A, relayUrl: upstreamUrl, token: 't' } });
    assert.deepEqual(await outcome(`${base}?token=t&uuid=${A}`), { first: 'ready', code: 1000, reason: '' });
    assert.deepEqual(requests.at(-1), { token: 't', uuid: A, execId: null, requestId: requests.at(-1)?.requestId });
    assert.match(requests.at(-1)?.requestId ?? '', /^req-/);
  });

  test('an upgrade that is no WebSocket handshake is answered 400 and never reaches the conductor', async () => {
    const port = new URL(base).port;
    const before = requests.length;
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () =>
        s.end(`GET /?token=t&uuid=${A} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n`),
      );
      let text = '';
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /Sec-WebSocket-Key/);
    assert.equal(requests.length, before);
  });

  test('refusals and failures close with a code the client can act on', async () => {
    decide = async () => ({ ok: false, reason: 'Invalid token.' });
    assert.deepEqual(await outcome(`${base}?token=t&uuid=${A}&exec_id=${'e'.repeat(64)}`), { first: null, code: 1008, reason: 'Invalid token.' });
    assert.equal(requests.at(-1)?.execId, 'e'.repeat(64));
    decide = async () => {
      throw new Error('conductor unreachable');
    };
    assert.deepEqual(await outcome(`${base}?token=t&uuid=${A}`), { first: null, code: 1011, reason: 'Console authorization failed.' });
    decide = async () => ({ ok: true, target: { containerUuid: A, relayUrl: 'ws://refusing/', token: 't' } });
    assert.deepEqual(await outcome(`${base}?token=t&uuid=${A}`), { first: null, code: 1011, reason: 'Cannot attach: container x is not running.' });
    decide = async () => ({ ok: true, target: { containerUuid: A, relayUrl: 'ws://unreachable/', token: 't' } });
    assert.deepEqual(await outcome(`${base}?token=t&uuid=${A}`), { first: null, code: 1014, reason: "The console relay of the container's host cannot be reached." });
    assert.deepEqual(await outcome(`${base}?token=t`), { first: null, code: 1008, reason: 'A container uuid is required.' });
    assert.equal(server.openSessions, 0);
  });
});
