import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerNotFound, InvalidParamInVersion, MessagingTimeout, MessagingUnavailable, PolicyNotAuthorized, SchemaValidationError } from '@zun-ts/common';
import { FakeServiceStore } from '../../tests/fixtures/fake-service.store';
import { recordingLogger, startTestApi, type TestServer } from '../../tests/fixtures/test-api';
import { errorBody } from './error-body';

type ErrorBody = { errors: { code: string; status: number; title: string; detail: string; request_id: string; links: unknown[] }[] };

/** A store whose list() fails with the given error, to see how each kind of error is rendered. */
class FailingStore extends FakeServiceStore {
  err: unknown = new Error('boom');
  override list(): Promise<never> {
    return Promise.reject(this.err);
  }
}

describe('error bodies', () => {
  const store = new FailingStore();
  const logger = recordingLogger();
  let api: TestServer;
  before(async () => {
    api = await startTestApi({ services: store, logger });
  });
  after(() => api.close());

  async function failWith(err: unknown): Promise<{ status: number; body: ErrorBody; headers: Headers }> {
    store.err = err;
    const res = await fetch(`${api.url}/v1/services`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    return { status: res.status, body: (await res.json()) as ErrorBody, headers: res.headers };
  }

  test('a 503 (a service it needs is down) shows its message, code from the class name, and Retry-After', async () => {
    const { status, body, headers } = await failWith(new MessagingUnavailable('The message bus is unavailable (Redis cannot be reached): nothing was done. Please try again later.'));
    assert.equal(status, 503);
    const e = body.errors[0];
    assert.equal(e?.code, 'container.messaging-unavailable');
    assert.equal(e?.title, 'The message bus is unavailable (Redis cannot be reached): nothing was done. Please try again later.');
    assert.equal(e?.detail, e?.title);
    assert.equal(headers.get('retry-after'), '5');
  });

  test('Zun client errors: code from the class name, message as title and detail', async () => {
    const cases: [Error, number, string][] = [
      [new ContainerNotFound('Container abc could not be found.'), 404, 'container.container-not-found'],
      [new SchemaValidationError('bad'), 400, 'container.schema-validation-error'],
      [new PolicyNotAuthorized('x:y'), 403, 'container.policy-not-authorized'],
      [new InvalidParamInVersion('too new'), 400, 'container.invalid-param-in-version'],
    ];
    for (const [err, status, code] of cases) {
      const r = await failWith(err);
      assert.equal(r.status, status);
      assert.deepEqual(r.body, errorBody(status, code, err.message, err.message));
      assert.equal(r.body.errors[0]?.request_id, '');
    }
  });

  test('anything else: 500, details only in the log under the correlation id', async () => {
    const r = await failWith(new Error('secret database password in this message'));
    assert.equal(r.status, 500);
    const e = r.body.errors[0];
    assert.equal(e?.code, 'container.');
    assert.equal(e?.title, 'Internal Server Error');
    const m = /^Your request could not be handled because of a problem in the server\. Error Correlation id is: ([0-9a-f-]{36})$/.exec(e?.detail ?? '');
    assert.ok(m, e?.detail);
    assert.doesNotMatch(JSON.stringify(r.body), /secret/);
    const logged = logger.lines.find((l) => l.meta?.['correlationId'] === m[1]);
    assert.ok(logged, 'the correlation id is logged');
    assert.match(String(logged.meta?.['error']), /secret database password/);
    assert.equal(logged.meta?.['requestId'], r.headers.get('x-openstack-request-id'));
  });

  test('Zun server errors keep their status but hide their message', async () => {
    const r = await failWith(new MessagingTimeout('compute host-1 did not answer'));
    assert.equal(r.status, 504);
    assert.equal(r.body.errors[0]?.title, 'Gateway Timeout');
    assert.doesNotMatch(r.body.errors[0]?.detail ?? '', /host-1/);
  });

  test('a thrown non-Error is a 500 too', async () => {
    const r = await failWith('a string');
    assert.equal(r.status, 500);
  });
});
