import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type JsonObject } from '@zun-ts/objects';
import { build, ctx } from '../../tests/fixtures/build-task-fixture';
import { parseStoredBuild, storedBuildJson } from './stored-build';

describe('stored build state', () => {
  test('round-trips through JSON and rejects what it does not understand', () => {
    const retry = { request: build, attempt: 2, hosts: ['h1', 'h2'] };
    const json = storedBuildJson({ ...ctx, authToken: 'secret' }, retry);
    assert.equal(JSON.stringify(json).includes('secret'), false, 'no token stored');
    assert.deepEqual(parseStoredBuild(JSON.parse(JSON.stringify(json)) as JsonObject), { context: ctx, retry });
    for (const bad of [null, {}, { context: {}, retry: {} }, { ...json, retry: { ...retry, attempt: 0 } },
      { ...json, retry: { ...retry, request: { ...build, hints: { a: 1 } } } }, { ...json, context: { requestId: 1 } }]) {
      assert.equal(parseStoredBuild(bad as JsonObject | null), null, JSON.stringify(bad));
    }
  });
});
