import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminContext, ContainerNotFound, type RequestContext, serializeError } from '@zun-ts/common';
import { buildRequest, contractCompatible, encodeReply, ENVELOPE_VERSION, parseReply, parseRequest } from './message.envelope';
import { RpcProtocolError } from './rpc.errors';

const ctx: RequestContext = { requestId: 'req-1', userId: 'u', projectId: 'p', roles: ['member'], isAdmin: false, authToken: 'tok' };
const sender = { host: 'cn1', binary: 'zun-compute' };

test('a request carries method, wire context, sender and the args as the schema encoded them', () => {
  const req = buildRequest('containerCreate', ctx, { uuid: 'c1', when: '2024-01-01T00:00:00.000Z' }, sender, 'zun:rpc-reply:x');
  assert.equal(req.v, ENVELOPE_VERSION);
  assert.equal(req.method, 'containerCreate');
  assert.equal(req.replyTo, 'zun:rpc-reply:x');
  assert.equal(req.ctx.authToken, undefined, 'the token never crosses RPC');
  assert.deepEqual(req.args, { uuid: 'c1', when: '2024-01-01T00:00:00.000Z' });

  const parsed = parseRequest(JSON.parse(JSON.stringify(req)));
  assert.deepEqual(parsed.args, { uuid: 'c1', when: '2024-01-01T00:00:00.000Z' });
  assert.deepEqual(parsed.sender, sender);
  assert.equal(parsed.ctx.requestId, 'req-1');
  assert.deepEqual(parsed.ctx.roles, ['member']);
});

test('a cast has no replyTo', () => {
  const req = buildRequest('ping', adminContext(), {}, sender);
  assert.equal('replyTo' in req, false);
  assert.equal(parseRequest(JSON.parse(JSON.stringify(req))).replyTo, undefined);
});

test('malformed requests are refused with RpcProtocolError', () => {
  const good = JSON.parse(JSON.stringify(buildRequest('ping', ctx, {}, sender))) as Record<string, unknown>;
  const bad: unknown[] = [
    null,
    'text',
    { ...good, v: 1 },
    { ...good, sender: undefined },
    { ...good, sender: { host: 'cn1' } },
    { ...good, method: '' },
    { ...good, ctx: undefined },
    { ...good, ctx: { ...ctx, roles: 'admin' } },
    { ...good, ctx: { ...ctx, isAdmin: 'yes' } },
    { ...good, replyTo: 5 },
    { ...good, cv: 1 },
    { ...good, cv: 'one' },
  ];
  for (const b of bad) assert.throws(() => parseRequest(b), RpcProtocolError, JSON.stringify(b));
  // A token smuggled into the wire context is dropped.
  assert.equal(parseRequest({ ...good, ctx: { ...ctx, authToken: 'x' } }).ctx.authToken, undefined);
});

test('the contract version travels with the request; a server takes the same major version (rolling upgrades)', () => {
  const req = parseRequest(JSON.parse(JSON.stringify(buildRequest('ping', ctx, {}, sender, undefined, '1.4'))));
  assert.equal(req.cv, '1.4');
  assert.equal(parseRequest(JSON.parse(JSON.stringify(buildRequest('ping', ctx, {}, sender)))).cv, undefined);
  assert.equal(contractCompatible('1.3', '1.4'), true, 'a newer minor: same contract, maybe a method the server lacks (NoSuchMethod)');
  assert.equal(contractCompatible('1.4', '1.3'), true, 'an older sender');
  assert.equal(contractCompatible('1.4', undefined), true, 'a sender from before the field');
  assert.equal(contractCompatible('2.0', '1.9'), false);
});

test('replies round-trip, success and error', () => {
  const when = new Date().toISOString();
  assert.deepEqual(parseReply(encodeReply({ id: 'a', ok: true, result: { when } })), { id: 'a', ok: true, result: { when } });
  assert.deepEqual(parseReply(encodeReply({ id: 'b', ok: true, result: undefined })), { id: 'b', ok: true, result: undefined });
  const error = serializeError(new ContainerNotFound('gone'));
  assert.deepEqual(parseReply(encodeReply({ id: 'c', ok: false, error })), { id: 'c', ok: false, error: { name: 'ContainerNotFound', message: 'gone', code: 404 } });
});

test('malformed replies are refused', () => {
  for (const text of ['not json', '{}', '{"id":"x"}', '{"id":"x","ok":false,"error":{"name":1}}']) {
    assert.throws(() => parseReply(text), RpcProtocolError, text);
  }
});
