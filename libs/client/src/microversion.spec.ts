import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ZunClientError } from './errors';
import { Microversion, negotiate, versionRangeOf } from './microversion';

const v = (s: string): Microversion => Microversion.parse(s);

void describe('microversion negotiation', () => {
  void test('the highest version both sides support', () => {
    assert.equal(String(negotiate({ min: v('1.1'), max: v('1.40') })), '1.40');
    assert.equal(String(negotiate({ min: v('1.1'), max: v('1.38') })), '1.38');
    assert.equal(String(negotiate({ min: v('1.1'), max: v('1.52') })), '1.40');
    assert.equal(String(negotiate({ min: v('1.1'), max: v('2.3') })), '1.40');
  });

  void test('a pinned version is used when both sides have it, refused otherwise', () => {
    assert.equal(String(negotiate({ min: v('1.1'), max: v('1.40') }, v('1.13'))), '1.13');
    assert.throws(() => negotiate({ min: v('1.1'), max: v('1.30') }, v('1.35')), ZunClientError);
    assert.throws(() => negotiate({ min: v('1.1'), max: v('1.52') }, v('1.41')), ZunClientError);
  });

  void test('no overlap is a client error naming both ranges', () => {
    assert.throws(() => negotiate({ min: v('1.45'), max: v('1.60') }), /server speaks 1\.45–1\.60, this client 1\.1–1\.40/);
  });

  void test('10 sorts after 9 (numbers, not text)', () => {
    assert.ok(v('1.10').compare(v('1.9')) > 0);
    assert.throws(() => v('1.x'), ZunClientError);
  });

  void test('ranges from the root document, a version document, or nothing', () => {
    const root = { versions: [{ id: 'v1', min_version: '1.1', max_version: '1.40' }] };
    assert.equal(String(versionRangeOf(root)?.max), '1.40');
    assert.equal(String(versionRangeOf({ version: { min_version: '1.2', max_version: '1.9' } })?.min), '1.2');
    assert.equal(versionRangeOf({ versions: [{ id: 'v1', min_version: '', max_version: '' }] }), null);
    assert.equal(versionRangeOf('text'), null);
  });
});
