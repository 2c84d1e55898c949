import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeNameLabel, httpMethodLabel, httpStatusLabel, oneOf, OTHER, routeLabel } from './labels';

void describe('bounded label values', () => {
  void test('oneOf keeps known values and folds everything else into other', () => {
    const statuses = ['Running', 'Stopped'] as const;
    assert.equal(oneOf('Running', statuses), 'Running');
    assert.equal(oneOf('running', statuses), OTHER);
    assert.equal(oneOf('6f1c3e0a-1d2b-4c5d-8e9f-0a1b2c3d4e5f', statuses), OTHER);
    assert.equal(oneOf(undefined, statuses), OTHER);
    assert.equal(oneOf(null, statuses), OTHER);
  });

  void test('HTTP methods and statuses: the standard ones, else other', () => {
    assert.deepEqual(['get', 'POST', 'Delete', 'PROPFIND', undefined].map(httpMethodLabel), ['GET', 'POST', 'DELETE', OTHER, OTHER]);
    assert.deepEqual([200, 404, 599, 600, 99, 1.5].map(httpStatusLabel), ['200', '404', '599', OTHER, OTHER, OTHER]);
  });

  void test('route templates pass; a raw path with a uuid or a number does not; no route is unmatched', () => {
    assert.equal(routeLabel('/v1/containers/:ident/execute'), '/v1/containers/:ident/execute');
    assert.equal(routeLabel('/v1/containers/6f1c3e0a-1d2b-4c5d-8e9f-0a1b2c3d4e5f'), OTHER);
    assert.equal(routeLabel('/v1/containers/6f1c3e0a1d2b4c5d8e9f0a1b2c3d4e5f'), OTHER);
    assert.equal(routeLabel('/v1/quotas/42'), OTHER);
    assert.equal(routeLabel(undefined), 'unmatched');
  });

  void test('code names: short identifiers only; free text is other', () => {
    assert.equal(codeNameLabel('selectDestinations'), 'selectDestinations');
    assert.equal(codeNameLabel('RamFilter'), 'RamFilter');
    assert.equal(codeNameLabel('no such host: cn-1 (disabled)'), OTHER);
    assert.equal(codeNameLabel('x'.repeat(101)), OTHER);
    assert.equal(codeNameLabel(undefined), OTHER);
  });
});
