import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BadRequest,
  ContainerNotFound,
  deserializeError,
  isRetryable,
  MessagingTimeout,
  NoValidHost,
  RemoteError,
  RequestedHostNotFound,
  serializeError,
  ServiceUnavailable,
} from './errors';

describe('isRetryable', () => {
  test('a ZunError marked retryable is, here or rebuilt from another process', () => {
    assert.equal(isRetryable(new MessagingTimeout('no reply')), true);
    assert.equal(isRetryable(new ServiceUnavailable('down')), true);
    assert.equal(isRetryable(deserializeError(serializeError(new MessagingTimeout('no reply')))), true);
  });

  test('an unknown remote error is retryable by its status: 503 and 504 only', () => {
    assert.equal(isRetryable(new RemoteError('DatabaseGone', 'x', 503)), true);
    assert.equal(isRetryable(new RemoteError('GatewayTimeout', 'x', 504)), true);
    assert.equal(isRetryable(new RemoteError('KeyError', 'boom', 500)), false);
  });

  test('verdicts on the request and unclassified errors are not', () => {
    for (const err of [new BadRequest('bad'), new ContainerNotFound('gone'), new NoValidHost(), new Error('ECONNREFUSED'), 'text', null]) {
      assert.equal(isRetryable(err), false, String(err));
    }
  });
});

describe('RequestedHostNotFound', () => {
  test("is Zun's 404 with its message, and crosses RPC typed", () => {
    const err = new RequestedHostNotFound('h9');
    assert.equal(err.status, 404);
    assert.equal(err.message, 'Requested host h9 could not be found.');
    const back = deserializeError(serializeError(err));
    assert.ok(back instanceof RequestedHostNotFound);
    assert.equal(back.message, 'Requested host h9 could not be found.');
  });
});
