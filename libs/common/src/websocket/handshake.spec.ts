import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptKey, answersHandshake, chooseProtocol, clientHandshakeHeaders, handshakeProblem, switchingProtocols } from './handshake';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const OK = { upgrade: 'websocket', 'sec-websocket-key': KEY, 'sec-websocket-version': '13' };

describe('the WebSocket handshake', () => {
  test('the accept key of RFC 6455 §1.3', () => assert.equal(acceptKey(KEY), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='));

  test('binary before base64, as python-zunclient offers both; none when neither is offered', () => {
    assert.equal(chooseProtocol('binary, base64'), 'binary');
    assert.equal(chooseProtocol('base64'), 'base64');
    assert.equal(chooseProtocol('chat'), null);
    assert.equal(chooseProtocol(undefined), null);
  });

  test('what is not a version 13 handshake is named', () => {
    assert.equal(handshakeProblem('GET', OK), null);
    assert.match(handshakeProblem('POST', OK) ?? '', /GET/);
    assert.match(handshakeProblem('GET', { ...OK, upgrade: 'h2c' }) ?? '', /Upgrade/);
    assert.match(handshakeProblem('GET', { ...OK, 'sec-websocket-key': 'short' }) ?? '', /Key/);
    assert.match(handshakeProblem('GET', { ...OK, 'sec-websocket-version': '8' }) ?? '', /version 13/);
  });

  test('the 101 answer names the accept key and the chosen subprotocol, and no extension', () => {
    const head = switchingProtocols({ ...OK, 'sec-websocket-protocol': 'binary, base64', 'sec-websocket-extensions': 'permessage-deflate' });
    assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.match(head, /\r\nSec-WebSocket-Protocol: binary\r\n/);
    assert.doesNotMatch(head, /Extensions/i);
    assert.ok(head.endsWith('\r\n\r\n'));
  });

  test('a client handshake is one the server side accepts, and its answer is checked for the key and no extension', () => {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const headers = Object.fromEntries(Object.entries(clientHandshakeHeaders(key)).map(([k, v]) => [k.toLowerCase(), v]));
    assert.equal(handshakeProblem('GET', headers), null);
    const accept = acceptKey(key);
    assert.equal(answersHandshake(key, { 'sec-websocket-accept': accept }), true);
    assert.equal(answersHandshake(key, { 'sec-websocket-accept': acceptKey('AAAAAAAAAAAAAAAAAAAAAA==') }), false, 'another key');
    assert.equal(answersHandshake(key, { 'sec-websocket-accept': accept, 'sec-websocket-extensions': 'permessage-deflate' }), false, 'an extension taken');
  });
});
