import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BadRequest, Conflict, errorFromAnswer, Forbidden, NotFound, ServiceUnavailable, Unauthorized, ZunApiError } from './errors';

const answer = (status: number, body: unknown, requestId: string | null = 'req-1') => errorFromAnswer({ status, method: 'GET', url: 'http://zun/v1/x', body, requestId });
const zunBody = (status: number, code: string, detail: string) => ({ errors: [{ request_id: '', code, status, title: detail, detail, links: [] }] });

void describe('errorFromAnswer', () => {
  void test('one class per status, carrying Zun\'s error body', () => {
    const cases: [number, new (...a: never[]) => ZunApiError][] = [
      [400, BadRequest],
      [403, Forbidden],
      [404, NotFound],
      [409, Conflict],
      [503, ServiceUnavailable],
    ];
    for (const [status, Cls] of cases) {
      const e = answer(status, zunBody(status, `container.code-${status}`, `detail ${status}`));
      assert.ok(e instanceof Cls, `${status} → ${e.name}`);
      assert.ok(e instanceof ZunApiError);
      assert.equal(e.name, Cls.name);
      assert.deepEqual([e.status, e.code, e.title, e.detail, e.requestId], [status, `container.code-${status}`, `detail ${status}`, `detail ${status}`, 'req-1']);
      assert.match(e.message, new RegExp(`GET http://zun/v1/x: ${status} detail ${status}`));
    }
  });

  void test('the request id falls back to the body\'s', () => {
    const body = { errors: [{ request_id: 'req-body', code: 'c', status: 404, title: 't', detail: 'd', links: [] }] };
    assert.equal(answer(404, body, null).requestId, 'req-body');
  });

  void test('the {"error": …} shape of Keystone and of the auth layer', () => {
    const e = answer(401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
    assert.ok(e instanceof Unauthorized);
    assert.deepEqual([e.code, e.title, e.detail], ['401', 'Unauthorized', 'The request you have made requires authentication.']);
  });

  void test('other statuses and non-JSON bodies: the base class with the text as detail', () => {
    const e = answer(418, 'I am a teapot\n');
    assert.equal(e.constructor, ZunApiError);
    assert.deepEqual([e.status, e.code, e.detail], [418, '418', 'I am a teapot']);
  });
});
