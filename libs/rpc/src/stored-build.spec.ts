import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type RequestContext } from '@zun-ts/common';
import { type JsonObject } from '@zun-ts/objects';
import { type BuildContainerRequest } from './contracts/conductor.contract';
import { firstAttemptJson, parseStoredBuild, storedBuildJson } from './stored-build';

const ctx: RequestContext = { requestId: 'req-1', userId: 'u', projectId: 'p', roles: [], isAdmin: false };
const build: BuildContainerRequest = { container_uuid: '5c2b1d1e-0000-4000-8000-000000000001', run: true, hints: { 'label:x': 'y' }, availability_zone: 'az1', requested_host: null };

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

  test('the first attempt the API stores with the container: attempt 1, no host tried yet, no token', () => {
    const json = firstAttemptJson({ ...ctx, authToken: 'secret' }, build);
    assert.equal(JSON.stringify(json).includes('secret'), false);
    assert.deepEqual(parseStoredBuild(JSON.parse(JSON.stringify(json)) as JsonObject), { context: ctx, retry: { request: build, attempt: 1, hosts: [] } });
  });
});
